"""virtio-blk, the device side (virtio-1.2 §5.2).

How this works: one request queue (requestq1 = 0). A request is one chain: a 16-byte
device-readable header {le32 type, le32 reserved, le64 sector}, then the data (readable
for writes, writable for reads), then one device-writable status byte at the very end
(§5.2.6). Sectors are always 512 bytes, whatever `blk_size` says. The backing disk is a
bytearray; the used length is every byte the device wrote: data plus the status byte.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from virtio_viz.model.device import VirtioDevice
from virtio_viz.model.events import EventLog
from virtio_viz.model.memory import GuestMemory
from virtio_viz.model.spec import DeviceId
from virtio_viz.model.virtqueue import Chain, DeviceQueue

REQUESTQ1 = 0
SECTOR_SIZE = 512  # §5.2.6: sector numbers are in 512-byte units
REQ_HEADER_SIZE = 16
ID_BYTES = 20  # §5.2.6: GET_ID answers 20 bytes

VIRTIO_BLK_T_IN = 0
VIRTIO_BLK_T_OUT = 1
VIRTIO_BLK_T_FLUSH = 4
VIRTIO_BLK_T_GET_ID = 8
VIRTIO_BLK_T_DISCARD = 11
VIRTIO_BLK_T_WRITE_ZEROES = 13
VIRTIO_BLK_S_OK, VIRTIO_BLK_S_IOERR, VIRTIO_BLK_S_UNSUPP = 0, 1, 2

REQUEST_NAMES = {
    VIRTIO_BLK_T_IN: "IN (read)",
    VIRTIO_BLK_T_OUT: "OUT (write)",
    VIRTIO_BLK_T_FLUSH: "FLUSH",
    VIRTIO_BLK_T_GET_ID: "GET_ID",
    VIRTIO_BLK_T_DISCARD: "DISCARD",
    VIRTIO_BLK_T_WRITE_ZEROES: "WRITE_ZEROES",
}
STATUS_NAMES = {VIRTIO_BLK_S_OK: "OK", VIRTIO_BLK_S_IOERR: "IOERR", VIRTIO_BLK_S_UNSUPP: "UNSUPP"}

# What QEMU 7.2's virtio-blk-pci offered in shared/traces/qemu-split (0x101 / 0x30006e54):
# VERSION_1, RING_RESET, INDIRECT_DESC, EVENT_IDX, SEG_MAX, GEOMETRY, BLK_SIZE, FLUSH,
# TOPOLOGY, CONFIG_WCE, DISCARD, WRITE_ZEROES.
QEMU_BLK_FEATURES = 0x0000_0101_3000_6E54

_HEADER = struct.Struct("<IIQ")
_SEGMENT = struct.Struct("<QII")  # discard / write-zeroes segment, §5.2.6


@dataclass(frozen=True, slots=True)
class BlkRequestHeader:
    """struct virtio_blk_req's header (uapi: virtio_blk_outhdr), §5.2.6."""

    type: int
    sector: int
    reserved: int = 0

    def pack(self) -> bytes:
        return _HEADER.pack(self.type, self.reserved, self.sector)

    @classmethod
    def unpack(cls, data: bytes) -> BlkRequestHeader:
        kind, reserved, sector = _HEADER.unpack(data[:REQ_HEADER_SIZE])
        return cls(type=kind, sector=sector, reserved=reserved)


@dataclass(slots=True)
class BlkDevice:
    """Device-type logic for virtio-blk over an in-memory disk image."""

    memory: GuestMemory
    log: EventLog
    disk: bytearray = field(default_factory=lambda: bytearray(4 * 1024 * 1024))
    serial: bytes = b"virtio-viz-disk"
    read_only: bool = False
    offered: int = QEMU_BLK_FEATURES
    queue_sizes: tuple[int, ...] = (256,)
    negotiated: int = 0
    flushes: int = 0
    writeback: int = 1

    device_id = DeviceId.BLOCK

    @property
    def capacity(self) -> int:
        """Disk size in 512-byte sectors."""
        return len(self.disk) // SECTOR_SIZE

    def config_space(self) -> bytes:
        """§5.2.4: capacity, size_max, seg_max, geometry, blk_size, topology, writeback."""
        return (
            struct.pack("<QII", self.capacity, 0, 254)
            + struct.pack("<HBB", 0, 0, 0)  # geometry: cylinders, heads, sectors
            + struct.pack("<I", SECTOR_SIZE)
            + struct.pack("<BBHI", 0, 0, 0, 0)  # topology
            + bytes([self.writeback, 0])  # writeback, unused0
            + struct.pack("<H", 1)  # num_queues
        )

    def write_config(self, offset: int, data: bytes) -> None:
        """Only `writeback` (offset 32) is writable, with VIRTIO_BLK_F_CONFIG_WCE (§5.2.4)."""
        if offset == 32 and len(data) == 1:
            self.writeback = data[0] & 1

    def reset(self) -> None:
        self.negotiated = 0

    def handle_queue(self, device: VirtioDevice, queue_index: int) -> None:
        ring = device.live_queue(queue_index)
        if ring is not None:
            self.process(ring)

    def process(self, requestq: DeviceQueue) -> int:
        """Serve every queued request in order; return how many completed."""
        done = 0
        while requestq.has_available():
            chain = requestq.pop()
            if chain is None:
                break
            self._serve(requestq, chain)
            done += 1
        return done

    def _serve(self, requestq: DeviceQueue, chain: Chain) -> None:
        readable = chain.read_all(self.memory)
        room = chain.writable_capacity
        if len(readable) < REQ_HEADER_SIZE or room < 1:
            self._complete(
                requestq, chain, None, data=b"", status=VIRTIO_BLK_S_IOERR, what="malformed request"
            )
            return
        header = BlkRequestHeader.unpack(readable)
        payload = readable[REQ_HEADER_SIZE:]
        data, status, what = self._execute(header, payload, room - 1)
        self._complete(requestq, chain, header, data=data, status=status, what=what)

    def _execute(
        self, header: BlkRequestHeader, payload: bytes, room: int
    ) -> tuple[bytes, int, str]:
        """Run one request; return (bytes for the guest, status, what happened)."""
        kind, sector = header.type, header.sector
        if kind == VIRTIO_BLK_T_IN:
            if room % SECTOR_SIZE or not self._in_range(sector, room):
                return b"", VIRTIO_BLK_S_IOERR, f"read of {room} bytes at sector {sector} refused"
            start = sector * SECTOR_SIZE
            return (
                bytes(self.disk[start : start + room]),
                VIRTIO_BLK_S_OK,
                (f"read {room // SECTOR_SIZE} sector(s) from sector {sector}"),
            )
        if kind == VIRTIO_BLK_T_OUT:
            if self.read_only:
                return b"", VIRTIO_BLK_S_IOERR, "write to a read-only disk refused"
            if len(payload) % SECTOR_SIZE or not self._in_range(sector, len(payload)):
                return (
                    b"",
                    VIRTIO_BLK_S_IOERR,
                    f"write of {len(payload)} bytes at sector {sector} refused",
                )
            start = sector * SECTOR_SIZE
            self.disk[start : start + len(payload)] = payload
            return (
                b"",
                VIRTIO_BLK_S_OK,
                f"wrote {len(payload) // SECTOR_SIZE} sector(s) at sector {sector}",
            )
        if kind == VIRTIO_BLK_T_FLUSH:
            self.flushes += 1
            return b"", VIRTIO_BLK_S_OK, "flushed the write cache"
        if kind == VIRTIO_BLK_T_GET_ID:
            ident = self.serial[:ID_BYTES].ljust(ID_BYTES, b"\0")[:room]
            return ident, VIRTIO_BLK_S_OK, f"device id {self.serial.decode(errors='replace')!r}"
        if kind in (VIRTIO_BLK_T_DISCARD, VIRTIO_BLK_T_WRITE_ZEROES):
            return self._zero_segments(kind, payload)
        return b"", VIRTIO_BLK_S_UNSUPP, f"request type {kind} is not supported"

    def _zero_segments(self, kind: int, payload: bytes) -> tuple[bytes, int, str]:
        if not payload or len(payload) % _SEGMENT.size or self.read_only:
            return b"", VIRTIO_BLK_S_IOERR, "malformed discard / write-zeroes segments"
        segments = [_SEGMENT.unpack_from(payload, o) for o in range(0, len(payload), _SEGMENT.size)]
        for sector, count, flags in segments:
            if kind == VIRTIO_BLK_T_DISCARD and flags & 1:
                return b"", VIRTIO_BLK_S_UNSUPP, "discard with the unmap flag"  # §5.2.6.2
            if not self._in_range(sector, count * SECTOR_SIZE):
                return b"", VIRTIO_BLK_S_IOERR, f"segment at sector {sector} beyond capacity"
        for sector, count, _ in segments:
            start = sector * SECTOR_SIZE
            self.disk[start : start + count * SECTOR_SIZE] = bytes(count * SECTOR_SIZE)
        return b"", VIRTIO_BLK_S_OK, f"zeroed {len(segments)} segment(s)"

    def _in_range(self, sector: int, length: int) -> bool:
        """§5.2.6.1: no request may reach past `capacity`."""
        return (sector * SECTOR_SIZE + length) <= len(self.disk)

    def _complete(
        self,
        requestq: DeviceQueue,
        chain: Chain,
        header: BlkRequestHeader | None,
        *,
        data: bytes,
        status: int,
        what: str,
    ) -> None:
        """Fill the writable part: data (zero-padded), then the status byte in its very last
        byte. Like QEMU, the used length is the whole writable part, all of it written."""
        room = chain.writable_capacity
        reply = data.ljust(room - 1, b"\0")[: room - 1] + bytes([status]) if room else b""
        written = chain.write_all(self.memory, reply)
        name = REQUEST_NAMES.get(header.type, f"type {header.type}") if header else "request"
        self.log.record(
            "blk_request",
            actor="device",
            plane="data",
            spec="§5.2.6",
            analog="virtio_blk_handle_request() in QEMU",
            summary=f"The device serves a {name} request: {what}; status {STATUS_NAMES[status]}.",
            queue=requestq.queue_index,
            values={
                "type": header.type if header else -1,
                "sector": header.sector if header else 0,
                "status": status,
                "written": written,
            },
        )
        requestq.push(chain, written)
