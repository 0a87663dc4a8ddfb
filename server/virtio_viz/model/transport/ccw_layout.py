"""The bytes of virtio over channel I/O: command codes, the CCW, and every control block.

virtio-1.2 §4.3. An s390 guest has no PCI and no MMIO: it reaches a virtio device through
the channel subsystem. The driver builds a channel program in guest memory (here always
one format-1 CCW: command code, flags, byte count, data address) and starts it with the
START SUBCHANNEL instruction; the device fetches the CCW, reads or writes the control
block the CCW points at, and ends the program with a status (channel end and device
end, or a unit check whose sense byte says "command reject").

The machine is big-endian, so every control block is big-endian, with one exception the
spec keeps on purpose: the 32 feature bits of `virtio_feature_desc` are little-endian
(§4.3.2.4). Each layout below names the structure it matches in the spec, in Linux's
drivers/s390/virtio/virtio_ccw.c and in QEMU's hw/s390x/virtio-ccw.{c,h}; the tests
check the sizes and byte orders.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum

VIRTIO_CCW_CU_TYPE = 0x3832  # §4.3.1: the control unit type of every virtio-ccw proxy
VIRTIO_CCW_CHPID_TYPE = 0x32  # §4.3.1: the type of its (virtual) channel path
VIRTUAL_CSSID = 0xFE  # QEMU's channel subsystem for virtual devices (devno fe.0.xxxx)
KVM_S390_VIRTIO_CCW_NOTIFY = 3  # §4.3.3.2: the DIAGNOSE 0x500 subcode of a notification
VIRTIO_AIRQ_ISC = 3  # Linux: adapter interrupts use the subchannels' ISC (IO_SCH_ISC)
KVM_VIRTIO_CCW_RING_ALIGN = 4096  # Linux aligns each part of a ccw split ring to a page
REVISION_MAX = 2  # §4.3.2.1: revision 2 adds CCW_CMD_READ_STATUS
CONFIG_SPACE_MAX = 0x100  # Linux's VIRTIO_CCW_CONFIG_SIZE: the config area it reads into


class Command(IntEnum):
    """Channel command codes. §4.3.1 (basic commands) and §4.3.1.1 (virtio's own)."""

    SENSE_ID = 0xE4
    SET_VQ = 0x13
    VDEV_RESET = 0x33
    SET_IND = 0x43
    SET_CONF_IND = 0x53
    SET_IND_ADAPTER = 0x73
    READ_FEAT = 0x12
    WRITE_FEAT = 0x11
    READ_CONF = 0x22
    WRITE_CONF = 0x21
    WRITE_STATUS = 0x31
    READ_VQ_CONF = 0x32
    SET_VIRTIO_REV = 0x83
    READ_STATUS = 0x72


def command_name(code: int) -> str:
    try:
        return f"CCW_CMD_{Command(code).name}"
    except ValueError:
        return f"command {code:#04x}"


# CCW flags (the second byte of a format-1 CCW), as Linux's asm/cio.h names them
CCW_FLAG_DC = 0x80  # data chaining
CCW_FLAG_CC = 0x40  # command chaining
CCW_FLAG_SLI = 0x20  # suppress incorrect-length indication
CCW_FLAG_SKIP = 0x10
CCW_FLAG_PCI = 0x08
CCW_FLAG_IDA = 0x04
CCW_FLAG_SUSPEND = 0x02

# What ends a channel program: device status, channel status, sense byte 0
DEV_STAT_CHN_END = 0x08
DEV_STAT_DEV_END = 0x04
DEV_STAT_UNIT_CHECK = 0x02
SCHN_STAT_INCORR_LEN = 0x40
SCHN_STAT_PROG_CHECK = 0x20
SNS0_CMD_REJECT = 0x80

# -- the structures ------------------------------------------------------------------------
# struct ccw1 (Linux asm/cio.h; QEMU CCW1): cmd_code u8, flags u8, count be16, cda be32
CCW1 = struct.Struct(">BBHI")
# SENSE ID data (§4.3.1): 0xff, control unit type be16, model u8, device type be16, model u8
SENSE_ID = struct.Struct(">BHBHB")
# struct virtio_rev_info (§4.3.2.1; QEMU VirtIORevInfo): revision be16, length be16, data[]
REV_INFO = struct.Struct(">HH")
# struct vq_config_block (§4.3.2.2; QEMU VqConfigBlock): index be16, max_num be16
VQ_CONFIG_BLOCK = struct.Struct(">HH")
# struct vq_info_block (§4.3.2.2; QEMU VqInfoBlock): desc be64, res0 be32, index be16,
# num be16, driver be64, device be64 (Linux calls the last two avail and used)
VQ_INFO_BLOCK = struct.Struct(">QIHHQQ")
# struct virtio_feature_desc (§4.3.2.4; QEMU VirtioFeatDesc): features le32, index u8
FEATURE_DESC = struct.Struct("<IB")
# the 64-bit guest address SET_IND and SET_CONF_IND carry (§4.3.2.6.1, §4.3.2.6.2)
INDICATOR_ADDRESS = struct.Struct(">Q")
# struct virtio_thinint_area (§4.3.2.6.3; QEMU VirtioThinintInfo): summary_indicator be64,
# indicator be64, bit_nr be64, isc u8 (exactly 25 bytes, no padding)
THININT_AREA = struct.Struct(">QQQB")
# the classic queue and configuration indicators: one big-endian 64-bit value each
CLASSIC_INDICATORS = struct.Struct(">Q")


@dataclass(frozen=True, slots=True)
class Ccw:
    """One format-1 channel command word."""

    command: int
    flags: int
    count: int
    cda: int  # the data address: 31 bits, so control blocks live below 2 GiB

    def pack(self) -> bytes:
        return CCW1.pack(self.command, self.flags, self.count, self.cda)

    @classmethod
    def unpack(cls, data: bytes) -> Ccw:
        return cls(*CCW1.unpack(data))

    @property
    def name(self) -> str:
        return command_name(self.command)


@dataclass(frozen=True, slots=True)
class VqInfo:
    """The 1.x `vq_info_block` of CCW_CMD_SET_VQ."""

    desc: int
    index: int
    num: int
    driver: int
    device: int
    res0: int = 0  # reserved: a device ignores it (§4.3.2.2.1)

    def pack(self) -> bytes:
        return VQ_INFO_BLOCK.pack(
            self.desc, self.res0, self.index, self.num, self.driver, self.device
        )

    @classmethod
    def unpack(cls, data: bytes) -> VqInfo:
        desc, res0, index, num, driver, device = VQ_INFO_BLOCK.unpack(data)
        return cls(desc, index, num, driver, device, res0)


@dataclass(frozen=True, slots=True)
class ThinintArea:
    """The `virtio_thinint_area` of CCW_CMD_SET_IND_ADAPTER: where the two stages of
    adapter-interrupt indicators live (§4.3.2.6.3)."""

    summary_indicator: int
    indicator: int
    bit_nr: int
    isc: int

    def pack(self) -> bytes:
        return THININT_AREA.pack(self.summary_indicator, self.indicator, self.bit_nr, self.isc)

    @classmethod
    def unpack(cls, data: bytes) -> ThinintArea:
        return cls(*THININT_AREA.unpack(data))


@dataclass(frozen=True, slots=True)
class SubchannelId:
    """The 32-bit subchannel id of the I/O instructions and of DIAGNOSE 0x500's GPR2
    (Linux struct subchannel_id): cssid, the m bit, ssid, a one bit, the number."""

    cssid: int = 0
    ssid: int = 0
    sch_no: int = 0

    def word(self) -> int:
        return self.cssid << 24 | self.ssid << 17 | 1 << 16 | self.sch_no

    def __str__(self) -> str:
        return f"{self.cssid:x}.{self.ssid:x}.{self.sch_no:04x}"


def adapter_bit(bit_nr: int) -> tuple[int, int]:
    """(byte offset, mask) of indicator bit `bit_nr`: bits count from the left, the most
    significant bit of the first byte being bit 0 (§4.3.2.6.3)."""
    return bit_nr // 8, 0x80 >> (bit_nr % 8)
