"""The vhost kernel ioctls (linux/vhost.h): request numbers, arguments, narration.

How this works: a Linux ioctl request number packs four fields (asm-generic/ioctl.h,
which x86_64 uses): bits 0-7 the command number `nr`, bits 8-15 the driver's `type`
(0xAF, VHOST_VIRTIO, for every vhost device), bits 16-29 the size of the argument
structure and bits 30-31 its direction (WRITE: the caller hands data to the kernel,
READ: the kernel hands data back, both for an in-out argument). `ioc()` packs them the
way the C macros _IOC / _IO / _IOR / _IOW / _IOWR do, so nothing below is a copied
number: each entry of `IOCTLS` names its direction, nr and argument type, and the
request number follows. tests/model/vhost/test_kernel_uapi.py compiles the real header
and compares every one.

A `VhostIoctl` is one call as a story shows it: the request name and number, the exact
argument bytes the VMM passes, and a sentence saying what it asks for, rendered as
"ioctl(vhost_fd, VHOST_SET_VRING_ADDR = 0x4028af11, {index = 0, ...})".
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntFlag

from virtio_viz.model.errors import ConfigError
from virtio_viz.model.vhost.structs import (
    IovaRange,
    MemoryRegion,
    VdpaConfig,
    VhostMemory,
    VringAddr,
    VringFile,
    VringState,
)

VHOST_VIRTIO = 0xAF  # linux/vhost.h: the ioctl type byte of every vhost device


class IocDir(IntFlag):
    """The direction bits of an ioctl number (asm-generic/ioctl.h _IOC_NONE/WRITE/READ)."""

    NONE = 0
    WRITE = 1
    READ = 2


_NR_BITS, _TYPE_BITS, _SIZE_BITS, _DIR_BITS = 8, 8, 14, 2  # asm-generic/ioctl.h
_NR_SHIFT = 0
_TYPE_SHIFT = _NR_SHIFT + _NR_BITS
_SIZE_SHIFT = _TYPE_SHIFT + _TYPE_BITS
_DIR_SHIFT = _SIZE_SHIFT + _SIZE_BITS


def ioc(direction: IocDir, type_: int, nr: int, size: int) -> int:
    """Pack an ioctl request number as Linux's _IOC() does."""
    for what, value, bits in (("type", type_, _TYPE_BITS), ("nr", nr, _NR_BITS),
                              ("size", size, _SIZE_BITS)):  # fmt: skip
        if not 0 <= value < 1 << bits:
            raise ConfigError(f"ioctl {what} {value} does not fit in {bits} bits")
    return (
        int(direction) << _DIR_SHIFT | size << _SIZE_SHIFT | type_ << _TYPE_SHIFT | nr << _NR_SHIFT
    )


def io(type_: int, nr: int) -> int:
    return ioc(IocDir.NONE, type_, nr, 0)


def ior(type_: int, nr: int, size: int) -> int:
    return ioc(IocDir.READ, type_, nr, size)


def iow(type_: int, nr: int, size: int) -> int:
    return ioc(IocDir.WRITE, type_, nr, size)


def iowr(type_: int, nr: int, size: int) -> int:
    return ioc(IocDir.READ | IocDir.WRITE, type_, nr, size)


@dataclass(frozen=True, slots=True)
class IocFields:
    direction: IocDir
    type: int
    nr: int
    size: int


def decode_ioc(number: int) -> IocFields:
    """Split a request number back into its four fields (_IOC_DIR, _IOC_TYPE...)."""
    if not 0 <= number < 1 << (_DIR_SHIFT + _DIR_BITS):
        raise ConfigError(f"0x{number:x} is not a 32-bit ioctl request number")
    return IocFields(
        IocDir(number >> _DIR_SHIFT & ((1 << _DIR_BITS) - 1)),
        number >> _TYPE_SHIFT & ((1 << _TYPE_BITS) - 1),
        number >> _NR_SHIFT & ((1 << _NR_BITS) - 1),
        number >> _SIZE_SHIFT & ((1 << _SIZE_BITS) - 1),
    )


# C scalar argument types -> struct code (their sizeof comes from struct.calcsize)
SCALARS = {"__u8": "B", "__u16": "H", "__u32": "I", "unsigned int": "I", "int": "i",
           "__u64": "Q"}  # fmt: skip
# C structure argument types -> sizeof (the flexible arrays are not counted, as in C)
STRUCTS = {
    "struct vhost_vring_state": VringState.LAYOUT.size,
    "struct vhost_vring_file": VringFile.LAYOUT.size,
    "struct vhost_vring_addr": VringAddr.LAYOUT.size,
    "struct vhost_memory": VhostMemory.HEADER_SIZE,
    "struct vhost_vdpa_config": VdpaConfig.HEADER_SIZE,
    "struct vhost_vdpa_iova_range": IovaRange.LAYOUT.size,
    "struct vhost_scsi_target": 232,  # int abi_version, char wwpn[224], u16 tpgt, u16 reserved
}


@dataclass(frozen=True, slots=True)
class IoctlSpec:
    """One ioctl of linux/vhost.h: which macro, which nr, which argument type."""

    name: str
    direction: IocDir
    nr: int
    argument: str  # the C type named in the macro ("" for _IO)
    meaning: str  # what it asks the kernel for, in the project's words

    @property
    def size(self) -> int:
        if not self.argument:
            return 0
        if self.argument in SCALARS:
            return struct.calcsize("<" + SCALARS[self.argument])
        return STRUCTS[self.argument]

    @property
    def number(self) -> int:
        return ioc(self.direction, VHOST_VIRTIO, self.nr, self.size)


_N, _R, _W, _RW = IocDir.NONE, IocDir.READ, IocDir.WRITE, IocDir.READ | IocDir.WRITE
_STATE, _FILE = "struct vhost_vring_state", "struct vhost_vring_file"
_TARGET = "struct vhost_scsi_target"
_ROWS: tuple[tuple[str, IocDir, int, str, str], ...] = (
    ("VHOST_GET_FEATURES", _R, 0x00, "__u64", "read the feature bits the vhost device can serve"),
    ("VHOST_SET_FEATURES", _W, 0x00, "__u64", "tell the vhost device which feature bits are used"),
    ("VHOST_SET_OWNER", _N, 0x01, "", "make the calling process the owner and start its worker"),
    ("VHOST_RESET_OWNER", _N, 0x02, "", "drop the owner and put the device back as it started"),
    ("VHOST_SET_MEM_TABLE", _W, 0x03, "struct vhost_memory",
     "hand over the map from guest-physical to VMM virtual addresses"),
    ("VHOST_SET_LOG_BASE", _W, 0x04, "__u64", "point dirty-page logging at a bitmap in the VMM"),
    ("VHOST_SET_LOG_FD", _W, 0x07, "int", "give the eventfd to signal after logging a write"),
    ("VHOST_SET_VRING_NUM", _W, 0x10, _STATE, "set how many entries a ring has"),
    ("VHOST_SET_VRING_ADDR", _W, 0x11, "struct vhost_vring_addr",
     "say where a ring's descriptor table, available ring and used ring live"),
    ("VHOST_SET_VRING_BASE", _W, 0x12, _STATE, "set the available index the device starts at"),
    ("VHOST_GET_VRING_BASE", _RW, 0x12, _STATE,
     "stop a ring and read back the available index the device reached"),
    ("VHOST_SET_VRING_ENDIAN", _W, 0x13, _STATE, "choose the byte order of a legacy ring"),
    ("VHOST_GET_VRING_ENDIAN", _W, 0x14, _STATE, "read the byte order of a legacy ring"),
    ("VHOST_SET_VRING_KICK", _W, 0x20, _FILE, "give the eventfd that carries the guest's kicks"),
    ("VHOST_SET_VRING_CALL", _W, 0x21, _FILE, "give the eventfd that raises the guest's interrupt"),
    ("VHOST_SET_VRING_ERR", _W, 0x22, _FILE, "give the eventfd to signal when a ring fails"),
    ("VHOST_SET_VRING_BUSYLOOP_TIMEOUT", _W, 0x23, _STATE,
     "set how many microseconds the worker polls a ring before sleeping"),
    ("VHOST_GET_VRING_BUSYLOOP_TIMEOUT", _W, 0x24, _STATE, "read a ring's busy-poll time"),
    ("VHOST_SET_BACKEND_FEATURES", _W, 0x25, "__u64", "accept optional vhost back-end features"),
    ("VHOST_GET_BACKEND_FEATURES", _R, 0x26, "__u64", "read the optional back-end features"),
    ("VHOST_NET_SET_BACKEND", _W, 0x30, _FILE,
     "attach a vhost-net ring to a tap or packet socket (fd -1 detaches it)"),
    ("VHOST_SCSI_SET_ENDPOINT", _W, 0x40, _TARGET, "attach vhost-scsi to a target port"),
    ("VHOST_SCSI_CLEAR_ENDPOINT", _W, 0x41, _TARGET, "detach vhost-scsi from its target port"),
    ("VHOST_SCSI_GET_ABI_VERSION", _W, 0x42, "int", "read the vhost-scsi ABI version"),
    ("VHOST_SCSI_SET_EVENTS_MISSED", _W, 0x43, "__u32", "set the vhost-scsi events-missed flag"),
    ("VHOST_SCSI_GET_EVENTS_MISSED", _W, 0x44, "__u32", "read the vhost-scsi events-missed flag"),
    ("VHOST_VSOCK_SET_GUEST_CID", _W, 0x60, "__u64", "give the guest its vsock address"),
    ("VHOST_VSOCK_SET_RUNNING", _W, 0x61, "int", "start or stop the vhost-vsock device"),
    ("VHOST_VDPA_GET_DEVICE_ID", _R, 0x70, "__u32", "read the virtio device ID of the vDPA device"),
    ("VHOST_VDPA_GET_STATUS", _R, 0x71, "__u8", "read the device status byte"),
    ("VHOST_VDPA_SET_STATUS", _W, 0x72, "__u8", "write the device status byte"),
    ("VHOST_VDPA_GET_CONFIG", _R, 0x73, "struct vhost_vdpa_config",
     "read bytes of the device-specific configuration"),
    ("VHOST_VDPA_SET_CONFIG", _W, 0x74, "struct vhost_vdpa_config",
     "write bytes of the device-specific configuration"),
    ("VHOST_VDPA_SET_VRING_ENABLE", _W, 0x75, _STATE, "switch a ring on (num 1) or off (num 0)"),
    ("VHOST_VDPA_GET_VRING_NUM", _R, 0x76, "__u16", "read the largest ring size the device takes"),
    ("VHOST_VDPA_SET_CONFIG_CALL", _W, 0x77, "int",
     "give the eventfd for configuration-change interrupts"),
    ("VHOST_VDPA_GET_IOVA_RANGE", _R, 0x78, "struct vhost_vdpa_iova_range",
     "read the IOVA window the device can map"),
    ("VHOST_VDPA_GET_CONFIG_SIZE", _R, 0x79, "__u32", "read the size of the device configuration"),
    ("VHOST_VDPA_GET_AS_NUM", _R, 0x7A, "unsigned int", "read how many address spaces exist"),
    ("VHOST_VDPA_GET_VRING_GROUP", _RW, 0x7B, _STATE, "read which group a ring belongs to"),
    ("VHOST_VDPA_SET_GROUP_ASID", _W, 0x7C, _STATE, "put a ring group in an address space"),
    ("VHOST_VDPA_SUSPEND", _N, 0x7D, "", "stop all rings but keep their state"),
    ("VHOST_VDPA_GET_VQS_COUNT", _R, 0x80, "__u32", "read how many virtqueues the device has"),
    ("VHOST_VDPA_GET_GROUP_NUM", _R, 0x81, "__u32", "read how many ring groups exist"),
)  # fmt: skip
IOCTLS: dict[str, IoctlSpec] = {row[0]: IoctlSpec(*row) for row in _ROWS}


@dataclass(frozen=True, slots=True)
class VhostIoctl:
    """One ioctl call: request, the argument bytes passed, and what it asks for."""

    name: str
    number: int
    argument: bytes
    description: str
    shown: str = ""  # the argument as C would print it: "{index = 0, num = 256}"

    def render(self, fd: str = "vhost_fd") -> str:
        args = f"{fd}, {self.name} = 0x{self.number:x}"
        return f"ioctl({args}, {self.shown})" if self.shown else f"ioctl({args})"


def spec_of(name: str) -> IoctlSpec:
    try:
        return IOCTLS[name]
    except KeyError:
        raise ConfigError(f"{name} is not a vhost ioctl of linux/vhost.h") from None


def build(name: str, argument: bytes = b"", shown: str = "") -> VhostIoctl:
    """A call of `name` with these argument bytes (at least sizeof the argument type)."""
    spec = spec_of(name)
    if spec.direction == IocDir.NONE and argument:
        raise ConfigError(f"{name} takes no argument, got {len(argument)} bytes")
    if len(argument) < spec.size:
        raise ConfigError(f"{name} needs {spec.size} argument bytes, got {len(argument)}")
    return VhostIoctl(name, spec.number, bytes(argument), f"{name}: {spec.meaning}.", shown)


def scalar(name: str, value: int) -> VhostIoctl:
    """A call whose argument is one integer of the ioctl's C type (u8 ... u64, int)."""
    spec = spec_of(name)
    code = SCALARS.get(spec.argument)
    if code is None:
        raise ConfigError(f"{name} takes {spec.argument or 'no argument'}, not an integer")
    try:
        argument = struct.pack("<" + code, value)
    except struct.error:
        raise ConfigError(f"{value} does not fit the {spec.argument} argument of {name}") from None
    shown = f"&{value}" if code == "i" or value < 10 else f"&0x{value:x}"
    return build(name, argument, shown)


def reading(name: str) -> VhostIoctl:
    """A call that only reads: the argument is a zeroed buffer the kernel fills in."""
    spec = spec_of(name)
    return build(name, bytes(spec.size), f"&{spec.argument.removeprefix('struct ')} (to fill)")


def decode_scalar(name: str, data: bytes) -> int:
    """The integer the kernel left in the argument buffer of a reading ioctl."""
    code = SCALARS.get(spec_of(name).argument)
    if code is None or len(data) != struct.calcsize("<" + code):
        raise ConfigError(f"{len(data)} bytes are not the integer argument of {name}")
    value: int = struct.unpack("<" + code, data)[0]
    return value


# -- the calls a vhost-net / vhost-vdpa story makes ------------------------------------------
def no_argument(name: str) -> VhostIoctl:
    return build(name)


def set_features(bits: int) -> VhostIoctl:
    return scalar("VHOST_SET_FEATURES", bits)


def set_mem_table(regions: Iterable[MemoryRegion]) -> VhostIoctl:
    memory = VhostMemory(tuple(regions))
    return build("VHOST_SET_MEM_TABLE", memory.encode(), memory.describe())


def vring_state(name: str, index: int, num: int) -> VhostIoctl:
    """SET_VRING_NUM / SET_VRING_BASE / GET_VRING_BASE / VDPA_SET_VRING_ENABLE ..."""
    if spec_of(name).argument != _STATE:
        raise ConfigError(f"{name} does not take a struct vhost_vring_state")
    state = VringState(index, num)
    return build(name, state.encode(), state.describe())


def vring_file(name: str, index: int, fd: int) -> VhostIoctl:
    """SET_VRING_KICK / SET_VRING_CALL / SET_VRING_ERR / NET_SET_BACKEND."""
    if spec_of(name).argument != _FILE:
        raise ConfigError(f"{name} does not take a struct vhost_vring_file")
    file = VringFile(index, fd)
    return build(name, file.encode(), file.describe())


def set_vring_addr(addr: VringAddr) -> VhostIoctl:
    return build("VHOST_SET_VRING_ADDR", addr.encode(), addr.describe())


def vdpa_get_config(off: int, length: int) -> VhostIoctl:
    config = VdpaConfig(off, bytes(length))
    return build("VHOST_VDPA_GET_CONFIG", config.encode(), f"{{off = {off}, len = {length}}}")


def vdpa_set_config(off: int, data: bytes) -> VhostIoctl:
    config = VdpaConfig(off, data)
    return build("VHOST_VDPA_SET_CONFIG", config.encode(), config.describe())


def set_vring_num(index: int, num: int) -> VhostIoctl:
    return vring_state("VHOST_SET_VRING_NUM", index, num)


def set_vring_base(index: int, base: int) -> VhostIoctl:
    return vring_state("VHOST_SET_VRING_BASE", index, base)


def get_vring_base(index: int) -> VhostIoctl:
    return vring_state("VHOST_GET_VRING_BASE", index, 0)


def set_vring_kick(index: int, fd: int) -> VhostIoctl:
    return vring_file("VHOST_SET_VRING_KICK", index, fd)


def set_vring_call(index: int, fd: int) -> VhostIoctl:
    return vring_file("VHOST_SET_VRING_CALL", index, fd)


def net_set_backend(index: int, fd: int) -> VhostIoctl:
    return vring_file("VHOST_NET_SET_BACKEND", index, fd)


def vdpa_set_status(status: int) -> VhostIoctl:
    return scalar("VHOST_VDPA_SET_STATUS", status)


def vdpa_set_vring_enable(index: int, enable: bool) -> VhostIoctl:
    return vring_state("VHOST_VDPA_SET_VRING_ENABLE", index, int(enable))
