"""Ask QEMU over QMP for its own view of the virtqueues while the guest waits.

How this works: the trace has no ring indices; QEMU's `x-query-virtio-*` commands do.
When the guest marks `S` (idle), `snapshot()` lists the virtio devices and, for each,
asks for its status, every queue's indices and the elements around `last_avail_idx`:
the next one the device would take and the last three it took. Then `throttle()` limits
the disk to one request per second, so that the read the guest starts at `T` stays in
flight for a moment; `in_flight()` waits until QEMU holds a request (`inuse` > 0) and
asks for those elements, and `throttle(0)` lets the read finish. Every command and its
reply (or error) is kept as a record `{"command", "time", "reply"}`, the format
qemu_trace/qmp.py imports; `time` is the host's clock, the one `-msg timestamp=on`
stamps the trace with, so the importer can place each reply among the trace's steps.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from qemu.qmp import ExecuteError, QMPClient

Record = dict[str, Any]
EARLIER_ELEMENTS = 3  # used elements to show before last_avail_idx
BLK_PATH = "/machine/peripheral/blk0/virtio-backend"


class QmpCapture:
    def __init__(self, client: QMPClient) -> None:
        self.client = client
        self.files: dict[str, list[Record]] = {}  # file stem -> records, in order
        self.no_elements: set[str] = set()  # devices whose elements QEMU cannot show

    async def execute(self, stem: str, command: str, arguments: Record | None = None) -> Any:
        """Run one command and keep its record under `stem`: the result, None on an error."""
        sent: Record = {"execute": command, **({"arguments": arguments} if arguments else {})}
        try:
            result = await self.client.execute(command, arguments)
            reply: Record = {"return": result}
        except ExecuteError as error:
            result = None
            reply = {"error": {"class": error.error_class, "desc": str(error)}}
        self.files.setdefault(stem, []).append(
            {"command": sent, "time": time.time(), "reply": reply}
        )
        return result

    async def snapshot(self) -> None:
        devices = await self.execute("x-query-virtio", "x-query-virtio") or []
        for device in devices:
            path, stem = str(device["path"]), str(device["name"])
            status = await self.execute(stem, "x-query-virtio-status", {"path": path}) or {}
            for queue in range(int(status.get("num-vqs", 0))):
                await self._queue(stem, path, queue)

    async def _queue(self, stem: str, path: str, queue: int) -> None:
        where = {"path": path, "queue": queue}
        state = await self.execute(stem, "x-query-virtio-queue-status", where)
        if not state or stem in self.no_elements:
            return
        if await self.execute(stem, "x-query-virtio-queue-element", where) is None:
            self.no_elements.add(stem)  # QEMU 7.2: "Packed ring not supported"; asked once
            return
        last = int(state["last-avail-idx"])
        for back in range(1, min(EARLIER_ELEMENTS, last) + 1):
            index = (last - back) % 0x10000
            await self.execute(stem, "x-query-virtio-queue-element", {**where, "index": index})

    async def throttle(self, iops: int) -> None:
        arguments = {
            "id": BLK_PATH, "bps": 0, "bps_rd": 0, "bps_wr": 0,
            "iops": iops, "iops_rd": 0, "iops_wr": 0,
        }  # fmt: skip
        await self.execute("virtio-blk-inflight", "block_set_io_throttle", arguments)

    async def in_flight(self, patience: float = 3.0) -> None:
        """Once the disk's queue holds a request, the queue and the elements in flight."""
        where = {"path": BLK_PATH, "queue": 0}
        deadline = time.monotonic() + patience
        while time.monotonic() < deadline:
            peek: Any = await self.client.execute("x-query-virtio-queue-status", where)
            if int(peek["inuse"]) > 0:
                break
            await asyncio.sleep(0.05)
        state = await self.execute("virtio-blk-inflight", "x-query-virtio-queue-status", where)
        if not state or "virtio-blk" in self.no_elements:
            return
        last, inuse = int(state["last-avail-idx"]), int(state["inuse"])
        for index in range(last - inuse, last):
            arguments = {**where, "index": index % 0x10000}
            await self.execute("virtio-blk-inflight", "x-query-virtio-queue-element", arguments)
