"""What the importer knows about each device as the trace goes on.

Only what the log can tell: status, feature words, queue settings, MSI-X entries and
counters of the data-path events. Ring indices are not in any trace event, so they stay
None unless a QMP reply supplies them (`QueueInfo.qmp`). The counters since the queue was
enabled are facts of the trace; after a reset a split ring starts at index 0 and QEMU's
virtqueue_pop() takes one ring entry per element, so with no rewinds they equal
last_avail_idx and used.idx modulo 2^16, which a QMP reply can confirm.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from virtio_viz.model.features import bit
from virtio_viz.model.index16 import wrap16
from virtio_viz.model.spec import Status
from virtio_viz.qemu_trace.registers import NO_VECTOR, device_id, queue_name

RING_PACKED = bit("VIRTIO_F_RING_PACKED")
EVENT_IDX = bit("VIRTIO_F_EVENT_IDX")


def status_list(value: int) -> list[str]:
    return [flag.name for flag in Status if value & flag and flag.name]


@dataclass(slots=True)
class Life:
    """One bring-up of a device, numbered from 1 in the order of the log."""

    number: int
    driver: str  # who brought it up: "the firmware" or "the driver"
    negotiated: int = 0  # the features in force once FEATURES_OK latched, else 0
    driver_ok: bool = False
    ended_by_reset: bool = False
    final: dict[str, Any] | None = None  # the device as the life left it (to_json)

    @property
    def ring(self) -> str:
        return "packed" if self.negotiated & RING_PACKED else "split"

    @property
    def event_idx(self) -> bool:
        return bool(self.negotiated & EVENT_IDX)

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "driver": self.driver,
            "ring": self.ring,
            "event_idx": self.event_idx,
            "negotiated": hex(self.negotiated),
            "driver_ok": self.driver_ok,
            "ended_by_reset": self.ended_by_reset,
        }


@dataclass(slots=True)
class QueueInfo:
    index: int
    size: int | None = None
    max_size: int | None = None
    msix_vector: int | None = None
    enabled: bool = False
    notify_off: int | None = None
    addresses: dict[str, int] = field(default_factory=lambda: {"desc": 0, "driver": 0, "device": 0})
    pops: int = 0  # since the queue was enabled
    used: int = 0  # elements published by virtqueue_flush since the queue was enabled
    in_use: int = 0  # popped, not yet filled
    qmp: dict[str, Any] | None = None

    def set_half(self, area: str, half: int, value: int) -> None:
        old = self.addresses[area]
        if half == 0:
            self.addresses[area] = (old & ~0xFFFFFFFF) | value
        else:
            self.addresses[area] = (old & 0xFFFFFFFF) | value << 32

    def to_json(self, dev_id: int, packed: bool, num_queues: int | None) -> dict[str, Any]:
        size = self.size or self.max_size or 0  # virtio-1.2 §4.1.4.3: reset leaves the maximum
        vector = None if self.msix_vector in (None, NO_VECTOR) else self.msix_vector
        configured = size > 0 and any(self.addresses.values())
        return {
            "index": self.index,
            "name": queue_name(dev_id, self.index, num_queues),
            "format": "packed" if packed else "split",
            "size": size,
            "enabled": self.enabled,
            "msix_vector": vector,
            "areas": self._areas(size, packed) if configured else [],
            "driver": self._driver(packed) if configured else None,
            "device": self._device(packed) if configured else None,
        }

    def _areas(self, size: int, packed: bool) -> list[dict[str, Any]]:
        a = self.addresses
        if packed:  # virtio-1.2 §2.8.10.1
            rows = [("ring", "descriptor ring", a["desc"], 16 * size),
                    ("driver_event", "driver event suppression", a["driver"], 4),
                    ("device_event", "device event suppression", a["device"], 4)]  # fmt: skip
        else:  # virtio-1.2 §2.7
            rows = [("desc", "descriptor table", a["desc"], 16 * size),
                    ("avail", "available ring", a["driver"], 6 + 2 * size),
                    ("used", "used ring", a["device"], 6 + 8 * size)]  # fmt: skip
        return [{"name": n, "label": label, "addr": addr, "size": s} for n, label, addr, s in rows]

    def _driver(self, packed: bool) -> dict[str, Any]:
        qmp = self.qmp or {}
        if packed:
            return {"next_avail": None, "avail_wrap_counter": None, "next_used": None,
                    "used_wrap_counter": None, "in_flight": [], "known": False}  # fmt: skip
        return {"free_head": None, "num_free": None, "last_used_idx": None,
                "avail_idx": qmp.get("avail_idx"), "in_flight": [],
                "interrupts_enabled": None, "known": "avail_idx" in qmp}  # fmt: skip

    def _device(self, packed: bool) -> dict[str, Any]:
        qmp = self.qmp or {}
        counted = {"popped": self.pops, "used": self.used, "in_use": self.in_use}
        if packed:
            return {"next_avail": None, "avail_wrap_counter": None, "next_used": None,
                    "used_wrap_counter": None, "in_flight": [], "counted": counted,
                    "known": False}  # fmt: skip
        return {
            "last_avail_idx": qmp.get("last_avail_idx"),
            "used_idx": qmp.get("used_idx"),
            "shadow_avail_idx": qmp.get("shadow_avail_idx"),
            "notifications_enabled": None,
            "in_flight": [],
            "counted": counted,
            "counted_last_avail_idx": wrap16(self.pops),
            "counted_used_idx": wrap16(self.used),
            "known": "used_idx" in qmp,
        }


@dataclass(slots=True)
class DeviceState:
    name: str
    status: int = 0
    offered: int = 0
    driver_features: int = 0
    negotiated: int = 0
    device_feature_select: int = 0
    driver_feature_select: int = 0
    queue_select: int = 0
    num_queues: int | None = None
    config_msix_vector: int | None = None
    config_generation: int | None = None
    queues: dict[int, QueueInfo] = field(default_factory=dict)
    msix: dict[int, dict[str, int]] = field(default_factory=dict)
    lives: list[Life] = field(default_factory=list)
    life: Life | None = None  # the life in force; None before the first and after a reset

    @property
    def dev_id(self) -> int:
        return device_id(self.name)

    @property
    def ring_features(self) -> int:
        """The features that decide the ring format now: this life's once negotiated,
        else those of the last life that negotiated any (a reset keeps the picture)."""
        if self.negotiated:
            return self.negotiated
        return next((life.negotiated for life in reversed(self.lives) if life.negotiated), 0)

    @property
    def packed(self) -> bool:
        return bool(self.ring_features & RING_PACKED)

    def set_status(self, value: int, who: str) -> None:
        """A non-zero status from the driver; the first one after a reset starts a life."""
        if self.life is None:
            self.life = Life(len(self.lives) + 1, who)
            self.lives.append(self.life)
        self.status = value
        if value & Status.DRIVER_OK:
            self.life.driver_ok = True

    def latch_features(self, negotiated: int) -> None:
        """FEATURES_OK latched (or, with 0, was refused): the set in force for this life."""
        self.negotiated = negotiated
        if self.life is not None:
            self.life.negotiated = negotiated

    def main_life(self) -> Life | None:
        """The life worth drawing: the last that reached DRIVER_OK, else the last one."""
        live = [life for life in self.lives if life.driver_ok] or self.lives
        return live[-1] if live else None

    def queue(self, index: int) -> QueueInfo:
        if index not in self.queues:
            self.queues[index] = QueueInfo(index)
        return self.queues[index]

    def reset(self) -> None:
        """virtio-1.2 §2.4: status, features and every queue setting go back to defaults;
        the life in force ends."""
        if self.life is not None:
            self.life.ended_by_reset = True
            self.life.final = self.to_json()
            self.life = None
        self.status = 0
        self.driver_features = 0
        self.negotiated = 0
        self.config_msix_vector = None
        for index in list(self.queues):
            self.queues[index] = QueueInfo(index, max_size=self.queues[index].max_size)

    def features_json(self) -> dict[str, Any]:
        return {
            "device_id": self.dev_id,
            "offered": hex(self.offered),
            "driver": hex(self.driver_features),
            "negotiated": hex(self.negotiated),
        }

    def queues_json(self) -> list[dict[str, Any]]:
        return [
            self.queues[i].to_json(self.dev_id, self.packed, self.num_queues)
            for i in sorted(self.queues)
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": {"value": self.status, "names": status_list(self.status)},
            "features": self.features_json(),
            "event_idx": bool(self.negotiated & EVENT_IDX),
            "queues": self.queues_json(),
            "msix_table": {str(k): dict(v) for k, v in sorted(self.msix.items())},
            "config_msix_vector": self.config_msix_vector,
            "config_generation": self.config_generation,
            "life": self.life.number if self.life else None,
        }

    def lives_json(self) -> list[dict[str, Any]]:
        """Every life, each with the device as it left it (the open one: as it is now)."""
        return [
            {**life.to_json(), "final": life.final if life.final is not None else self.to_json()}
            for life in self.lives
        ]
