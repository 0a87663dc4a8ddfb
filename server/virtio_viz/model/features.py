"""Feature bits: names, owners and dependencies. virtio-1.2 §2.2, §6, §5.1.3, §5.2.3.

Feature words travel through the transports 32 bits at a time (select 0 = bits 0..31,
select 1 = bits 32..63). `describe()` turns a 64-bit value into names for narration.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from virtio_viz.model.spec import DeviceId


@dataclass(frozen=True, slots=True)
class Feature:
    bit: int
    name: str
    section: str
    requires: tuple[str, ...] = ()  # any one of these must also be accepted/offered

    @property
    def mask(self) -> int:
        return 1 << self.bit


def _table(section: str, rows: Iterable[tuple[int, str, tuple[str, ...]]]) -> dict[int, Feature]:
    return {bit: Feature(bit, name, section, requires) for bit, name, requires in rows}


# virtio-1.2 §6: device-independent ("reserved") bits 24..40
GENERIC = _table(
    "§6",
    [
        (24, "VIRTIO_F_NOTIFY_ON_EMPTY", ()),
        (27, "VIRTIO_F_ANY_LAYOUT", ()),
        (28, "VIRTIO_F_INDIRECT_DESC", ()),
        (29, "VIRTIO_F_EVENT_IDX", ()),
        (32, "VIRTIO_F_VERSION_1", ()),
        (33, "VIRTIO_F_ACCESS_PLATFORM", ()),
        (34, "VIRTIO_F_RING_PACKED", ()),
        (35, "VIRTIO_F_IN_ORDER", ()),
        (36, "VIRTIO_F_ORDER_PLATFORM", ()),
        (37, "VIRTIO_F_SR_IOV", ()),
        (38, "VIRTIO_F_NOTIFICATION_DATA", ()),
        (39, "VIRTIO_F_NOTIF_CONFIG_DATA", ()),
        (40, "VIRTIO_F_RING_RESET", ()),
    ],
)

_CTRL = ("VIRTIO_NET_F_CTRL_VQ",)
# virtio-1.2 §5.1.3 and §5.1.3.1 (dependencies)
NET = _table(
    "§5.1.3",
    [
        (0, "VIRTIO_NET_F_CSUM", ()),
        (1, "VIRTIO_NET_F_GUEST_CSUM", ()),
        (2, "VIRTIO_NET_F_CTRL_GUEST_OFFLOADS", _CTRL),
        (3, "VIRTIO_NET_F_MTU", ()),
        (5, "VIRTIO_NET_F_MAC", ()),
        (6, "VIRTIO_NET_F_GSO", ()),
        (7, "VIRTIO_NET_F_GUEST_TSO4", ("VIRTIO_NET_F_GUEST_CSUM",)),
        (8, "VIRTIO_NET_F_GUEST_TSO6", ("VIRTIO_NET_F_GUEST_CSUM",)),
        (9, "VIRTIO_NET_F_GUEST_ECN", ("VIRTIO_NET_F_GUEST_TSO4", "VIRTIO_NET_F_GUEST_TSO6")),
        (10, "VIRTIO_NET_F_GUEST_UFO", ("VIRTIO_NET_F_GUEST_CSUM",)),
        (11, "VIRTIO_NET_F_HOST_TSO4", ("VIRTIO_NET_F_CSUM",)),
        (12, "VIRTIO_NET_F_HOST_TSO6", ("VIRTIO_NET_F_CSUM",)),
        (13, "VIRTIO_NET_F_HOST_ECN", ("VIRTIO_NET_F_HOST_TSO4", "VIRTIO_NET_F_HOST_TSO6")),
        (14, "VIRTIO_NET_F_HOST_UFO", ("VIRTIO_NET_F_CSUM",)),
        (15, "VIRTIO_NET_F_MRG_RXBUF", ()),
        (16, "VIRTIO_NET_F_STATUS", ()),
        (17, "VIRTIO_NET_F_CTRL_VQ", ()),
        (18, "VIRTIO_NET_F_CTRL_RX", _CTRL),
        (19, "VIRTIO_NET_F_CTRL_VLAN", _CTRL),
        (20, "VIRTIO_NET_F_CTRL_RX_EXTRA", ("VIRTIO_NET_F_CTRL_RX",)),
        (21, "VIRTIO_NET_F_GUEST_ANNOUNCE", _CTRL),
        (22, "VIRTIO_NET_F_MQ", _CTRL),
        (23, "VIRTIO_NET_F_CTRL_MAC_ADDR", _CTRL),
        (56, "VIRTIO_NET_F_HOST_USO", ("VIRTIO_NET_F_CSUM",)),
        (57, "VIRTIO_NET_F_HASH_REPORT", ()),
        (59, "VIRTIO_NET_F_GUEST_HDRLEN", ()),
        (60, "VIRTIO_NET_F_RSS", _CTRL),
        (61, "VIRTIO_NET_F_RSC_EXT", ("VIRTIO_NET_F_HOST_TSO4", "VIRTIO_NET_F_HOST_TSO6")),
        (62, "VIRTIO_NET_F_STANDBY", ()),
        (63, "VIRTIO_NET_F_SPEED_DUPLEX", ()),
    ],
)

# virtio-1.2 §5.2.3
BLK = _table(
    "§5.2.3",
    [
        (1, "VIRTIO_BLK_F_SIZE_MAX", ()),
        (2, "VIRTIO_BLK_F_SEG_MAX", ()),
        (4, "VIRTIO_BLK_F_GEOMETRY", ()),
        (5, "VIRTIO_BLK_F_RO", ()),
        (6, "VIRTIO_BLK_F_BLK_SIZE", ()),
        (9, "VIRTIO_BLK_F_FLUSH", ()),
        (10, "VIRTIO_BLK_F_TOPOLOGY", ()),
        (11, "VIRTIO_BLK_F_CONFIG_WCE", ("VIRTIO_BLK_F_FLUSH",)),
        (12, "VIRTIO_BLK_F_MQ", ()),
        (13, "VIRTIO_BLK_F_DISCARD", ()),
        (14, "VIRTIO_BLK_F_WRITE_ZEROES", ()),
        (15, "VIRTIO_BLK_F_LIFETIME", ()),
        (16, "VIRTIO_BLK_F_SECURE_ERASE", ()),
    ],
)

_DEVICE_TABLES: dict[int, dict[int, Feature]] = {DeviceId.NET: NET, DeviceId.BLOCK: BLK}


def table_for(device_id: int) -> dict[int, Feature]:
    """Every known feature of a device type: its own bits plus the generic ones."""
    return {**_DEVICE_TABLES.get(device_id, {}), **GENERIC}


def by_name(name: str) -> Feature:
    for table in (GENERIC, NET, BLK):
        for feature in table.values():
            if feature.name == name:
                return feature
    raise KeyError(name)


def bit(name: str) -> int:
    return by_name(name).mask


def describe(value: int, device_id: int) -> list[str]:
    """Names of the set bits of `value`, unknown ones as 'bit N'."""
    table = table_for(device_id)
    return [table[n].name if n in table else f"bit {n}" for n in range(64) if value >> n & 1]


def missing_requirements(value: int, device_id: int) -> list[tuple[Feature, tuple[str, ...]]]:
    """Features set in `value` whose requirements are not (virtio-1.2 §2.2.1, §5.1.3.1)."""
    table = table_for(device_id)
    names = {table[n].name for n in range(64) if value >> n & 1 and n in table}
    return [
        (table[n], table[n].requires)
        for n in range(64)
        if value >> n & 1
        and n in table
        and table[n].requires
        and not names.intersection(table[n].requires)
    ]
