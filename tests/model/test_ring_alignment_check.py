"""One path, one check: a misaligned ring is the driver breaking N34 (split, virtio-1.2
§2.7.1) or N69 (packed, §2.8.11), recorded once per part by whatever builds the device
side of the queue: the device core's `make_device_queue()` or a queue class used
directly (the ring lab, a back-end, a test)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from virtio_viz.model.device_queue import QueueConfig, make_device_queue
from virtio_viz.model.events import EventLog
from virtio_viz.model.features import bit
from virtio_viz.model.memory import GuestMemory
from virtio_viz.model.packed import PackedDeviceQueue, PackedDriverQueue, PackedLayout
from virtio_viz.model.split import SplitDeviceQueue, SplitDriverQueue, SplitLayout

BASE = 0x1000_0000
SKEWED = (BASE + 8, BASE + 0x1001, BASE + 0x2002)  # desc 16, avail/driver 2|4, used/device 4
SPLIT_PARTS, PACKED_PARTS = ["desc", "avail", "used"], ["desc", "driver_event", "device_event"]


def setup() -> tuple[GuestMemory, EventLog]:
    memory = GuestMemory.with_regions([("ram", BASE, 0x10000)])
    return memory, EventLog(memory)


def split_direct(memory: GuestMemory, log: EventLog) -> None:
    layout = SplitLayout.checked(memory, 8, *SKEWED)
    SplitDeviceQueue(memory, log, layout, queue_index=1, event_idx=False)


def packed_direct(memory: GuestMemory, log: EventLog) -> None:
    layout = PackedLayout.checked(memory, 8, *SKEWED)
    PackedDeviceQueue(memory, log, layout, queue_index=1, event_idx=False)


def through_the_core(negotiated: int) -> Callable[[GuestMemory, EventLog], None]:
    def build(memory: GuestMemory, log: EventLog) -> None:
        config = QueueConfig(1, 8)
        for area, addr in zip(("desc", "driver", "device"), SKEWED, strict=True):
            config.set_address(area, addr)  # type: ignore[arg-type]
        make_device_queue(memory, log, config, negotiated)

    return build


@pytest.mark.parametrize(
    ("build", "rule", "parts"),
    [
        (split_direct, 34, SPLIT_PARTS),
        (through_the_core(0), 34, SPLIT_PARTS),
        (packed_direct, 69, PACKED_PARTS),
        (through_the_core(bit("VIRTIO_F_RING_PACKED")), 69, PACKED_PARTS),
    ],
    ids=["split-direct", "split-core", "packed-direct", "packed-core"],
)
def test_every_way_to_build_the_device_side_records_each_part_once(
    build: Callable[[GuestMemory, EventLog], None], rule: int, parts: list[str]
) -> None:
    memory, log = setup()
    build(memory, log)
    violations = log.violations()
    assert [(v.rule, v.actor, v.queue) for v in violations] == [(rule, "driver", 1)] * 3
    assert [v.values["part"] for v in violations] == parts


def test_the_driver_side_leaves_the_check_to_the_device_side() -> None:
    """Taking the ring as the driver records nothing, so a queue built by both sides
    (driver and device, as every story does) reports each misaligned part once."""
    memory, log = setup()
    SplitDriverQueue(memory, log, SplitLayout.checked(memory, 8, *SKEWED), queue_index=1,
                     event_idx=False)  # fmt: skip
    PackedDriverQueue(memory, log, PackedLayout.checked(memory, 8, BASE + 0x4008, BASE + 0x5002,
                      BASE + 0x5006), queue_index=2, event_idx=False)  # fmt: skip
    assert log.violations() == []
