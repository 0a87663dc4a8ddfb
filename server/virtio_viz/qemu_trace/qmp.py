"""QEMU's own view of its virtqueues, from QMP replies, as steps and a header section.

A trace has no ring indices; QEMU's `x-query-virtio-queue-status` and
`x-query-virtio-queue-element` do. A QMP file is a JSON list of records
`{"command": {"execute": ..., "arguments": ...}, "time": SECONDS, "reply": {"return": ...}}`
(a single record, or a bare `{"return": ...}` reply, works too). Each useful reply
becomes a `QmpReply`; export.py places it among the trace's steps by its time and lets
it fill in the queue's indices. QEMU lists an element's descriptors last one first;
`descs` here is in chain order, head first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from virtio_viz.qemu_trace.errors import TraceImportError
from virtio_viz.qemu_trace.parse import read_trace

MAX_QMP_BYTES = 16 * 1024 * 1024
Kind = Literal["devices", "status", "queue_status", "element"]


@dataclass(frozen=True, slots=True)
class QmpReply:
    kind: Kind
    time: float | None
    device: str
    queue: int | None
    data: dict[str, Any]
    source: str
    record: int

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "time": self.time, "device": self.device, "queue": self.queue,
            "source": self.source, "record": self.record, **self.data,
        }  # fmt: skip


def load_qmp(path: Path, max_bytes: int = MAX_QMP_BYTES) -> list[QmpReply]:
    text = read_trace(path, max_bytes)  # the same bounded read as a trace file
    try:
        return parse_qmp(text, source=path.name)
    except TraceImportError as error:
        raise error.located(str(path)) from None


def parse_qmp(text: str, source: str = "<qmp>") -> list[QmpReply]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise TraceImportError(f"not JSON: {error.msg}", line=error.lineno) from None
    except RecursionError:
        raise TraceImportError("not JSON: nested too deeply") from None
    records = document if isinstance(document, list) else [document]
    replies: list[QmpReply] = []
    for number, record in enumerate(records):
        if not isinstance(record, dict):
            raise TraceImportError(f"record {number}: not a JSON object")
        reply = _record(record, number, source)
        if reply is not None:
            replies.append(reply)
    return replies


def _record(record: dict[str, Any], number: int, source: str) -> QmpReply | None:
    command = record.get("command")
    command = command if isinstance(command, dict) else {}
    arguments = command.get("arguments")
    arguments = arguments if isinstance(arguments, dict) else {}
    reply = record.get("reply", record)
    result = reply.get("return") if isinstance(reply, dict) else None
    time = record.get("time")
    when = float(time) if isinstance(time, int | float) and not isinstance(time, bool) else None
    where = f"record {number}"
    try:
        if isinstance(result, list) and all(isinstance(r, dict) and "path" in r for r in result):
            devices = [{"name": str(r.get("name")), "path": str(r["path"])} for r in result]
            return QmpReply("devices", when, "", None, {"devices": devices}, source, number)
        if not isinstance(result, dict):
            return None
        if "vring-num" in result:
            return _queue_status(result, when, source, number)
        if "descs" in result:
            return _element(result, arguments, when, source, number)
        if "device-id" in result and "status" in result:
            return _status(result, when, source, number)
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        raise TraceImportError(f"{where}: unexpected reply ({error})") from None
    return None


def _int(obj: dict[str, Any], key: str) -> int:
    value = obj[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{key} is not a number")
    return value


def _names(items: object) -> list[str]:
    if not isinstance(items, list):
        return []
    return [str(item).split(":", 1)[0] for item in items]


def _queue_status(r: dict[str, Any], when: float | None, source: str, n: int) -> QmpReply:
    data = {
        "size": _int(r, "vring-num"),
        "desc": _int(r, "vring-desc"),
        "avail": _int(r, "vring-avail"),
        "used": _int(r, "vring-used"),
        "last_avail_idx": _int(r, "last-avail-idx"),
        "used_idx": _int(r, "used-idx"),
        "shadow_avail_idx": _int(r, "shadow-avail-idx"),
        "inuse": _int(r, "inuse"),
        "signalled_used": r.get("signalled-used"),
    }
    return QmpReply("queue_status", when, str(r["name"]), _int(r, "queue-index"), data, source, n)


def _element(
    r: dict[str, Any], args: dict[str, Any], when: float | None, source: str, n: int
) -> QmpReply:
    descs = []
    for desc in reversed(r["descs"]):  # QEMU lists the chain last piece first
        flags = [str(f) for f in desc.get("flags", [])]
        descs.append({"addr": _int(desc, "addr"), "len": _int(desc, "len"), "flags": flags})
    avail, used = r.get("avail") or {}, r.get("used") or {}
    queue = args.get("queue")
    position = args.get("index")
    data = {
        "head": _int(r, "index"),
        "position": position if isinstance(position, int) else None,
        "descs": descs,
        "avail_idx": avail.get("idx"),
        "avail_flags": avail.get("flags"),
        "avail_ring": avail.get("ring"),
        "used_idx": used.get("idx"),
        "used_flags": used.get("flags"),
    }
    q = queue if isinstance(queue, int) and not isinstance(queue, bool) else None
    return QmpReply("element", when, str(r["name"]), q, data, source, n)


def _status(r: dict[str, Any], when: float | None, source: str, n: int) -> QmpReply:
    status = r.get("status") or {}
    guest = r.get("guest-features") or {}
    host = r.get("host-features") or {}
    data = {
        "device_id": _int(r, "device-id"),
        "status": _names(status.get("statuses") if isinstance(status, dict) else None),
        "guest_features": _names(guest.get("dev-features")) + _names(guest.get("transports")),
        "host_features": _names(host.get("dev-features")) + _names(host.get("transports")),
        "num_vqs": r.get("num-vqs"),
        "broken": r.get("broken"),
        "started": r.get("started"),
    }
    return QmpReply("status", when, str(r["name"]), None, data, source, n)
