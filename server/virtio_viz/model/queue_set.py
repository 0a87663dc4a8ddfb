"""The queue registers of a device: what the driver may program, and when. virtio-1.2
§4.1.4.3, §4.1.5.1.3, §4.2.2, §2.6.1.

How this works: one `QueueConfig` per queue the device type has. The transports call
`set_size` / `set_address` / `set_vector` / `enable` with the selected queue. Sizes that
no ring can have raise ConfigError before anything changes (0, above 32768, not a power
of 2 for a split ring; on PCI also above the maximum); `check_size` / `check_enable`
let a transport validate before it records the register access. Rule-breaking writes a
real driver could make are Violations and leave the queue as it was: enabling before
FEATURES_OK (N15) or before the three areas were written (N96), MMIO QueueNum above
QueueNumMax (N112) or while QueueReady is 1 (N113). Writes for a queue that does not
exist, or (PCI) for an enabled queue, are ignored with an event, as QEMU ignores them.
"""

from __future__ import annotations

from collections.abc import Callable

from virtio_viz.model.device_queue import (
    Area,
    DeviceGate,
    LiveQueue,
    QueueConfig,
    check_layout,
    make_device_queue,
)
from virtio_viz.model.errors import ConfigError
from virtio_viz.model.events import EventLog, Value
from virtio_viz.model.features import bit
from virtio_viz.model.memory import GuestMemory
from virtio_viz.model.spec import MAX_QUEUE_SIZE, Status
from virtio_viz.model.status import StatusMachine

RING_PACKED = bit("VIRTIO_F_RING_PACKED")
_QEMU_PCI = "virtio_pci_common_write() / virtio_mmio_write() in QEMU"


class QueueSet:
    """Every queue's configuration, and the rings of the enabled ones."""

    def __init__(
        self,
        memory: GuestMemory,
        log: EventLog,
        status: StatusMachine,
        max_sizes: tuple[int, ...],
        *,
        gate: DeviceGate,
        on_broken: Callable[[int, str], None],
    ) -> None:
        for index, size in enumerate(max_sizes):
            if not 0 <= size <= MAX_QUEUE_SIZE or size & (size - 1):  # §4.1.4.3.1 (N93)
                raise ConfigError(f"queue {index}: maximum size {size} is not 0 or a power of 2")
        self.memory = memory
        self.log = log
        self.status = status
        # QEMU's choice: queue_notify_off = queue index
        self.configs = [QueueConfig(i, max_size=s, notify_off=i) for i, s in enumerate(max_sizes)]
        self._live: dict[int, LiveQueue] = {}
        self._gate = gate
        self._on_broken = on_broken

    def __len__(self) -> int:
        return len(self.configs)

    def config(self, index: int) -> QueueConfig | None:
        """The queue's configuration, or None if the device has no such queue."""
        if 0 <= index < len(self.configs) and self.configs[index].exists:
            return self.configs[index]
        return None

    def ring(self, index: int) -> LiveQueue | None:
        """The enabled queue's ring (gated: usable only while the device processes)."""
        return self._live.get(index)

    def rings(self) -> list[LiveQueue]:
        return list(self._live.values())

    def retire_all(self) -> None:
        """Device reset: every ring is dropped and every queue goes back to defaults."""
        for live in self._live.values():
            live.retire()
        self._live.clear()
        for config in self.configs:
            config.reset()

    # -- size ------------------------------------------------------------------------------
    def _may_be_packed(self) -> bool:
        features = self.status.features
        return bool(features.accepted & RING_PACKED)

    def check_size(self, index: int, size: int, *, over_max_rule: int | None) -> None:
        """Raise ConfigError for a size no ring can have; nothing changes."""
        config = self.config(index)
        if config is None or config.enabled:
            return  # ignored later, with an event
        if not 1 <= size <= MAX_QUEUE_SIZE:
            raise ConfigError(f"queue {index}: size {size} is impossible (1..{MAX_QUEUE_SIZE})")
        if size & (size - 1) and not self._may_be_packed():
            raise ConfigError(
                f"queue {index}: size {size} is not a power of 2, which a split ring needs "
                "(§2.7; the device presents only 0 or powers of 2, N93)"
            )
        if size > config.max_size and over_max_rule is None:
            raise ConfigError(f"queue {index}: size {size} exceeds the maximum {config.max_size}")

    def set_size(
        self, index: int, size: int, *, locked_rule: int | None, over_max_rule: int | None
    ) -> bool:
        self.check_size(index, size, over_max_rule=over_max_rule)
        config = self._writable(index, "the size", locked_rule)
        if config is None:
            return False
        if size > config.max_size:
            assert over_max_rule is not None
            self.log.violation(
                over_max_rule,
                actor="driver",
                detail=f"the driver writes size {size} for queue {index}, above the maximum "
                f"{config.max_size}; the device keeps {config.size}",
                queue=index,
                values={"size": size, "max": config.max_size},
            )
            return False
        config.size = size
        return True

    # -- addresses and vectors -------------------------------------------------------------------
    def set_address(self, index: int, area: Area, value: int, *, locked_rule: int | None) -> bool:
        config = self._writable(index, f"the {area} area address", locked_rule)
        if config is None:
            return False
        config.set_address(area, value)
        return True

    def set_vector(self, index: int, vector: int) -> None:
        config = self.config(index)
        if config is not None:
            config.msix_vector = vector

    def _writable(self, index: int, what: str, locked_rule: int | None) -> QueueConfig | None:
        config = self.config(index)
        if config is None:
            self._record(
                "queue_write_ignored",
                f"The driver sets {what} of queue {index}, which does not exist; ignored",
                index,
            )
            return None
        if not config.enabled:
            return config
        if locked_rule is not None:
            self.log.violation(
                locked_rule,
                actor="driver",
                detail=f"the driver sets {what} of queue {index} while it is ready; ignored",
                queue=index,
            )
        else:
            self._record(
                "queue_write_ignored",
                f"Queue {index} is enabled: the device keeps {what} and ignores the write",
                index,
            )
        return None

    # -- enabling, disabling, resetting ------------------------------------------------------------
    def _enable_problem(self, config: QueueConfig) -> tuple[int, str] | None:
        if self.status.has(Status.FAILED):
            return 3, "after FAILED the driver must reset before setting up queues"
        if not self.status.features.latched:
            return 15, "queues are set up only after FEATURES_OK is accepted"
        if config.unconfigured:
            return 96, f"the {', '.join(config.unconfigured)} address(es) were never written"
        return None

    def check_enable(self, index: int) -> None:
        """Raise ConfigError / MemoryFault if enabling now would build an impossible ring."""
        config = self.config(index)
        if config is None or config.enabled or self._enable_problem(config):
            return
        check_layout(self.memory, config, self.status.negotiated)

    def enable(self, index: int, *, spec: str = "§4.1.5.1.3") -> bool:
        self.check_enable(index)
        config = self.config(index)
        if config is None or config.enabled:
            why = "is already enabled" if config else "does not exist"
            self._record("queue_enable_ignored", f"Queue {index} {why}: nothing changes", index)
            return False
        problem = self._enable_problem(config)
        if problem is not None:
            rule, why = problem
            detail = f"queue {index} is enabled but {why}; the device leaves it disabled"
            self.log.violation(rule, actor="driver", detail=detail, queue=index)
            return False
        negotiated = self.status.negotiated
        ring = make_device_queue(self.memory, self.log, config, negotiated)
        config.enabled = True
        self._live[index] = LiveQueue(ring, self._gate, self._on_broken)
        kind = "packed" if negotiated & RING_PACKED else "split"
        self._record(
            "queue_enabled",
            f"The device takes queue {index}: a {kind} ring of {config.size}, desc "
            f"0x{config.desc_addr:x}, driver 0x{config.driver_addr:x}, device "
            f"0x{config.device_addr:x}",
            index,
            spec=spec,
            analog="virtio_queue_enable() in QEMU",
            values={"size": config.size, "ring": kind, "desc": config.desc_addr,
                    "driver": config.driver_addr, "device": config.device_addr},
        )  # fmt: skip
        return True

    def disable(self, index: int, *, why: str, spec: str) -> None:
        """Stop using a queue (MMIO QueueReady = 0, or a queue reset)."""
        live = self._live.pop(index, None)
        if live is not None:
            live.retire()
        config = self.config(index)
        if config is None:
            return
        config.enabled = False
        self._record(
            "queue_disabled",
            f"The device stops using queue {index} ({why})",
            index,
            spec=spec,
            analog="virtio_queue_reset() in QEMU",
        )

    def reset(self, index: int) -> None:
        """§2.6.1.1: per-queue reset; the ring state returns to its defaults (N29, N30)."""
        self.disable(index, why="queue reset", spec="§2.6.1")
        config = self.config(index)
        if config is not None:
            config.reset()

    def _record(
        self,
        kind: str,
        summary: str,
        queue: int,
        *,
        spec: str = "§4.1.4.3",
        analog: str = _QEMU_PCI,
        values: dict[str, Value] | None = None,
    ) -> None:
        self.log.record(
            kind,
            actor="device",
            plane="control",
            spec=spec,
            analog=analog,
            summary=summary,
            queue=queue,
            values=values if values is not None else {"queue_select": queue},
        )
