"""QMP replies as steps: what QEMU itself reports about a device or a queue at that moment.

A queue-status reply gives the queue its real indices (shown from then on instead of
null), and the step says whether they agree with what the trace counted since the queue
was enabled. An element reply shows one descriptor chain, head first.
"""

from __future__ import annotations

from virtio_viz.model.index16 import distance16, wrap16
from virtio_viz.qemu_trace.context import Context, Step, Value
from virtio_viz.qemu_trace.qmp import QmpReply
from virtio_viz.qemu_trace.registers import queue_name

_ANALOG = {
    "status": "x-query-virtio-status (QMP) in QEMU",
    "queue_status": "x-query-virtio-queue-status (QMP) in QEMU",
    "element": "x-query-virtio-queue-element (QMP) in QEMU",
}
_SPEC = {"status": "§2.1", "queue_status": "§2.7", "element": "§2.7.5"}


def qmp_step(reply: QmpReply, ctx: Context) -> Step | None:
    if reply.kind == "devices":
        return None
    dev = ctx.devices.get(reply.device)
    label = reply.device
    if reply.queue is not None and dev is not None:
        label = f"queue {reply.queue} ({queue_name(dev.dev_id, reply.queue, dev.num_queues)}) "
        label += f"of {reply.device}"
    elif reply.queue is not None:
        label = f"queue {reply.queue} of {reply.device}"
    values: dict[str, Value] = {"qmp_source": reply.source, "qmp_record": reply.record}
    if reply.kind == "status":
        summary = _status(reply, values)
    elif reply.kind == "queue_status":
        summary = _queue_status(reply, ctx, label, values)
    else:
        summary = _element(reply, ctx, label, values)
    if reply.time is not None:
        values["time"] = f"{reply.time:.6f}"
    return Step(
        line=0, time=reply.time, phase=ctx.phase, kind=f"qmp_{reply.kind}", actor="qemu",
        plane="control", spec=_SPEC[reply.kind], analog=_ANALOG[reply.kind],
        summary=summary, device=reply.device, queue=reply.queue, values=values,
        box="device-model",
    )  # fmt: skip


def _status(reply: QmpReply, values: dict[str, Value]) -> str:
    data = reply.data
    status = "|".join(s.removeprefix("VIRTIO_CONFIG_S_") for s in data["status"]) or "0"
    values.update(
        status=status, num_vqs=data.get("num_vqs"), guest_features=len(data["guest_features"])
    )
    return (
        f"QEMU reports {reply.device}: status {status}, {data.get('num_vqs')} queues, "
        f"{len(data['guest_features'])} named features in force"
    )


def _queue_status(reply: QmpReply, ctx: Context, label: str, values: dict[str, Value]) -> str:
    data = reply.data
    last_avail, used, shadow = data["last_avail_idx"], data["used_idx"], data["shadow_avail_idx"]
    values.update(last_avail_idx=last_avail, used_idx=used, shadow_avail_idx=shadow,
                  inuse=data["inuse"], size=data["size"])  # fmt: skip
    summary = (
        f"QEMU reports {label}: last_avail_idx {last_avail}, used_idx {used}, its copy of "
        f"avail.idx {shadow}, {data['inuse']} element{'s' if data['inuse'] != 1 else ''} in use"
    )
    dev = ctx.devices.get(reply.device)
    if dev is None or reply.queue is None:
        return summary
    q = dev.queue(reply.queue)
    q.qmp = {**(q.qmp or {}), "last_avail_idx": last_avail, "used_idx": used,
             "shadow_avail_idx": shadow, "inuse": data["inuse"]}  # fmt: skip
    agree = wrap16(q.pops) == last_avail and wrap16(q.used) == used
    values["trace_agrees"] = agree
    counted = f"the trace counted {q.pops} pops and {q.used} used since the queue was enabled"
    return summary + (f"; {counted}, which agrees" if agree else f"; {counted}, which differs")


def _element(reply: QmpReply, ctx: Context, label: str, values: dict[str, Value]) -> str:
    data = reply.data
    chain = " -> ".join(
        f"{d['addr']:#x} len {d['len']} ({'|'.join(d['flags']) or 'read'})" for d in data["descs"]
    )
    values.update(head=data["head"], descriptors=len(data["descs"]), chain=chain,
                  avail_idx=data["avail_idx"], used_idx=data["used_idx"])  # fmt: skip
    dev = ctx.devices.get(reply.device)
    known: dict[str, object] = {}
    size = None
    if dev is not None and reply.queue is not None:
        q = dev.queue(reply.queue)
        q.qmp = {**(q.qmp or {}), "avail_idx": data["avail_idx"], "used_idx": data["used_idx"]}
        known, size = q.qmp, q.size
    position = data["position"]
    if position is None and isinstance(known.get("last_avail_idx"), int):
        position = known["last_avail_idx"]  # with no index QEMU shows the next to take
    where = f" at ring position {position}" if position is not None else ""
    standing = _standing(position, known, size)
    values["standing"] = standing
    return (
        f"QEMU shows the element{where} of {label}: head descriptor {data['head']}, "
        f"chain {chain}; avail.idx {data['avail_idx']}, used.idx {data['used_idx']}"
        + (f"; {_STANDING[standing]}" if standing else "")
    )


_STANDING = {
    "not_available": "the driver has not made this slot available, so these are left-over "
    "bytes of an earlier use",
    "waiting": "the driver made it available and the device has not taken it yet",
    "in_flight": "the device took it and has not returned it yet",
    "used": "the device already returned it; the descriptors may hold a newer chain",
}


def _standing(position: object, known: dict[str, object], size: int | None) -> str:
    """Where ring position `position` stands between used.idx, last_avail_idx, avail.idx."""
    avail, last, used = known.get("avail_idx"), known.get("last_avail_idx"), known.get("used_idx")
    if not (isinstance(position, int) and isinstance(avail, int) and size):
        return ""
    ahead = distance16(avail, position)
    if ahead == 0 or ahead > size:
        return "not_available"
    if not isinstance(last, int):
        return ""
    if distance16(last, position) == 0 or distance16(last, position) > size:
        return "waiting"
    if isinstance(used, int) and 0 < distance16(used, position) <= size:
        return "used"
    return "in_flight"
