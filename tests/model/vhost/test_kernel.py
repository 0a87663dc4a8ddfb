"""vhost ioctl calls as a vhost-net / vhost-vdpa story makes them: exact argument bytes,
request numbers, the rendered call, and refusals of impossible arguments."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from virtio_viz.model.errors import ConfigError
from virtio_viz.model.vhost import kernel
from virtio_viz.model.vhost.kernel import IocDir
from virtio_viz.model.vhost.structs import (
    IotlbMsg,
    IovaRange,
    MemoryRegion,
    VdpaConfig,
    VhostMemory,
    VringAddr,
    VringFile,
    VringState,
)

RING = VringAddr(
    index=1,
    flags=0,
    desc_user_addr=0x7F12_3400_0000,
    used_user_addr=0x7F12_3400_2000,
    avail_user_addr=0x7F12_3400_1000,
)


def test_set_vring_addr_passes_the_40_byte_structure_little_endian() -> None:
    call = kernel.set_vring_addr(RING)
    assert call.number == 0x4028AF11
    # index, flags, desc_user_addr, used_user_addr, avail_user_addr, log_guest_addr
    assert call.argument == bytes.fromhex(
        "01000000 00000000 00000034127f0000 00200034127f0000 00100034127f0000 0000000000000000"
    )
    assert call.render() == (
        "ioctl(vhost_fd, VHOST_SET_VRING_ADDR = 0x4028af11, {index = 1, flags = 0x0, "
        "desc_user_addr = 0x7f1234000000, used_user_addr = 0x7f1234002000, "
        "avail_user_addr = 0x7f1234001000, log_guest_addr = 0x0})"
    )
    assert VringAddr.decode(call.argument) == RING
    assert "descriptor table" in call.description


def test_vring_state_and_file_calls() -> None:
    num = kernel.set_vring_num(0, 256)
    assert (num.number, num.argument) == (0x4008AF10, bytes.fromhex("00000000 00010000"))
    assert num.render() == (
        "ioctl(vhost_fd, VHOST_SET_VRING_NUM = 0x4008af10, {index = 0, num = 256})"
    )
    base = kernel.get_vring_base(1)
    assert (base.number, base.argument) == (0xC008AF12, bytes.fromhex("01000000 00000000"))
    kick = kernel.set_vring_kick(1, 37)
    assert (kick.number, kick.argument) == (0x4008AF20, bytes.fromhex("01000000 25000000"))
    unbind = kernel.net_set_backend(0, -1)
    assert (unbind.number, unbind.argument) == (0x4008AF30, bytes.fromhex("00000000 ffffffff"))
    assert unbind.shown == "{index = 0, fd = -1 (unbind)}"
    assert VringFile.decode(unbind.argument) == VringFile(0, -1)
    assert VringState.decode(base.argument) == VringState(1, 0)
    enable = kernel.vdpa_set_vring_enable(2, True)
    assert (enable.number, enable.argument) == (0x4008AF75, bytes.fromhex("02000000 01000000"))


def test_scalar_arguments_take_the_width_of_their_c_type() -> None:
    features = kernel.set_features(0x1_3000_0000)
    assert features.argument == bytes.fromhex("00000030 01000000")
    assert features.render() == "ioctl(vhost_fd, VHOST_SET_FEATURES = 0x4008af00, &0x130000000)"
    status = kernel.vdpa_set_status(0x0F)
    assert (status.number, status.argument) == (0x4001AF72, b"\x0f")
    log_fd = kernel.scalar("VHOST_SET_LOG_FD", -1)
    assert (log_fd.number, log_fd.argument, log_fd.shown) == (0x4004AF07, b"\xff" * 4, "&-1")
    read = kernel.reading("VHOST_GET_FEATURES")
    assert read.argument == bytes(8)
    assert read.render() == "ioctl(vhost_fd, VHOST_GET_FEATURES = 0x8008af00, &__u64 (to fill))"
    filled = bytes.fromhex("00000030 01000000")
    assert kernel.decode_scalar("VHOST_GET_FEATURES", filled) == 0x1_3000_0000
    assert kernel.decode_scalar("VHOST_VDPA_GET_VRING_NUM", b"\x00\x01") == 256
    owner = kernel.no_argument("VHOST_SET_OWNER")
    assert (owner.number, owner.argument) == (0xAF01, b"")
    assert owner.render() == "ioctl(vhost_fd, VHOST_SET_OWNER = 0xaf01)"


def test_set_mem_table_passes_header_then_regions() -> None:
    regions = [
        MemoryRegion(0x0, 0x8000_0000, 0x7F00_0000_0000),
        MemoryRegion(0x1_0000_0000, 0x4000_0000, 0x7F80_0000_0000),
    ]
    call = kernel.set_mem_table(regions)
    assert call.number == 0x4008AF03  # the size field counts only the 8-byte header
    assert len(call.argument) == 8 + 2 * 32
    assert call.argument[:8] == bytes.fromhex("02000000 00000000")  # nregions, padding
    # guest_phys_addr, memory_size, userspace_addr, flags_padding
    assert call.argument[8:40] == bytes.fromhex(
        "0000000000000000 0000008000000000 00000000007f0000 0000000000000000"
    )
    assert call.argument[40:48] == bytes.fromhex("0000000001000000")  # region 1's guest addr
    assert VhostMemory.decode(call.argument) == VhostMemory(tuple(regions))


def test_vdpa_config_and_iova_range_structures() -> None:
    mac = bytes.fromhex("525400123456")
    call = kernel.vdpa_set_config(0, mac)
    assert call.number == 0x4008AF74
    assert call.argument == bytes.fromhex("00000000 06000000 525400123456")  # off, len, buf
    assert VdpaConfig.decode(call.argument) == VdpaConfig(0, mac)
    read = kernel.vdpa_get_config(6, 2)
    assert (read.number, read.argument) == (0x8008AF73, bytes.fromhex("06000000 02000000 0000"))
    window = IovaRange(0x1000, 0xFFFF_FFFF_FFFF)
    assert window.encode() == bytes.fromhex("0010000000000000 ffffffffffff0000")
    assert IovaRange.decode(window.encode()) == window


def test_iotlb_update_wrapped_in_vhost_msg_v2() -> None:
    update = IotlbMsg(iova=0x2000_0000, size=0x1000, uaddr=0x7F00_0000_1000, perm=3, type=2)
    # iova, size, uaddr, perm, type, 6 bytes of tail padding
    assert update.encode() == bytes.fromhex(
        "0000002000000000 0010000000000000 00100000007f0000 03 02 000000000000"
    )
    message = update.encode_v2(asid=1)
    assert len(message) == 72
    assert message[:8] == bytes.fromhex("02000000 01000000")  # VHOST_IOTLB_MSG_V2, asid
    assert message[8:40] == update.encode()
    assert message[40:] == bytes(32)


def test_impossible_arguments_are_refused() -> None:
    with pytest.raises(ConfigError, match="does not fit"):
        VringState(0, 1 << 32)
    with pytest.raises(ConfigError, match="does not fit"):
        VringFile(0, 1 << 31)
    with pytest.raises(ConfigError, match="does not fit"):
        kernel.vdpa_set_status(0x100)
    with pytest.raises(ConfigError, match="not a vhost ioctl"):
        kernel.build("VHOST_FLY")
    with pytest.raises(ConfigError, match="takes no argument"):
        kernel.build("VHOST_SET_OWNER", b"\0")
    with pytest.raises(ConfigError, match="needs 40 argument bytes, got 8"):
        kernel.build("VHOST_SET_VRING_ADDR", bytes(8))
    with pytest.raises(ConfigError, match="does not take a struct vhost_vring_file"):
        kernel.vring_file("VHOST_SET_VRING_NUM", 0, 3)
    with pytest.raises(ConfigError, match="not an integer"):
        kernel.scalar("VHOST_SET_VRING_ADDR", 1)
    with pytest.raises(ConfigError, match="must be 40 bytes, got 39"):
        VringAddr.decode(bytes(39))
    with pytest.raises(ConfigError, match="with 2 regions must be 72 bytes, got 40"):
        VhostMemory.decode(bytes.fromhex("0200000000000000") + bytes(32))
    with pytest.raises(ConfigError, match="nr 256 does not fit"):
        kernel.ioc(IocDir.WRITE, 0xAF, 0x100, 8)


@settings(max_examples=200, deadline=None)
@given(
    direction=st.sampled_from([*IocDir, IocDir.READ | IocDir.WRITE]),
    type_=st.integers(0, 0xFF),
    nr=st.integers(0, 0xFF),
    size=st.integers(0, (1 << 14) - 1),
)
def test_decode_ioc_inverts_ioc(direction: IocDir, type_: int, nr: int, size: int) -> None:
    number = kernel.ioc(direction, type_, nr, size)
    assert number < 1 << 32
    assert kernel.decode_ioc(number) == kernel.IocFields(direction, type_, nr, size)
