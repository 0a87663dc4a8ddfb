"""The device-type half of a Linux-like virtio-blk driver (Linux: drivers/block/virtio_blk.c).

A request is framed as Linux frames it: the 16-byte header (device-readable), the data
(readable for writes, writable for reads) and the one-byte status (device-writable).
With VIRTIO_F_INDIRECT_DESC negotiated the three go into an indirect table, as Linux's
virtqueue_add_split() does for any request of more than one element.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from virtio_viz.model.devices.blk import (
    REQ_HEADER_SIZE,
    REQUESTQ1,
    VIRTIO_BLK_T_GET_ID,
    VIRTIO_BLK_T_IN,
    BlkRequestHeader,
)
from virtio_viz.model.driver.core import QueueWish, VirtioDriver
from virtio_viz.model.driver.ops import ConfigOps
from virtio_viz.model.features import bit
from virtio_viz.model.spec import DeviceId
from virtio_viz.model.virtqueue import Buffer

LINUX_BLK_FEATURES = sum(
    bit("VIRTIO_BLK_F_" + name)
    for name in (
        "SIZE_MAX", "SEG_MAX", "GEOMETRY", "RO", "BLK_SIZE", "FLUSH", "TOPOLOGY",
        "CONFIG_WCE", "MQ", "DISCARD", "WRITE_ZEROES", "SECURE_ERASE",
    )
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class BlkCompletion:
    head: int
    kind: int
    sector: int
    status: int
    data: bytes  # what a read or GET_ID returned


@dataclass(frozen=True, slots=True)
class _InFlight:
    kind: int
    sector: int
    header: int
    data: int
    data_len: int
    status: int
    table: int | None


@dataclass(slots=True)
class BlkDriver:
    device_id: int = DeviceId.BLOCK
    supported_features: int = LINUX_BLK_FEATURES
    reads_config_before_queues: bool = False
    capacity: int = 0
    block_size: int = 512
    in_flight: dict[int, _InFlight] = field(default_factory=dict)

    def queues(self, negotiated: int) -> list[QueueWish]:
        return [QueueWish(REQUESTQ1, "requestq1")]

    def read_config(self, ops: ConfigOps, negotiated: int) -> None:
        """§5.2.4: capacity (in 512-byte sectors) and, if offered, the block size."""
        ops.config_generation()
        self.capacity = ops.read_config(0, 4) | ops.read_config(4, 4) << 32
        if negotiated & bit("VIRTIO_BLK_F_BLK_SIZE"):
            self.block_size = ops.read_config(20, 4)
        ops.config_generation()

    def submit(self, core: VirtioDriver, kind: int, sector: int, data: bytes = b"", *,
               read_len: int = 0) -> int:  # fmt: skip
        """Queue one request; kick if needed. Returns the chain's head / buffer id."""
        reads = kind in (VIRTIO_BLK_T_IN, VIRTIO_BLK_T_GET_ID)
        data_len = read_len if reads else len(data)
        header = core.alloc.allocate(REQ_HEADER_SIZE, 16)
        data_addr = core.alloc.allocate(data_len, 512) if data_len else 0
        status = core.alloc.allocate(1, 16)
        core.memory.write(header, BlkRequestHeader(kind, sector).pack())
        if data and not reads:
            core.memory.write(data_addr, data)
        # §5.2.6: header (readable), data (readable for writes, writable for reads), status
        out, in_ = [Buffer(header, REQ_HEADER_SIZE)], [Buffer(status, 1, writable=True)]
        if data_len and reads:
            in_.insert(0, Buffer(data_addr, data_len, writable=True))
        elif data_len:
            out.append(Buffer(data_addr, data_len))
        table = None
        if core.negotiated & bit("VIRTIO_F_INDIRECT_DESC"):
            table = core.alloc.allocate(16 * (len(out) + len(in_)), 16)
        queue = core.queues[REQUESTQ1]
        head = queue.add_buffer(out, in_, indirect_table_addr=table)
        self.in_flight[head] = _InFlight(kind, sector, header, data_addr, data_len, status, table)
        if queue.kick_prepare():
            core.ops.notify(REQUESTQ1)
        return head

    def complete(self, core: VirtioDriver) -> list[BlkCompletion]:
        """Reap finished requests (Linux: virtblk_done())."""
        done: list[BlkCompletion] = []
        while (used := core.queues[REQUESTQ1].get_used()) is not None:
            request = self.in_flight.pop(used.id)
            status = core.memory.read_u8(request.status)
            data = b""
            if request.kind in (VIRTIO_BLK_T_IN, VIRTIO_BLK_T_GET_ID) and request.data_len:
                data = core.memory.read(request.data, request.data_len)
            done.append(BlkCompletion(used.id, request.kind, request.sector, status, data))
            self._free(core, request)
        return done

    @staticmethod
    def _free(core: VirtioDriver, request: _InFlight) -> None:
        core.alloc.free(request.header, REQ_HEADER_SIZE)
        core.alloc.free(request.status, 1)
        if request.data_len:
            core.alloc.free(request.data, request.data_len)
        if request.table is not None:
            core.alloc.free(request.table, 16 * 3 if request.data_len else 16 * 2)
