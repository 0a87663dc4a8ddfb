"""Transport layouts agree with <linux/virtio_pci.h> and <linux/virtio_mmio.h>."""

from __future__ import annotations

from pathlib import Path

from tests.support.uapi import uapi_values
from virtio_viz.model.transport import pci_config
from virtio_viz.model.transport.mmio import MAGIC_VALUE, MMIO_REGISTERS
from virtio_viz.model.transport.pci_common import COMMON_FIELDS

# struct virtio_pci_common_cfg spells a few fields the Linux 6.1 way (FACTS.md §6.3);
# queue_notify_data and queue_reset have only offset macros there.
UAPI_COMMON = {
    "driver_feature_select": "guest_feature_select",
    "driver_feature": "guest_feature",
    "config_msix_vector": "msix_config",
    "queue_desc": "queue_desc_lo",
    "queue_driver": "queue_avail_lo",
    "queue_device": "queue_used_lo",
}
UAPI_COMMON_MACROS = {"queue_notify_data": "VIRTIO_PCI_COMMON_Q_NDATA",
                      "queue_reset": "VIRTIO_PCI_COMMON_Q_RESET"}  # fmt: skip
# virtio_mmio.h names (QueueReset is not in Linux 6.1; the SHM registers are)
UAPI_MMIO = {
    "MagicValue": "MAGIC_VALUE", "Version": "VERSION", "DeviceID": "DEVICE_ID",
    "VendorID": "VENDOR_ID", "DeviceFeatures": "DEVICE_FEATURES",
    "DeviceFeaturesSel": "DEVICE_FEATURES_SEL", "DriverFeatures": "DRIVER_FEATURES",
    "DriverFeaturesSel": "DRIVER_FEATURES_SEL", "QueueSel": "QUEUE_SEL",
    "QueueNumMax": "QUEUE_NUM_MAX", "QueueNum": "QUEUE_NUM", "QueueReady": "QUEUE_READY",
    "QueueNotify": "QUEUE_NOTIFY", "InterruptStatus": "INTERRUPT_STATUS",
    "InterruptACK": "INTERRUPT_ACK", "Status": "STATUS", "QueueDescLow": "QUEUE_DESC_LOW",
    "QueueDescHigh": "QUEUE_DESC_HIGH", "QueueDriverLow": "QUEUE_AVAIL_LOW",
    "QueueDriverHigh": "QUEUE_AVAIL_HIGH", "QueueDeviceLow": "QUEUE_USED_LOW",
    "QueueDeviceHigh": "QUEUE_USED_HIGH", "SHMSel": "SHM_SEL", "SHMLenLow": "SHM_LEN_LOW",
    "SHMLenHigh": "SHM_LEN_HIGH", "SHMBaseLow": "SHM_BASE_LOW", "SHMBaseHigh": "SHM_BASE_HIGH",
    "ConfigGeneration": "CONFIG_GENERATION",
}  # fmt: skip


def test_common_configuration_offsets_match_virtio_pci_h(tmp_path: Path) -> None:
    expressions = {
        f.name: UAPI_COMMON_MACROS.get(f.name)
        or f"offsetof(struct virtio_pci_common_cfg, {UAPI_COMMON.get(f.name, f.name)})"
        for f in COMMON_FIELDS
    }
    assert uapi_values(expressions, tmp_path) == {f.name: f.offset for f in COMMON_FIELDS}


def test_capability_structures_and_types_match_virtio_pci_h(tmp_path: Path) -> None:
    linux = uapi_values(
        {
            "cap": "sizeof(struct virtio_pci_cap)",
            "notify_cap": "sizeof(struct virtio_pci_notify_cap)",
            "cfg_cap": "sizeof(struct virtio_pci_cfg_cap)",
            "cap_offset": "offsetof(struct virtio_pci_cap, offset)",
            "multiplier": "offsetof(struct virtio_pci_notify_cap, notify_off_multiplier)",
            "COMMON": "VIRTIO_PCI_CAP_COMMON_CFG",
            "NOTIFY": "VIRTIO_PCI_CAP_NOTIFY_CFG",
            "ISR": "VIRTIO_PCI_CAP_ISR_CFG",
            "DEVICE": "VIRTIO_PCI_CAP_DEVICE_CFG",
            "PCI": "VIRTIO_PCI_CAP_PCI_CFG",
        },
        tmp_path,
    )
    assert linux == {
        "cap": 16,
        "notify_cap": 20,
        "cfg_cap": 20,
        "cap_offset": 8,
        "multiplier": 16,
        "COMMON": pci_config.VIRTIO_PCI_CAP_COMMON_CFG,
        "NOTIFY": pci_config.VIRTIO_PCI_CAP_NOTIFY_CFG,
        "ISR": pci_config.VIRTIO_PCI_CAP_ISR_CFG,
        "DEVICE": pci_config.VIRTIO_PCI_CAP_DEVICE_CFG,
        "PCI": pci_config.VIRTIO_PCI_CAP_PCI_CFG,
    }


def test_mmio_register_offsets_match_virtio_mmio_h(tmp_path: Path) -> None:
    ours = {r.name: r.offset for r in MMIO_REGISTERS if r.name in UAPI_MMIO}
    assert len(ours) == len(UAPI_MMIO)
    expressions = {name: f"VIRTIO_MMIO_{UAPI_MMIO[name]}" for name in ours}
    expressions["magic"] = "('v' | 'i' << 8 | 'r' << 16 | 't' << 24)"
    assert uapi_values(expressions, tmp_path) == {**ours, "magic": MAGIC_VALUE}
