"""The events of a split virtqueue's data path, and what each one says.

Each `event_type` fixes an event's kind, actor, plane, spec section and real-software
analog; the function under it puts one occurrence into words (its summary and values)
from the values it was noted with. The words are only made when someone reads the event
(model/events.py), so these functions must depend on their arguments alone. A buffer's
trip through the ring (add, publish, kick check, pop, walk, use, notify check, reclaim)
and the suppression switches are told from here; setup, errors and the ring lab's raw
writes record their events directly.
"""

from __future__ import annotations

from virtio_viz.model.events import EventType, Told, event_type
from virtio_viz.model.spec import VIRTQ_AVAIL_F_NO_INTERRUPT
from virtio_viz.model.split.descriptor import Descriptor, Fields
from virtio_viz.model.virtqueue import Chain

ADD = "virtqueue_add_split() in Linux"
KICK_PREPARE = "virtqueue_kick_prepare_split() in Linux"
GET_BUF = "virtqueue_get_buf_ctx_split() in Linux"
DISABLE_CB = "virtqueue_disable_cb_split() in Linux"
ENABLE_CB = "virtqueue_enable_cb_prepare_split() + virtqueue_poll() in Linux"
POP = "virtqueue_split_pop() in QEMU"
PUSH = "virtqueue_fill() + virtqueue_flush() in QEMU"
SHOULD_NOTIFY = "virtio_split_should_notify() in QEMU"
SET_NOTIFICATION = "virtio_queue_split_set_notification() in QEMU"
DEVICE_LAB = "ring-lab: the user acts as the device"


# -- driver: supplying buffers (§2.7.13) ----------------------------------------------------
@event_type("desc_write", "driver", "data", "§2.7.13.1", ADD)
def desc_write(index: int, fields: Fields) -> Told:
    desc = Descriptor(*fields)
    summary = f"The driver writes descriptor {index}: {desc.describe()}"
    return summary, {"index": index, **desc.values()}


@event_type(
    "indirect_desc_write", "driver", "data", "§2.7.5.3",
    "virtqueue_add_split() in Linux (indirect table)",
)  # fmt: skip
def indirect_desc_write(table: int, position: int, entry: Descriptor) -> Told:
    return (
        f"The driver writes entry {position} of the indirect table at 0x{table:x}: "
        f"{entry.describe()}",
        {"table": table, "entry": position, **entry.values()},
    )


@event_type("avail_ring_write", "driver", "data", "§2.7.13.2", ADD)
def avail_ring_write(slot: int, head: int) -> Told:
    return f"The driver puts head {head} into avail.ring[{slot}]", {"slot": slot, "head": head}


@event_type(
    "avail_idx_publish", "driver", "data", "§2.7.13.3",
    "virtqueue_add_split() in Linux (virtio_wmb, then avail->idx)",
)  # fmt: skip
def avail_idx_publish(old: int, idx: int, head: int) -> Told:
    return (
        f"After a write barrier the driver moves avail.idx from {old} to {idx}: "
        f"head {head} is now visible to the device",
        {"old": old, "idx": idx, "head": head},
    )


# -- driver: available buffer notifications (§2.7.10, §2.7.13.4) ------------------------------
@event_type("kick_check", "driver", "notification", "§2.7.10", KICK_PREPARE)
def nothing_to_kick() -> Told:
    return "Nothing was added since the last kick: no notify", {}


def _kick_verdict(added: int, why: str, kick: bool) -> str:
    verdict = "must notify the device" if kick else "may skip the notification"
    return f"The driver added {added} buffer(s); {why}, so it {verdict}"


@event_type("kick_check", "driver", "notification", "§2.7.10", KICK_PREPARE)
def kick_by_avail_event(added: int, event: int, old: int, new: int, kick: bool) -> Told:
    why = f"avail_event {event} {'is' if kick else 'is not'} in [{old}, {new})"
    values = {"avail_event": event, "old": old, "new": new, "added": added, "kick": kick}
    return _kick_verdict(added, why, kick), values


@event_type("kick_check", "driver", "notification", "§2.7.10", KICK_PREPARE)
def kick_by_used_flags(added: int, flags: int, old: int, new: int, kick: bool) -> Told:
    values = {"used_flags": flags, "old": old, "new": new, "added": added, "kick": kick}
    return _kick_verdict(added, f"used.flags is {flags}", kick), values


# -- driver: reclaiming used buffers (§2.7.14) -------------------------------------------------
@event_type("used_ring_empty", "driver", "data", "§2.7.14", GET_BUF)
def used_ring_empty(queue: int, used_idx: int, last_used_idx: int) -> Told:
    return (
        f"The driver reads queue {queue}'s used.idx {used_idx}, equal to its "
        "last_used_idx: nothing new on this queue",
        {"used_idx": used_idx, "last_used_idx": last_used_idx},
    )


@event_type("used_elem_read", "driver", "data", "§2.7.8", GET_BUF)
def used_elem_read(used_idx: int, last_used_idx: int, slot: int, head: int, length: int) -> Told:
    return (
        f"The driver sees used.idx {used_idx} ahead of last_used_idx {last_used_idx} "
        f"and reads used.ring[{slot}]: id {head}, len {length}",
        {"used_idx": used_idx, "slot": slot, "id": head, "len": length},
    )


@event_type("chain_detach", "driver", "data", "§2.7.14", "detach_buf_split() in Linux")
def chain_detach(head: int, tail: int, count: int, tail_next: int, free: int) -> Told:
    return (
        f"The driver puts chain {head} ({count} descriptor(s)) back at the front of its "
        f"private free list: descriptor {tail} now leads to {tail_next}, free_head {head}, "
        f"{free} free; the ring is not written",
        {"head": head, "tail": tail, "count": count},
    )


# -- driver: used buffer notification suppression (§2.7.7) --------------------------------
def _used_event(value: int, event_idx: bool, why: str) -> Told:
    # virtio-1.2 §2.7.7.2: without EVENT_IDX the device ignores the value (N52)
    note = "" if event_idx else " (without EVENT_IDX the device ignores it)"
    return f"The driver sets used_event to {value}: it {why}{note}", {"used_event": value}


@event_type("used_event_write", "driver", "notification", "§2.7.7", GET_BUF)
def used_event_after_reclaim(value: int, event_idx: bool) -> Told:
    return _used_event(value, event_idx, "asks to hear about the next one")


@event_type("used_event_write", "driver", "notification", "§2.7.7", DISABLE_CB)
def used_event_disable(value: int, event_idx: bool) -> Told:
    return _used_event(value, event_idx, "will hear nothing until used.idx passes 0")


@event_type("used_event_write", "driver", "notification", "§2.7.7", ENABLE_CB)
def used_event_enable(value: int, event_idx: bool) -> Told:
    return _used_event(value, event_idx, "re-arms it")


@event_type("avail_flags_write", "driver", "notification", "§2.7.7", DISABLE_CB)
def no_interrupt_set() -> Told:
    return (
        "The driver sets avail.flags to NO_INTERRUPT: please do not interrupt",
        {"flags": VIRTQ_AVAIL_F_NO_INTERRUPT},
    )


@event_type("avail_flags_write", "driver", "notification", "§2.7.7", ENABLE_CB)
def no_interrupt_cleared() -> Told:
    return "The driver clears avail.flags: notify me about used buffers again", {"flags": 0}


@event_type("used_ring_poll", "driver", "notification", "§2.7.7", ENABLE_CB)
def used_ring_poll(used_idx: int, last_used_idx: int, pending: bool) -> Told:
    return (
        f"After a barrier the driver re-reads used.idx {used_idx} against last_used_idx "
        f"{last_used_idx}: " + ("buffers already wait" if pending else "none waiting"),
        {"used_idx": used_idx, "last_used_idx": last_used_idx},
    )


# -- device: available buffers (§2.7.14) -------------------------------------------------------
@event_type("avail_idx_read", "device", "data", "§2.7.14", "virtio_queue_empty() in QEMU")
def avail_idx_read(idx: int, last_avail_idx: int, waiting: int) -> Told:
    return (
        f"The device reads avail.idx {idx}; last_avail_idx is {last_avail_idx}: "
        f"{waiting} buffer(s) waiting",
        {"idx": idx, "last_avail_idx": last_avail_idx, "waiting": waiting},
    )


@event_type("avail_ring_read", "device", "data", "§2.7.14", POP)
def avail_ring_read(slot: int, head: int, last_avail_idx: int) -> Told:
    return (
        f"The device reads avail.ring[{slot}] (last_avail_idx {last_avail_idx}): head {head}",
        {"slot": slot, "head": head, "last_avail_idx": last_avail_idx},
    )


@event_type("desc_read", "device", "data", "§2.7.5", POP)
def desc_read(index: int, fields: Fields) -> Told:
    desc = Descriptor(*fields)
    summary = f"The device reads descriptor {index}: {desc.describe()}"
    return summary, {"index": index, **desc.values()}


@event_type("indirect_desc_read", "device", "data", "§2.7.5.3", POP)
def indirect_desc_read(table: int, index: int, fields: Fields) -> Told:
    desc = Descriptor(*fields)
    return (
        f"The device reads entry {index} of the indirect table at 0x{table:x}: {desc.describe()}",
        {"index": index, **desc.values(), "table": table},
    )


@event_type("desc_read", "device", "data", "§2.7.5.3.2", POP)
def indirect_table_found(where: str, index: int, desc: Descriptor, entries: int) -> Told:
    ignored = " (its WRITE flag is ignored, N46)" if desc.writable else ""
    return (
        f"The device reads {where}: INDIRECT, a table of {entries} descriptors at "
        f"0x{desc.addr:x}{ignored}",
        {"index": index, **desc.values(), "entries": entries},
    )


@event_type("chain_pop", "device", "data", "§2.7.14", POP)
def chain_pop(chain: Chain, last_avail_idx: int) -> Told:
    writable = chain.writable
    return (
        f"The device takes chain {chain.id}: {len(chain.buffers) - len(writable)} readable and "
        f"{len(writable)} writable element(s), {sum(b.length for b in writable)} bytes "
        f"writable; last_avail_idx is now {last_avail_idx}",
        {"head": chain.id, "last_avail_idx": last_avail_idx, "desc_count": chain.desc_count},
    )


# -- device: used buffers (§2.7.8) --------------------------------------------------------
@event_type("used_push_dropped", "device", "data", "§2.1.2", PUSH)
def used_push_dropped(queue: int, buffer_id: int) -> Told:
    return f"Queue {queue} is broken: buffer {buffer_id} is not returned", {"id": buffer_id}


def _used_elem(slot: int, head: int, length: int, popped: bool) -> Told:
    never = "" if popped else f" ({head} is no head the device took: the driver checks ids)"
    return (
        f"The device writes used.ring[{slot}]: id {head}, len {length}{never}",
        {"slot": slot, "id": head, "len": length, "popped": popped},
    )


def _used_idx(old: int, idx: int, head: int) -> Told:
    return (
        f"After a write barrier the device moves used.idx from {old} to {idx}: "
        f"buffer {head} is back with the driver",
        {"old": old, "idx": idx, "id": head},
    )


# the same two steps, as QEMU's device takes them and as the ring lab's user does
used_elem_write = EventType("used_elem_write", "device", "data", "§2.7.8", PUSH, _used_elem)
used_idx_publish = EventType("used_idx_publish", "device", "data", "§2.7.8.2", PUSH, _used_idx)
lab_used_elem_write = EventType(
    "used_elem_write", "device", "data", "§2.7.8", DEVICE_LAB, _used_elem
)
lab_used_idx_publish = EventType(
    "used_idx_publish", "device", "data", "§2.7.8.2", DEVICE_LAB, _used_idx
)


# -- device: used buffer notifications (§2.7.7.2) ------------------------------------------
@event_type("notify_check", "device", "notification", "§2.7.7.2", SHOULD_NOTIFY)
def nothing_to_notify(broken: bool, used_idx: int) -> Told:
    why = "the queue is broken" if broken else "nothing was used since the last check"
    return f"No notification: {why}", {"used_idx": used_idx}


def _notify_verdict(old: int, new: int, why: str, notify: bool) -> str:
    verdict = "must notify the driver" if notify else "should not notify"
    return f"used.idx moved from {old} to {new}; {why}, so the device {verdict}"


@event_type("notify_check", "device", "notification", "§2.7.7.2", SHOULD_NOTIFY)
def notify_by_used_event(event: int, old: int, new: int, notify: bool) -> Told:
    why = f"used_event {event} {'is' if notify else 'is not'} in [{old}, {new})"
    values = {"used_event": event, "old": old, "new": new, "notify": notify}
    return _notify_verdict(old, new, why, notify), values


@event_type("notify_check", "device", "notification", "§2.7.7.2", SHOULD_NOTIFY)
def notify_by_avail_flags(flags: int, old: int, new: int, notify: bool) -> Told:
    values = {"avail_flags": flags, "old": old, "new": new, "notify": notify}
    return _notify_verdict(old, new, f"avail.flags is {flags}", notify), values


# -- device: available buffer notification suppression (§2.7.10) ---------------------------
@event_type("avail_event_write", "device", "notification", "§2.7.10", POP)
def avail_event_after_pop(value: int) -> Told:
    return (
        f"The device sets avail_event to {value}: it asks for a kick when the driver adds past it",
        {"avail_event": value},
    )


@event_type("avail_event_write", "device", "notification", "§2.7.10", SET_NOTIFICATION)
def avail_event_enable(value: int) -> Told:
    return (
        f"The device sets avail_event to {value}: it asks for a kick for the next buffer",
        {"avail_event": value},
    )


@event_type("notifications_disabled", "device", "notification", "§2.7.10", SET_NOTIFICATION)
def notifications_disabled(last_avail_idx: int) -> Told:
    return (
        "The device stops updating avail_event while it polls the ring",
        {"last_avail_idx": last_avail_idx},
    )


@event_type("used_flags_write", "device", "notification", "§2.7.10", SET_NOTIFICATION)
def used_flags_write(value: int, why: str) -> Told:
    return f"The device sets used.flags to {value}: {why}", {"flags": value}
