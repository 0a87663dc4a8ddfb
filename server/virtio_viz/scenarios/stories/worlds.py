"""Worlds built on the model's machines: a guest with one virtio-net or virtio-blk device.

How this works: a `MachineWorld` owns a `Machine` and walks the driver's bring-up one
phase at a time (`VirtioDriver.bring_up()` is a generator), so a story can pause after
each phase. It reads the viewer's state from the machine and performs the actions a
reader may take in the middle of a story: send or receive a frame, turn a feature down
before negotiation, make the device need a reset.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from virtio_viz import frames
from virtio_viz.model.devices.blk import QEMU_BLK_FEATURES
from virtio_viz.model.devices.net import QEMU_NET_FEATURES
from virtio_viz.model.errors import ConfigError, ModelError
from virtio_viz.model.events import Event, Value
from virtio_viz.model.features import by_name, table_for
from virtio_viz.model.machine import (
    BlkMachine,
    Machine,
    MachineOptions,
    NetMachine,
    virtio_blk_machine,
    virtio_net_machine,
)
from virtio_viz.model.spec import Status
from virtio_viz.scenarios import view
from virtio_viz.scenarios.options import StoryOptions
from virtio_viz.scenarios.stories import blk_requests
from virtio_viz.scenarios.story import (
    ActionError,
    ActionSpec,
    ParamSpec,
    UserAction,
    checked_params,
)

FRAME_KINDS = ("arp_request", "icmp_echo")
ARRIVAL_KINDS = ("arp_reply", "icmp_echo_reply")


def machine_options(options: StoryOptions, offered: int) -> MachineOptions:
    packed = by_name("VIRTIO_F_RING_PACKED").bit
    event_idx = by_name("VIRTIO_F_EVENT_IDX").bit
    if options.ring == "packed":
        offered |= 1 << packed
    if not options.event_idx:
        offered &= ~(1 << event_idx)
    return MachineOptions(
        transport=options.transport,
        offered=offered,
        device_refuses=sum(1 << by_name(n).bit for n in options.refused),
        driver_declines=sum(1 << by_name(n).bit for n in options.declined),
        queue_size=options.queue_size,
    )


class NotLive(ModelError):
    """The story needs a live device, and there is none (the driver gave up, or the
    device needs a reset nobody performed)."""


class MachineWorld:
    """The common part of the net and blk worlds."""

    machine: Machine

    def __init__(self, machine: Machine) -> None:
        self.machine = machine
        self.memory = machine.memory
        self.log = machine.log
        self._phases: Generator[str, None, bool] | None = None
        self.phase = "off"

    # -- bring-up, phase by phase ---------------------------------------------------------
    def discover(self) -> None:
        """The driver finds its device on the bus (PCI scan or the MMIO registers)."""
        found = self.machine.ops.discover()
        if found != self.machine.driver.device.device_id:
            raise ConfigError(f"found virtio device {found}, not the driver's type")

    def bring_up_until(self, phase: str) -> None:
        """Run the driver's bring-up until it completes `phase` (or gives up)."""
        if self._phases is None:
            self._phases = self.machine.driver.bring_up()
        while self.phase not in {phase, "gave_up"}:
            try:
                self.phase = next(self._phases)
            except StopIteration as done:
                self.phase = "live" if done.value else "gave_up"
                return
        self.machine.booted = self.live

    @property
    def live(self) -> bool:
        """The driver set DRIVER_OK and the device has not asked for a reset."""
        return self.not_live_because() is None

    def not_live_because(self) -> str | None:
        """Why the device cannot take traffic now (virtio-1.2 §2.1.1, §3.1.1), or None."""
        status = self.machine.device.device_status
        if not status & Status.DRIVER_OK:
            return "the driver gave up on it" if self.phase == "gave_up" else "no DRIVER_OK"
        if status & Status.DEVICE_NEEDS_RESET:
            return "it set DEVICE_NEEDS_RESET, and the driver has not reset it yet"
        return None

    def restart(self) -> None:
        """Start the bring-up over (after a reset), as a driver's restore path does."""
        self._phases, self.phase = None, "off"

    def service_interrupts(self) -> None:
        self.machine.service_interrupts()

    def require_live(self) -> None:
        """For the story's own moves: a story that needs traffic cannot go on without it."""
        why = self.not_live_because()
        if why is not None:
            raise NotLive(f"the device is not live ({why})")

    def notice_config_change(self) -> None:
        """The driver's configuration-change handler: take the interrupt, read the status
        (virtio-1.2 §2.1.2: DEVICE_NEEDS_RESET is announced this way)."""
        self.machine.service_interrupts()
        self.machine.driver.ops.get_status()

    # -- the way back from DEVICE_NEEDS_RESET ----------------------------------------------
    def recover(self) -> None:
        """What a driver does once it has seen DEVICE_NEEDS_RESET (virtio-1.2 §2.1.1: a
        reset is the only way out): reset the device, bring it up again from the start,
        let the host start its part again, and resume its own work (refill, say)."""
        self.log.record(
            "driver_recovers", actor="driver", plane="control", spec="§2.1.1",
            analog="a driver's restore path: virtio_reset_device(), then the bring-up again "
            "(as virtio_device_restore() in Linux does; Linux 6.1 does not start it by itself "
            "on DEVICE_NEEDS_RESET, it only calls the driver's config_changed callback)",
            summary="The driver has read DEVICE_NEEDS_RESET in device_status: nothing the "
            "device does now can be trusted, so it resets the device and initializes it "
            "again from the start, with fresh rings.",
        )  # fmt: skip
        self.machine.driver.ops.reset()
        self.restart()
        self.bring_up_until("driver_ok")
        self.require_live()
        self.host_starts()
        self.resume()

    def host_starts(self) -> None:
        """The host's part after DRIVER_OK (vhost-net, a vhost-user back-end or a vDPA card
        starts serving the rings); nothing when QEMU itself is the device."""

    def resume(self) -> None:
        """The driver's work after a fresh bring-up; nothing by default."""

    # -- the viewer's state ---------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        device = self.machine.device
        transport_msix = self.machine.transport_msix()
        queues = []
        for config in device.queues.configs:
            live = device.queues.ring(config.index)
            queues.append(
                view.queue_state(
                    config.index,
                    view.queue_name(device.device_id, config.index),
                    self.machine.driver.queues.get(config.index),
                    live.inner if live is not None and not live.stale else None,
                    enabled=config.enabled,
                    msix_vector=config.msix_vector if transport_msix else None,
                )
            )
        features = device.status.features
        return {
            "status": view.status_state(device.device_status),
            "features": view.features_state(
                device.device_id, features.offered, features.accepted, device.negotiated
            ),
            "device": view.device_state(device),
            "queues": queues,
            "extras": self.extras(),
        }

    def extras(self) -> dict[str, Any]:
        return {}

    # -- a reader's actions ---------------------------------------------------------------
    def action_specs(self) -> tuple[ActionSpec, ...]:
        return (
            ActionSpec(
                "decline_feature",
                "turn a feature down",
                "The driver will not accept this feature when it negotiates.",
                (ParamSpec("name", "choice", "feature", choices=self._feature_names()),),
            ),
            ActionSpec(
                "needs_reset",
                "make the device fail",
                "The device hits an internal error and sets DEVICE_NEEDS_RESET; the driver "
                "resets it and brings it up again.",
            ),
            ActionSpec("reset", "reset the device", "The driver writes 0 to device_status."),
        )

    def _feature_names(self) -> tuple[str, ...]:
        """The features this device offers, by name, in bit order."""
        offered = self.machine.device.status.features.offered
        table = table_for(self.machine.device.device_id)
        return tuple(table[b].name for b in sorted(table) if offered >> b & 1)

    def act(self, action: UserAction) -> None:
        params = checked_params(self.action_specs(), action)
        try:
            self.perform(action.kind, params)
        except ModelError as error:  # the model refused what the reader asked: bad input
            raise ActionError("kind", str(error)) from None

    def perform(self, kind: str, params: dict[str, int | str | bool]) -> None:
        if kind == "decline_feature":
            self._decline(str(params["name"]))
        elif kind == "needs_reset":  # a device that already asked for one: it asks again
            self._require_driver_ok("needs_reset")
            self.machine.device.needs_reset("an error the reader injected")
            self.notice_config_change()
            self.recover()
        elif kind == "reset":
            self.machine.driver.ops.reset()
            self.restart()

    def _decline(self, name: str) -> None:
        if self.machine.device.device_status & Status.FEATURES_OK:
            raise ActionError("name", "the features are already negotiated; go back first")
        self.machine.driver.refuse_features |= 1 << by_name(name).bit

    def _require_live(self, field: str) -> None:
        """For the reader's actions: refused with the reason, as bad input is."""
        why = self.not_live_because()
        if why is not None:
            raise ActionError(field, f"the device is not live ({why})")

    def _require_driver_ok(self, field: str) -> None:
        if not self.machine.device.device_status & Status.DRIVER_OK:
            raise ActionError(field, f"the device is not live ({self.not_live_because()})")


class NetWorld(MachineWorld):
    machine: NetMachine

    def __init__(self, machine: NetMachine) -> None:
        super().__init__(machine)
        self.sent = 0
        self.arrived: bytes = b""

    def annotate(self, event: Event) -> dict[str, Value] | None:
        """The frame an event carried, decoded layer by layer (Ethernet, ARP, IPv4, ICMP)."""
        if event.kind == "net_tx_frame" and self.machine.net.outbox:
            frame = self.machine.net.outbox[-1]
        elif event.kind == "net_rx_frame" and self.arrived:
            frame = self.arrived
        else:
            return None
        return dict(frames.annotation(frame))

    def resume(self) -> None:
        """A network driver posts its receive buffers again (virtnet_restore_up())."""
        self.machine.net_driver.refill_rx(self.machine.driver)

    def send(self, kind: str) -> None:
        self.require_live()
        self.sent += 1
        frame = frames.arp_request() if kind == "arp_request" else frames.icmp_echo(seq=self.sent)
        self.machine.send(frame)

    def arrive(self, kind: str) -> None:
        self.require_live()
        if kind == "arp_reply":
            frame = frames.arp_reply()
        else:
            frame = frames.icmp_echo(
                reply=True, seq=self.sent, src_mac=frames.GATEWAY_MAC, dst_mac=frames.GUEST_MAC,
                src_ip=frames.GATEWAY_IP, dst_ip=frames.GUEST_IP,
            )  # fmt: skip
        self.arrived = frame
        self.machine.arrive(frame)

    def action_specs(self) -> tuple[ActionSpec, ...]:
        return (
            ActionSpec(
                "send_frame",
                "send a frame",
                "The guest transmits a real Ethernet frame.",
                (ParamSpec("frame", "choice", "frame", choices=FRAME_KINDS, default="icmp_echo"),),
            ),
            ActionSpec(
                "receive_frame",
                "receive a frame",
                "A frame arrives from the network for the guest.",
                (
                    ParamSpec(
                        "frame", "choice", "frame", choices=ARRIVAL_KINDS, default="icmp_echo_reply"
                    ),
                ),
            ),
            *super().action_specs(),
        )

    def perform(self, kind: str, params: dict[str, int | str | bool]) -> None:
        if kind == "send_frame":
            self._require_live("kind")
            self.send(str(params["frame"]))
        elif kind == "receive_frame":
            self._require_live("kind")
            self.arrive(str(params["frame"]))
            self.service_interrupts()
        else:
            super().perform(kind, params)


class BlkWorld(MachineWorld):
    machine: BlkMachine

    def action_specs(self) -> tuple[ActionSpec, ...]:
        return (*blk_requests.ACTIONS, *super().action_specs())

    def perform(self, kind: str, params: dict[str, int | str | bool]) -> None:
        if kind in {spec.kind for spec in blk_requests.ACTIONS}:
            self._require_live("kind")
            blk_requests.perform(self.machine, kind, int(params.get("sector", 0)))
        else:
            super().perform(kind, params)


def net_world(options: StoryOptions, seed: int) -> NetWorld:
    del seed  # the net stories use no randomness
    return NetWorld(virtio_net_machine(machine_options(options, QEMU_NET_FEATURES)))


def blk_world(options: StoryOptions, seed: int) -> BlkWorld:
    del seed
    return BlkWorld(virtio_blk_machine(machine_options(options, QEMU_BLK_FEATURES)))
