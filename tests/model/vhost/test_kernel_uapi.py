"""The vhost ioctl numbers and argument layouts agree with <linux/vhost.h>.

A C probe evaluates every macro and every sizeof/offsetof with the real header; the
model computes the same numbers from direction, type, nr and argument size.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.uapi import uapi_values
from virtio_viz.model.vhost import kernel, structs
from virtio_viz.model.vhost.kernel import IocDir, ioc

SCSI_TARGET = "struct vhost_scsi_target"
IOTLB_ZERO = structs.IotlbMsg(0, 0, 0, 0, 0)
LAYOUTS: dict[str, type[structs.FixedLayout]] = {
    "vhost_vring_state": structs.VringState,
    "vhost_vring_file": structs.VringFile,
    "vhost_vring_addr": structs.VringAddr,
    "vhost_memory_region": structs.MemoryRegion,
    "vhost_vdpa_iova_range": structs.IovaRange,
    "vhost_iotlb_msg": structs.IotlbMsg,
}


def test_every_ioctl_number_matches_the_header(tmp_path: Path) -> None:
    linux = uapi_values({name: name for name in kernel.IOCTLS}, tmp_path)
    model = {name: spec.number for name, spec in kernel.IOCTLS.items()}
    assert model == linux
    assert len(model) == 44  # every ioctl linux/vhost.h defines in linux-libc-dev 6.1


def test_ioc_packs_like_the_c_macros(tmp_path: Path) -> None:
    cases = {
        "none": ("_IO(0xAF, 0x7D)", ioc(IocDir.NONE, 0xAF, 0x7D, 0)),
        "read": ("_IOR(0x12, 0xFF, char[16383])", ioc(IocDir.READ, 0x12, 0xFF, 16383)),
        "write": ("_IOW(0xFF, 0x01, char[1])", ioc(IocDir.WRITE, 0xFF, 0x01, 1)),
        "both": ("_IOWR(0x00, 0x80, char[40])", ioc(IocDir.READ | IocDir.WRITE, 0, 0x80, 40)),
        "type": ("_IOC_TYPE(VHOST_SET_VRING_ADDR)", kernel.decode_ioc(0x4028AF11).type),
        "size": ("_IOC_SIZE(VHOST_SET_VRING_ADDR)", kernel.decode_ioc(0x4028AF11).size),
        "dir": ("_IOC_DIR(VHOST_GET_VRING_BASE)", kernel.decode_ioc(0xC008AF12).direction),
        "nr": ("_IOC_NR(VHOST_GET_VRING_BASE)", kernel.decode_ioc(0xC008AF12).nr),
    }
    linux = uapi_values({key: c for key, (c, _) in cases.items()}, tmp_path)
    assert linux == {key: int(value) for key, (_, value) in cases.items()}


def test_struct_sizes_and_offsets_match_vhost_types_h(tmp_path: Path) -> None:
    expressions: dict[str, str] = {}
    model: dict[str, int] = {}
    for c_name, layout in LAYOUTS.items():
        expressions[f"{c_name}.sizeof"] = f"sizeof(struct {c_name})"
        model[f"{c_name}.sizeof"] = layout.LAYOUT.size
        for field, offset in layout.offsets().items():
            expressions[f"{c_name}.{field}"] = f"offsetof(struct {c_name}, {field})"
            model[f"{c_name}.{field}"] = offset
    flexible = {
        "vhost_memory.sizeof": ("sizeof(struct vhost_memory)", structs.VhostMemory.HEADER_SIZE),
        "vhost_memory.regions": ("offsetof(struct vhost_memory, regions)", 8),
        "vdpa_config.sizeof": ("sizeof(struct vhost_vdpa_config)", structs.VdpaConfig.HEADER_SIZE),
        "vdpa_config.buf": ("offsetof(struct vhost_vdpa_config, buf)", 8),
        "vdpa_config.len": ("offsetof(struct vhost_vdpa_config, len)", 4),
        "scsi_target": ("sizeof(struct vhost_scsi_target)", kernel.STRUCTS[SCSI_TARGET]),
        "msg_v2.sizeof": ("sizeof(struct vhost_msg_v2)", len(IOTLB_ZERO.encode_v2())),
        "msg_v2.iotlb": ("offsetof(struct vhost_msg_v2, iotlb)", 8),
        "msg_v2.asid": ("offsetof(struct vhost_msg_v2, asid)", 4),
    }  # fmt: skip
    for key, (c_expr, value) in flexible.items():
        expressions[key], model[key] = c_expr, value
    assert uapi_values(expressions, tmp_path) == model
    assert model["vhost_vring_addr.sizeof"] == 40


def test_constants_match_the_header(tmp_path: Path) -> None:
    model = {
        "VHOST_VIRTIO": kernel.VHOST_VIRTIO,
        "VHOST_FILE_UNBIND": structs.VHOST_FILE_UNBIND,
        "VHOST_VRING_F_LOG": structs.VHOST_VRING_F_LOG,
        "VHOST_PAGE_SIZE": structs.VHOST_PAGE_SIZE,
        "VHOST_ACCESS_RO": structs.VHOST_ACCESS_RO,
        "VHOST_ACCESS_WO": structs.VHOST_ACCESS_WO,
        "VHOST_ACCESS_RW": structs.VHOST_ACCESS_RW,
        "VHOST_IOTLB_MISS": structs.VHOST_IOTLB_MISS,
        "VHOST_IOTLB_UPDATE": structs.VHOST_IOTLB_UPDATE,
        "VHOST_IOTLB_INVALIDATE": structs.VHOST_IOTLB_INVALIDATE,
        "VHOST_IOTLB_ACCESS_FAIL": structs.VHOST_IOTLB_ACCESS_FAIL,
        "VHOST_IOTLB_BATCH_BEGIN": structs.VHOST_IOTLB_BATCH_BEGIN,
        "VHOST_IOTLB_BATCH_END": structs.VHOST_IOTLB_BATCH_END,
        "VHOST_IOTLB_MSG": structs.VHOST_IOTLB_MSG,
        "VHOST_IOTLB_MSG_V2": structs.VHOST_IOTLB_MSG_V2,
        "_IOC_NONE": IocDir.NONE,
        "_IOC_WRITE": IocDir.WRITE,
        "_IOC_READ": IocDir.READ,
    }
    assert uapi_values({name: name for name in model}, tmp_path) == {
        name: int(value) for name, value in model.items()
    }
