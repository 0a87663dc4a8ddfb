"""The state a viewer needs beside guest memory, read from a live world after each event.

How this works: guest memory already holds the rings' public state (`avail.idx`,
descriptors, `used_event` ...), and the timeline ships memory separately. What memory
does not hold is each side's private bookkeeping: the driver's `last_used_idx` and free
list (Linux keeps it out of the ring, so memory cannot show it), the device's
`last_avail_idx`, wrap counters, which heads are in flight, plus
the device's status and features. These functions read that bookkeeping into plain JSON
data (docs/trace-format.md, "State" and "QueueState"), without recording anything.

Feature words are hex strings: JavaScript numbers cannot hold 64 bits.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from virtio_viz.model.device import VirtioDevice
from virtio_viz.model.packed import PackedDeviceQueue, PackedDriverQueue
from virtio_viz.model.spec import DeviceId, Status, status_names
from virtio_viz.model.split import SplitDeviceQueue, SplitDriverQueue
from virtio_viz.model.virtqueue import DeviceQueue, DriverQueue

Json = dict[str, Any]

QUEUE_NAMES: dict[int, tuple[str, ...]] = {
    DeviceId.NET: ("receiveq1", "transmitq1", "controlq"),  # virtio-1.2 §5.1.2
    DeviceId.BLOCK: ("requestq1",),  # virtio-1.2 §5.2.2
}


def queue_name(device_id: int, index: int) -> str:
    names = QUEUE_NAMES.get(device_id, ())
    return names[index] if index < len(names) else f"queue{index}"


def status_state(status: int) -> Json:
    """The status byte and the names of its bits, in ascending bit order (§2.1)."""
    return {"value": status, "names": list(_status_bits(status))}


@lru_cache(maxsize=256)  # after every step; naming the bits of a byte walks an enum
def _status_bits(status: int) -> tuple[str, ...]:
    names = status_names(status)
    return () if names == "0" else tuple(names.split("|"))


def features_state(device_id: int, offered: int, driver: int, negotiated: int) -> Json:
    return {
        "device_id": device_id,
        "offered": hex(offered),
        "driver": hex(driver),
        "negotiated": hex(negotiated),
    }


def device_state(device: VirtioDevice) -> Json:
    return {
        "needs_reset": bool(device.device_status & Status.DEVICE_NEEDS_RESET),
        "config_generation": device.config_generation,
        "isr": device.interrupts.isr,
    }


def split_areas(size: int, desc: int, avail: int, used: int) -> list[Json]:
    """The three areas of a split queue and their sizes (virtio-1.2 §2.7)."""
    return [
        {"name": "desc", "label": "descriptor table", "addr": desc, "size": 16 * size},
        {"name": "avail", "label": "available ring", "addr": avail, "size": 6 + 2 * size},
        {"name": "used", "label": "used ring", "addr": used, "size": 6 + 8 * size},
    ]


def packed_areas(size: int, ring: int, driver_event: int, device_event: int) -> list[Json]:
    """The packed ring and its two event suppression structures (virtio-1.2 §2.8)."""
    return [
        {"name": "ring", "label": "descriptor ring", "addr": ring, "size": 16 * size},
        {"name": "driver_event", "label": "driver event suppression", "addr": driver_event,
         "size": 4},
        {"name": "device_event", "label": "device event suppression", "addr": device_event,
         "size": 4},
    ]  # fmt: skip


def driver_side(queue: DriverQueue | None) -> Json | None:
    if isinstance(queue, SplitDriverQueue):
        return {
            "free_head": queue.free_head,
            "num_free": queue.free_count,
            "free_list": list(queue.free_list()),
            "last_used_idx": queue.last_used_idx,
            "avail_idx": queue.avail_idx_shadow,
            "in_flight": list(queue.in_flight_heads),
            "interrupts_enabled": queue.interrupts_enabled,
            "broken": queue.broken,
        }
    if isinstance(queue, PackedDriverQueue):
        return {
            "free_head": queue.free_head,
            "num_free": queue.free_count,
            "free_list": list(queue.free_ids()),
            "next_avail": queue.next_avail,
            "avail_wrap_counter": queue.avail_wrap_counter,
            "next_used": queue.next_used,
            "used_wrap_counter": queue.used_wrap_counter,
            "in_flight": sorted(queue.in_flight),
            "broken": queue.broken,
        }
    return None


def device_side(queue: DeviceQueue | None) -> Json | None:
    if isinstance(queue, SplitDeviceQueue):
        return {
            "last_avail_idx": queue.last_avail_idx,
            "used_idx": queue.used_idx,
            "notifications_enabled": queue.notifications_enabled,
            "in_flight": [chain.id for chain in queue.in_flight],
            "broken": queue.broken,
        }
    if isinstance(queue, PackedDeviceQueue):
        return {
            "next_avail": queue.next_avail,
            "avail_wrap_counter": queue.avail_wrap_counter,
            "next_used": queue.next_used,
            "used_wrap_counter": queue.used_wrap_counter,
            "in_flight": [buffer_id for buffer_id, _count in queue.in_flight],
            "broken": queue.broken,
        }
    return None


def ring_areas(queue: DriverQueue | DeviceQueue) -> tuple[str, int, list[Json]]:
    """The format, size and areas of a queue, from either side's layout."""
    if isinstance(queue, SplitDriverQueue | SplitDeviceQueue):
        split = queue.layout
        areas = split_areas(split.size, split.desc_addr, split.avail_addr, split.used_addr)
        return "split", split.size, areas
    if isinstance(queue, PackedDriverQueue | PackedDeviceQueue):
        packed = queue.layout
        areas = packed_areas(
            packed.size, packed.desc_addr, packed.driver_event_addr, packed.device_event_addr
        )
        return "packed", packed.size, areas
    raise TypeError(f"not a virtqueue the viewer knows: {type(queue).__name__}")


def queue_state(
    index: int,
    name: str,
    driver: DriverQueue | None,
    device: DeviceQueue | None,
    *,
    enabled: bool,
    msix_vector: int | None,
) -> Json:
    side = driver if driver is not None else device
    ring, size, areas = ring_areas(side) if side is not None else ("split", 0, [])
    return {
        "index": index,
        "name": name,
        "format": ring,
        "size": size,
        "enabled": enabled,
        "msix_vector": msix_vector,
        "areas": areas,
        "driver": driver_side(driver),
        "device": device_side(device),
    }
