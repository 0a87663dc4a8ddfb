"""The model's constants agree with Linux's uapi headers (linux-libc-dev)."""

from __future__ import annotations

from pathlib import Path

from tests.support.uapi import uapi_values
from virtio_viz.model import features, spec
from virtio_viz.model.spec import Status


def test_status_bits_match_virtio_config_h(tmp_path: Path) -> None:
    linux = uapi_values(
        {
            "ACKNOWLEDGE": "VIRTIO_CONFIG_S_ACKNOWLEDGE",
            "DRIVER": "VIRTIO_CONFIG_S_DRIVER",
            "DRIVER_OK": "VIRTIO_CONFIG_S_DRIVER_OK",
            "FEATURES_OK": "VIRTIO_CONFIG_S_FEATURES_OK",
            "DEVICE_NEEDS_RESET": "VIRTIO_CONFIG_S_NEEDS_RESET",
            "FAILED": "VIRTIO_CONFIG_S_FAILED",
        },
        tmp_path,
    )
    assert linux == {bit.name: bit.value for bit in Status}


def test_ring_flags_match_virtio_ring_h(tmp_path: Path) -> None:
    linux = uapi_values(
        {
            "NEXT": "VRING_DESC_F_NEXT",
            "WRITE": "VRING_DESC_F_WRITE",
            "INDIRECT": "VRING_DESC_F_INDIRECT",
            "NO_INTERRUPT": "VRING_AVAIL_F_NO_INTERRUPT",
            "NO_NOTIFY": "VRING_USED_F_NO_NOTIFY",
            "AVAIL": "1 << VRING_PACKED_DESC_F_AVAIL",
            "USED": "1 << VRING_PACKED_DESC_F_USED",
            "ENABLE": "VRING_PACKED_EVENT_FLAG_ENABLE",
            "DISABLE": "VRING_PACKED_EVENT_FLAG_DISABLE",
            "DESC": "VRING_PACKED_EVENT_FLAG_DESC",
            "WRAP_SHIFT": "VRING_PACKED_EVENT_F_WRAP_CTR",
            "desc_size": "sizeof(struct vring_desc)",
            "packed_desc_size": "sizeof(struct vring_packed_desc)",
        },
        tmp_path,
    )
    assert linux == {
        "NEXT": spec.VIRTQ_DESC_F_NEXT,
        "WRITE": spec.VIRTQ_DESC_F_WRITE,
        "INDIRECT": spec.VIRTQ_DESC_F_INDIRECT,
        "NO_INTERRUPT": spec.VIRTQ_AVAIL_F_NO_INTERRUPT,
        "NO_NOTIFY": spec.VIRTQ_USED_F_NO_NOTIFY,
        "AVAIL": spec.VIRTQ_DESC_F_AVAIL,
        "USED": spec.VIRTQ_DESC_F_USED,
        "ENABLE": spec.RING_EVENT_FLAGS_ENABLE,
        "DISABLE": spec.RING_EVENT_FLAGS_DISABLE,
        "DESC": spec.RING_EVENT_FLAGS_DESC,
        "WRAP_SHIFT": spec.PACKED_EVENT_WRAP_SHIFT,
        "desc_size": spec.DESC_SIZE,
        "packed_desc_size": spec.DESC_SIZE,
    }


# uapi spells a few feature names differently, or not at all (FACTS.md §2.2 - §2.4).
UAPI_FEATURE_NAME = {
    "VIRTIO_F_INDIRECT_DESC": "VIRTIO_RING_F_INDIRECT_DESC",
    "VIRTIO_F_EVENT_IDX": "VIRTIO_RING_F_EVENT_IDX",
}
NOT_IN_LINUX_6_1 = {
    "VIRTIO_F_NOTIFICATION_DATA",
    "VIRTIO_F_NOTIF_CONFIG_DATA",
    "VIRTIO_BLK_F_LIFETIME",
    "VIRTIO_NET_F_HOST_USO",
    "VIRTIO_NET_F_GUEST_HDRLEN",
}


def test_feature_bits_match_the_headers(tmp_path: Path) -> None:
    ours = {
        f.name: f.bit
        for table in (features.GENERIC, features.NET, features.BLK)
        for f in table.values()
        if f.name not in NOT_IN_LINUX_6_1
    }
    linux = uapi_values({name: UAPI_FEATURE_NAME.get(name, name) for name in ours}, tmp_path)
    assert linux == ours


def test_ids_and_interrupt_constants(tmp_path: Path) -> None:
    linux = uapi_values(
        {
            "NET": "VIRTIO_ID_NET",
            "BLOCK": "VIRTIO_ID_BLOCK",
            "CONSOLE": "VIRTIO_ID_CONSOLE",
            "ENTROPY": "VIRTIO_ID_RNG",
            "BALLOON": "VIRTIO_ID_BALLOON",
            "SCSI": "VIRTIO_ID_SCSI",
            "NO_VECTOR": "VIRTIO_MSI_NO_VECTOR",
            "ISR_CONFIG": "VIRTIO_PCI_ISR_CONFIG",
        },
        tmp_path,
    )
    assert linux == {
        **{d.name: d.value for d in spec.DeviceId},
        "NO_VECTOR": spec.VIRTIO_MSI_NO_VECTOR,
        "ISR_CONFIG": spec.ISR_CONFIG,
    }
