"""The kinds of event the packed virtqueue records, and what each one says.

Each entry is an `EventType`: the event's stable `kind`, actor, plane, the virtio-1.2
section that decides it and the real-software analog, with the function that puts one
occurrence into words (model/events.py). A buffer's trip through the ring and the
suppression switches are told by their own functions from the values they were noted
with, only when someone reads the event, so those functions depend on their arguments
alone. Setup, errors and the ring lab's raw writes are put into words where they happen
(`said`). Keeping every kind in one table gives views one list of kinds to know.
"""

from __future__ import annotations

from collections.abc import Mapping

from virtio_viz.model.events import EventType, Plane, Told, Value, event_type, said
from virtio_viz.model.packed.ring import EventSuppress, Fields, PackedDesc, flag_names
from virtio_viz.model.virtqueue import Chain

_LINUX = "in Linux (drivers/virtio/virtio_ring.c)"
_QEMU = "in QEMU (hw/virtio/virtio.c)"
ADD = f"virtqueue_add_packed() {_LINUX}"
GET_BUF = f"virtqueue_get_buf_ctx_packed() {_LINUX}"
POP = f"virtqueue_packed_pop() {_QEMU}"
FILL_DESC = f"virtqueue_packed_fill_desc() {_QEMU}"
SET_NOTIFICATION = f"virtio_queue_packed_set_notification() {_QEMU}"


def plural(count: int, noun: str) -> str:
    """'1 slot', '3 slots'."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


Said = EventType[str, Mapping[str, Value]]  # put into words where it happens
UsedDesc = EventType[int, int, int, int, bool]  # (slot, buffer id, len, slots, popped)


def _as_said(kind: str, actor: str, plane: Plane, spec: str, analog: str) -> Said:
    """An event type whose events are put into words where they happen."""
    return EventType(kind, actor, plane, spec, analog, said)


# -- driver: setup and the ring lab ----------------------------------------------------------
RING_ZEROED = _as_said(
    "desc_ring_init", "driver", "control", "§2.8.13", f"vring_alloc_queue_packed() {_LINUX}"
)
NO_CALLBACK = _as_said(
    "driver_event_write", "driver", "notification", "§2.8.10",
    f"virtqueue_vring_init_packed() {_LINUX}",
)  # fmt: skip
RAW_DESC_WRITTEN = _as_said(
    "lab_desc_write", "driver", "data", "§2.8.13", "ring-lab: a descriptor written by hand"
)
RAW_DRIVER_EVENT = _as_said(
    "lab_driver_event_write", "driver", "notification", "§2.8.14",
    "ring-lab: event structure written by hand",
)  # fmt: skip


# -- driver: supplying buffers (§2.8.21) ---------------------------------------------------
@event_type("desc_write", "driver", "data", "§2.8.21.1", ADD)
def desc_written(slot: int, desc: Fields, flags: int, is_head: bool, count: int) -> Told:
    """`desc` as the driver meant it: its flags without the lap's AVAIL/USED bits."""
    addr, length, buffer_id, _flags = desc
    names = flag_names(flags)
    if not is_head:
        tail = f"flags {names} (0x{flags:04x})"
    elif count > 1:
        tail = f"its flags wait until the other {count - 1} are written"
    else:
        tail = "its flags come next"
    return (
        f"The driver writes descriptor slot {slot}: addr 0x{addr:x}, "
        f"len {length}, id {buffer_id}; {tail}.",
        {"addr": addr, "len": length, "id": buffer_id, "flags": flags,
         "flag_names": names, "slot": slot, "head": is_head, "flags_written": not is_head},
    )  # fmt: skip


@event_type("head_flags_write", "driver", "data", "§2.8.21.1", ADD)
def head_flags_written(
    slot: int, flags: int, buffer_id: int, count: int, wrap: int, next_avail: int, avail_wrap: int
) -> Told:
    names = flag_names(flags)
    return (
        f"The driver writes the head descriptor's flags at slot {slot} last: "
        f"{names} (0x{flags:04x}); buffer {buffer_id} "
        f"({plural(count, 'descriptor')}) is now available.",
        {"slot": slot, "flags": flags, "flag_names": names, "buffer_id": buffer_id,
         "desc_count": count, "wrap": wrap, "next_avail": next_avail,
         "avail_wrap_counter": avail_wrap},
    )  # fmt: skip


@event_type(
    "indirect_table_write", "driver", "data", "§2.8.7",
    f"virtqueue_add_indirect_packed() {_LINUX}",
)  # fmt: skip
def indirect_table_written(table: int, count: int, writable: int, buffer_id: int) -> Told:
    return (
        f"The driver fills an indirect table at 0x{table:x} with "
        f"{plural(count, 'descriptor')} ({writable} device-writable).",
        {"table_addr": table, "count": count, "buffer_id": buffer_id},
    )


# -- driver: notifications and reclaiming (§2.8.21.2, §2.8.22, §2.8.10) ----------------------
@event_type(
    "kick_check", "driver", "notification", "§2.8.21.2",
    f"virtqueue_kick_prepare_packed() {_LINUX}",
)  # fmt: skip
def kick_checked(event: EventSuppress, moved: int, why: str, kick: bool, new: int) -> Told:
    summary, values = _decision("driver", "device", f"adding {plural(moved, 'descriptor')}",
                                event, why, kick, new, moved)  # fmt: skip
    return summary, {**values, "kick": kick}


def _decision(
    side: str,
    other: str,
    after: str,
    event: EventSuppress,
    why: str,
    yes: bool,
    new: int,
    moved: int,
) -> tuple[str, dict[str, Value]]:
    """What either side says when it reads the other's event suppression structure."""
    return (
        f"The {side} reads the {other} event suppression structure ({event.describe()}) "
        f"after {after}: {why}, so it {'notifies' if yes else 'does not notify'} the {other}.",
        {"mode": event.mode_name, "event_flags": event.flags, "off": event.off,
         "wrap": event.wrap, "new": new, "moved": moved},
    )  # fmt: skip


@event_type("used_desc_empty", "driver", "data", "§2.8.22", GET_BUF)
def no_used_buffer(queue: int, slot: int, flags: int, wrap: int) -> Told:
    return (
        f"The driver reads queue {queue}'s slot {slot} flags 0x{flags:04x}: "
        f"not a used descriptor for wrap counter {wrap}, so nothing is ready on this "
        "queue.",
        {"slot": slot, "flags": flags, "used_wrap_counter": wrap},
    )


@event_type("chain_detach", "driver", "data", "§2.8.22", f"detach_buf_packed() {_LINUX}")
def used_buffer_reclaimed(
    slot: int, flags: int, buffer_id: int, length: int, count: int, next_used: int, wrap: int
) -> Told:
    return (
        f"The driver finds a used descriptor at slot {slot} (flags 0x{flags:04x}): buffer "
        f"{buffer_id}, {length} bytes written; it frees the id and skips "
        f"{plural(count, 'slot')} to slot {next_used}.",
        {"slot": slot, "flags": flags, "buffer_id": buffer_id, "len": length,
         "desc_count": count, "next_used": next_used, "used_wrap_counter": wrap},
    )  # fmt: skip


@event_type("driver_event_write", "driver", "notification", "§2.8.10", GET_BUF)
def used_event_moved(off: int, wrap: int) -> Told:
    return (
        f"The driver sets its event suppression desc to off {off}, wrap "
        f"{wrap}: it asks to hear about the next used buffer.",
        {"off": off, "wrap": wrap},
    )


@event_type(
    "driver_event_write", "driver", "notification", "§2.8.10",
    f"virtqueue_disable_cb_packed() {_LINUX}",
)  # fmt: skip
def interrupts_disabled(flags: int) -> Told:
    return (
        "The driver sets its event suppression flags to DISABLE: no used buffer "
        "notifications, it will poll.",
        {"mode": "DISABLE", "event_flags": flags},
    )


@event_type(
    "driver_event_write", "driver", "notification", "§2.8.10",
    f"virtqueue_enable_cb_prepare_packed() {_LINUX}",
)  # fmt: skip
def interrupts_enabled(event: EventSuppress, slot: int, pending: bool) -> Told:
    return (
        f"The driver re-enables used buffer notifications ({event.describe()}) and "
        f"re-checks slot {slot}: "
        f"{'a used buffer is already waiting' if pending else 'nothing used yet'}.",
        {"mode": event.mode_name, "event_flags": event.flags, "off": event.off,
         "wrap": event.wrap, "pending": pending},
    )  # fmt: skip


# -- device: taking available buffers (§2.8.12, §2.8.15) -------------------------------------
@event_type("avail_desc_empty", "device", "data", "§2.8.15", f"virtio_queue_packed_empty() {_QEMU}")
def no_available_desc(slot: int, flags: int, wrap: int) -> Told:
    return (
        f"The device reads slot {slot}'s flags 0x{flags:04x} "
        f"({flag_names(flags)}): not available for wrap counter {wrap}.",
        {"slot": slot, "flags": flags, "avail_wrap_counter": wrap},
    )


@event_type("desc_read", "device", "data", "§2.8.18", POP)
def desc_read(slot: int, fields: Fields, wrap: int) -> Told:
    desc = PackedDesc(*fields)
    return (
        f"The device reads descriptor slot {slot}: {desc.describe()}.",
        {**desc.values(), "slot": slot, "wrap": wrap},
    )


@event_type("indirect_desc_read", "device", "data", "§2.8.7", POP)
def indirect_desc_read(number: int, table: int, entry: PackedDesc) -> Told:
    return (
        f"The device reads indirect descriptor {number} of the table at "
        f"0x{table:x}: addr 0x{entry.addr:x}, len {entry.length}, "
        f"flags {flag_names(entry.flags)}.",
        {**entry.values(), "table_addr": table, "index": number},
    )


@event_type("chain_pop", "device", "data", "§2.8.12", POP)
def chain_popped(chain: Chain, head: int, next_avail: int, wrap: int) -> Told:
    return (
        f"The device takes buffer {chain.id}: {plural(len(chain.buffers), 'element')} in "
        f"{plural(chain.desc_count, 'ring slot')} from slot {head}; next it looks at slot "
        f"{next_avail} (wrap {wrap}).",
        {"buffer_id": chain.id, "head": head, "desc_count": chain.desc_count,
         "elements": len(chain.buffers), "writable_capacity": chain.writable_capacity,
         "next_avail": next_avail, "avail_wrap_counter": wrap},
    )  # fmt: skip


DEVICE_ERROR = _as_said("device_error", "device", "data", "§2.8.12", f"virtio_error() {_QEMU}")
QUEUE_BROKEN = _as_said("queue_broken", "device", "control", "§2.1.2", f"virtio_error() {_QEMU}")


# -- device: returning used buffers (§2.8.4, §2.8.6) ------------------------------------------
def _used_desc(slot: int, buffer_id: int, length: int, count: int, popped: bool) -> Told:
    never = "" if popped else f" (the device took no list with id {buffer_id})"
    return (
        f"The device writes a used descriptor at slot {slot}: id {buffer_id}, len {length}"
        f"{never}; its flags come last.",
        {"slot": slot, "buffer_id": buffer_id, "len": length, "desc_count": count,
         "popped": popped},
    )  # fmt: skip


used_desc_written: UsedDesc = EventType(
    "used_desc_write", "device", "data", "§2.8.4", FILL_DESC, _used_desc
)
raw_used_desc: UsedDesc = EventType(
    "lab_used_desc_write", "device", "data", "§2.8.4", "ring-lab: a buffer used by hand", _used_desc
)


@event_type("used_desc_flags_write", "device", "data", "§2.8.1", FILL_DESC)
def used_flags_written(
    slot: int, flags: int, buffer_id: int, count: int, next_used: int, wrap: int
) -> Told:
    names = flag_names(flags)
    return (
        f"The device sets slot {slot}'s flags to {names} (0x{flags:04x}): buffer "
        f"{buffer_id} is used; it skips {plural(count, 'slot')} to slot {next_used} "
        f"(wrap {wrap}).",
        {"slot": slot, "flags": flags, "flag_names": names, "buffer_id": buffer_id,
         "next_used": next_used, "used_wrap_counter": wrap},
    )  # fmt: skip


# -- device: notifications (§2.8.10) ---------------------------------------------------------
@event_type(
    "notify_check", "device", "notification", "§2.8.10",
    f"virtio_packed_should_notify() {_QEMU}",
)  # fmt: skip
def notify_checked(event: EventSuppress, moved: int, why: str, notify: bool, new: int) -> Told:
    summary, values = _decision("device", "driver", f"using {plural(moved, 'slot')}",
                                event, why, notify, new, moved)  # fmt: skip
    return summary, {**values, "notify": notify}


@event_type("device_event_write", "device", "notification", "§2.8.10", SET_NOTIFICATION)
def device_events_off(flags: int) -> Told:
    return (
        "The device sets its event suppression flags to DISABLE: no kicks, it will poll.",
        {"mode": "DISABLE", "event_flags": flags},
    )


@event_type("device_event_write", "device", "notification", "§2.8.10", SET_NOTIFICATION)
def device_events_on(event: EventSuppress) -> Told:
    return (
        f"The device asks for available buffer notifications again ({event.describe()}).",
        {"mode": event.mode_name, "event_flags": event.flags, "off": event.off,
         "wrap": event.wrap},
    )  # fmt: skip


RAW_DEVICE_EVENT = _as_said(
    "lab_device_event_write", "device", "notification", "§2.8.14",
    "ring-lab: event structure written by hand",
)  # fmt: skip
