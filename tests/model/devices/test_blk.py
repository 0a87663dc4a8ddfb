"""virtio-blk device logic (virtio-1.2 §5.2) over real split queues."""

from __future__ import annotations

import pytest

from tests.support.split_rig import Rig, make_rig
from virtio_viz.model.devices.blk import (
    SECTOR_SIZE,
    VIRTIO_BLK_S_IOERR,
    VIRTIO_BLK_S_OK,
    VIRTIO_BLK_S_UNSUPP,
    VIRTIO_BLK_T_DISCARD,
    VIRTIO_BLK_T_FLUSH,
    VIRTIO_BLK_T_GET_ID,
    VIRTIO_BLK_T_IN,
    VIRTIO_BLK_T_OUT,
    VIRTIO_BLK_T_WRITE_ZEROES,
    BlkDevice,
    BlkRequestHeader,
)


class Disk:
    """A driver-side helper: header buffer, data buffer, status byte, as Linux frames them."""

    def __init__(self, rig: Rig, **device: object) -> None:
        self.rig = rig
        self.device = BlkDevice(rig.memory, rig.log, **device)  # type: ignore[arg-type]

    def request(
        self, kind: int, sector: int, *, data: bytes = b"", read: int = 0
    ) -> tuple[int, bytes]:
        rig = self.rig
        header = rig.buf(0, 16)
        rig.memory.write(header.addr, BlkRequestHeader(kind, sector).pack())
        out = [header]
        if data:
            out.append(rig.buf(1, len(data)))
            rig.memory.write(out[1].addr, data)
        inn = [rig.buf(2, read, writable=True)] if read else []
        status = rig.buf(3, 1, writable=True)
        head = rig.driver.add_buffer(out, [*inn, status])
        assert self.device.process(rig.device) == 1
        used = rig.driver.get_used()
        assert used is not None and used.id == head
        got = rig.memory.peek(inn[0].addr, read) if read else b""
        assert used.length == read + 1  # data plus the status byte, like QEMU
        return rig.memory.peek(status.addr, 1)[0], got


def test_header_layout() -> None:
    header = BlkRequestHeader(VIRTIO_BLK_T_OUT, sector=0x0102030405)
    assert header.pack() == bytes([1, 0, 0, 0, 0, 0, 0, 0, 5, 4, 3, 2, 1, 0, 0, 0])


def test_write_then_read_back_the_same_sectors() -> None:
    disk = Disk(make_rig(8))
    data = bytes(range(256)) * 4  # two sectors
    assert disk.request(VIRTIO_BLK_T_OUT, 6, data=data) == (VIRTIO_BLK_S_OK, b"")
    assert disk.device.disk[6 * SECTOR_SIZE : 8 * SECTOR_SIZE] == data
    assert disk.request(VIRTIO_BLK_T_IN, 6, read=len(data)) == (VIRTIO_BLK_S_OK, data)


def test_flush_and_get_id() -> None:
    disk = Disk(make_rig(8), serial=b"serial-123")
    assert disk.request(VIRTIO_BLK_T_FLUSH, 0) == (VIRTIO_BLK_S_OK, b"")
    assert disk.device.flushes == 1
    status, ident = disk.request(VIRTIO_BLK_T_GET_ID, 0, read=20)
    assert (status, ident) == (VIRTIO_BLK_S_OK, b"serial-123" + bytes(10))


@pytest.mark.parametrize(
    ("kind", "sector", "kwargs", "expected"),
    [
        (VIRTIO_BLK_T_IN, 8191, {"read": 1024}, VIRTIO_BLK_S_IOERR),  # past capacity
        (VIRTIO_BLK_T_IN, 0, {"read": 100}, VIRTIO_BLK_S_IOERR),  # not whole sectors
        (VIRTIO_BLK_T_OUT, 8192, {"data": bytes(512)}, VIRTIO_BLK_S_IOERR),
        (99, 0, {}, VIRTIO_BLK_S_UNSUPP),
    ],
)
def test_bad_requests_get_an_error_status(
    kind: int, sector: int, kwargs: dict[str, object], expected: int
) -> None:
    disk = Disk(make_rig(8))
    before = bytes(disk.device.disk)
    status, _ = disk.request(kind, sector, **kwargs)  # type: ignore[arg-type]
    assert status == expected
    assert bytes(disk.device.disk) == before


def test_read_only_disk_refuses_writes() -> None:
    disk = Disk(make_rig(8), read_only=True)
    assert disk.request(VIRTIO_BLK_T_OUT, 0, data=b"x" * 512)[0] == VIRTIO_BLK_S_IOERR
    assert disk.device.disk[:512] == bytes(512)


def test_write_zeroes_and_discard_segments() -> None:
    disk = Disk(make_rig(8))
    disk.device.disk[:2048] = b"\xff" * 2048
    segment = (1).to_bytes(8, "little") + (2).to_bytes(4, "little") + bytes(4)
    assert disk.request(VIRTIO_BLK_T_WRITE_ZEROES, 0, data=segment)[0] == VIRTIO_BLK_S_OK
    assert disk.device.disk[:2048] == b"\xff" * 512 + bytes(1024) + b"\xff" * 512
    unmap = segment[:12] + (1).to_bytes(4, "little")
    assert disk.request(VIRTIO_BLK_T_DISCARD, 0, data=unmap)[0] == VIRTIO_BLK_S_UNSUPP


def test_capacity_is_in_512_byte_sectors_in_config_space() -> None:
    rig = make_rig()
    device = BlkDevice(rig.memory, rig.log, disk=bytearray(1 << 20))
    assert device.config_space()[:8] == (2048).to_bytes(8, "little")
    assert device.config_space()[20:24] == (512).to_bytes(4, "little")  # blk_size
