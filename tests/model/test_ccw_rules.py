"""The MUSTs of virtio over channel I/O (N115-N135, virtio-1.2 §4.3), one test each, and
the parts that do not depend on the transport, which agree with PCI and MMIO."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.ccw_rig import run, tapped_machine
from virtio_viz import frames
from virtio_viz.model.device import VirtioDevice
from virtio_viz.model.driver.ccw_ops import CcwOps
from virtio_viz.model.errors import ConfigError
from virtio_viz.model.events import Event, EventLog, Value
from virtio_viz.model.features import bit
from virtio_viz.model.machine import (
    Machine,
    MachineOptions,
    TransportKind,
    virtio_blk_machine,
    virtio_net_machine,
)
from virtio_viz.model.memory import GuestMemory
from virtio_viz.model.spec import Status
from virtio_viz.model.transport.ccw import CcwTransport
from virtio_viz.model.transport.ccw_commands import Ending
from virtio_viz.model.transport.ccw_layout import CCW_FLAG_SLI, Command


def fresh() -> CcwTransport:
    """A virtio-net device behind a subchannel, no driver yet."""
    machine = virtio_net_machine(MachineOptions(transport="ccw"))
    assert isinstance(machine.transport, CcwTransport)
    return machine.transport


def with_revision(revision: int = 2) -> CcwTransport:
    transport = fresh()
    assert run(transport, Command.SET_VIRTIO_REV, revision.to_bytes(2, "big") + bytes(2))[0].ok
    return transport


def rules(transport: CcwTransport) -> list[int]:
    return [v.rule for v in transport.log.violations()]


def driven_to(transport: CcwTransport, *statuses: int) -> None:
    for status in statuses:
        assert run(transport, Command.WRITE_STATUS, bytes([status]))[0].ok


# -- §4.3.1.3 / §4.3.1.4: basic concepts ---------------------------------------------------------
def test_n115_an_unknown_command_is_a_command_reject() -> None:
    """N115."""
    ending, _ = run(with_revision(), 0x99, bytes(4))
    assert ending.command_reject and not ending.ok


def test_n116_a_count_that_does_not_match_is_an_incorrect_length() -> None:
    """N116."""
    transport = with_revision()
    ending, _ = run(transport, Command.WRITE_STATUS, b"\x01\x00", count=2)
    assert ending.describe() == "incorrect length" and not ending.ok
    assert transport.device.device_status == 0  # the command did not run


def test_n117_with_sli_too_short_a_block_is_a_check_condition() -> None:
    """N117."""
    transport = with_revision()
    ending, _ = run(transport, Command.READ_FEAT, bytes(3), flags=CCW_FLAG_SLI)
    assert ending.describe() == "channel program check"
    longer, after = run(transport, Command.READ_FEAT, bytes(8), flags=CCW_FLAG_SLI)
    assert longer.ok and after[:4] == bytes.fromhex("2480bf30")  # a longer block is fine


class ForeignDevice:
    """A subchannel whose SENSE ID names another control unit (or virtio with odd
    device type and model), and that rejects every revision if asked to."""

    def __init__(self, memory: GuestMemory, cu_type: int, *, revisions: bool) -> None:
        self.memory = memory
        self.cu_type, self.revisions = cu_type, revisions
        self.commands: list[int] = []

    def start_subchannel(self, ccw_address: int) -> Ending:
        ccw = self.memory.peek(ccw_address, 8)
        self.commands.append(ccw[0])
        cda = int.from_bytes(ccw[4:8], "big")
        if ccw[0] == Command.SENSE_ID:
            sense = bytes([0xFF]) + self.cu_type.to_bytes(2, "big") + bytes.fromhex("01 1234 56")
            self.memory.write(cda, sense)
            return Ending()
        return Ending() if self.revisions else Ending(0x0E, 0, 0x80)

    def diagnose_500(self, gpr1: int, gpr2: int, gpr3: int, gpr4: int) -> int:
        raise AssertionError("no notification expected")


def ops_on(cu_type: int, *, revisions: bool = True) -> tuple[CcwOps, ForeignDevice]:
    machine = virtio_net_machine(MachineOptions(transport="ccw"))
    assert isinstance(machine.ops, CcwOps)
    bus = ForeignDevice(machine.memory, cu_type, revisions=revisions)
    machine.ops.bus = bus
    return machine.ops, bus


def test_n118_the_driver_checks_only_the_control_unit_type() -> None:
    """N118."""
    ops, _ = ops_on(0x3832)
    assert ops.discover() == 1  # device type 0x1234 and model 0x56 are ignored
    with pytest.raises(ConfigError, match="0x3990"):
        ops_on(0x3990)[0].discover()


# -- §4.3.2.1: the revision ------------------------------------------------------------------------
def test_n119_an_unsupported_revision_or_extra_data_is_rejected() -> None:
    """N119."""
    transport = fresh()
    assert run(transport, Command.SET_VIRTIO_REV, bytes.fromhex("0003 0000"))[0].command_reject
    assert run(transport, Command.SET_VIRTIO_REV, bytes.fromhex("0001 0004 00000000"),
               count=4)[0].command_reject  # fmt: skip
    assert transport.revision is None


def test_n120_the_non_transitional_device_rejects_revision_0() -> None:
    """N120."""
    transport = fresh()
    assert run(transport, Command.SET_VIRTIO_REV, bytes(4))[0].command_reject
    assert transport.revision is None


def test_n121_n124_a_second_revision_is_rejected_and_is_the_drivers_fault() -> None:
    """N121, N124."""
    transport = with_revision(2)
    ending, _ = run(transport, Command.SET_VIRTIO_REV, bytes.fromhex("0001 0000"))
    assert ending.command_reject and transport.revision == 2
    assert rules(transport) == [124]


def test_n122_n123_n126_nothing_virtio_runs_before_a_revision() -> None:
    """N122, N123, N126."""
    transport = fresh()
    assert transport.revision is None  # N122: unset from the start
    ending, after = run(transport, Command.READ_FEAT, bytes(5))
    assert ending.command_reject and after == bytes(5)  # N126: rejected, nothing written
    assert rules(transport) == [123]
    sense, _ = run(transport, Command.SENSE_ID, bytes(8), flags=CCW_FLAG_SLI)
    assert sense.ok  # a basic channel command needs no revision


def test_n125_a_driver_that_gets_no_revision_stops() -> None:
    """N125."""
    ops, bus = ops_on(0x3832, revisions=False)
    with pytest.raises(ConfigError, match="no virtio 1 revision"):
        ops.discover()
    assert bus.commands == [Command.SENSE_ID, Command.SET_VIRTIO_REV, Command.SET_VIRTIO_REV]


# -- §4.3.2.2 / §4.3.2.3: queues and status --------------------------------------------------------
def test_n127_res0_of_the_vq_info_block_is_ignored() -> None:
    """N127."""
    transport = with_revision()
    driven_to(transport, 1, 3)
    features = transport.device.status.features.offered
    for index in (0, 1):
        word = (features >> (32 * index) & 0xFFFF_FFFF).to_bytes(4, "little")
        assert run(transport, Command.WRITE_FEAT, word + bytes([index]))[0].ok
    driven_to(transport, 0xB)
    base = 0x0238_0000
    info = (base.to_bytes(8, "big") + bytes.fromhex("deadbeef") + bytes.fromhex("0000 0010")
            + (base + 0x100).to_bytes(8, "big") + (base + 0x1000).to_bytes(8, "big"))  # fmt: skip
    ending, _ = run(transport, Command.SET_VQ, info)
    assert ending.ok and transport.device.queues.config(0) is not None
    config = transport.device.queues.config(0)
    assert config is not None and config.enabled and config.size == 16


def test_n128_n130_a_refused_status_is_rejected_and_the_driver_keeps_the_old_one() -> None:
    """The device does not take FEATURES_OK (it refuses EVENT_IDX): it leaves the status
    and rejects the write (N130); the driver puts its copy back (N128) and gives up."""
    machine, tap = tapped_machine(device_refuses=bit("VIRTIO_F_EVENT_IDX"))
    assert not machine.boot()
    features_ok = [p for p in tap.programs if p.command == Command.WRITE_STATUS
                   and p.before == b"\x0b"]  # fmt: skip
    assert len(features_ok) == 1 and features_ok[0].ending.command_reject
    assert machine.device.device_status & Status.FAILED
    assert not machine.device.device_status & Status.FEATURES_OK
    assert isinstance(machine.ops, CcwOps)
    machine.ops.reset()
    machine.ops.set_status(Status.ACKNOWLEDGE)
    machine.ops.set_status(Status.ACKNOWLEDGE | Status.DRIVER_OK)  # skips steps: refused
    assert machine.memory.peek(machine.ops.status_byte, 1) == b"\x01"


def test_n129_read_status_needs_revision_2() -> None:
    """N129."""
    transport = with_revision(1)
    ending, _ = run(transport, Command.READ_STATUS, b"\xff")
    assert ending.command_reject and rules(transport) == [129]
    machine, tap = tapped_machine(max_revision=1)  # the driver settles for revision 1 ...
    assert machine.boot()
    assert isinstance(machine.ops, CcwOps) and machine.ops.revision == 1
    assert all(p.command != Command.READ_STATUS for p in tap.programs)  # ... and never asks
    assert machine.log.violations() == []


def test_n131_read_status_returns_the_current_status() -> None:
    """N131."""
    transport = with_revision()
    driven_to(transport, 1, 3)
    ending, after = run(transport, Command.READ_STATUS, b"\xff")
    assert ending.ok and after == b"\x03"


# -- §4.3.2.6: indicators --------------------------------------------------------------------------
THININT = bytes(8) + (0x0238_0000).to_bytes(8, "big") + bytes(8) + b"\x03"


def test_n132_classic_indicators_after_adapter_ones_are_rejected() -> None:
    """N132."""
    transport = with_revision()
    assert run(transport, Command.SET_IND_ADAPTER, THININT)[0].ok
    assert run(transport, Command.SET_IND, (0x0238_0000).to_bytes(8, "big"))[0].command_reject
    assert transport.indicators.mode == "adapter"


def test_n133_adapter_indicators_after_classic_ones_are_rejected() -> None:
    """N133."""
    transport = with_revision()
    assert run(transport, Command.SET_IND, (0x0238_0000).to_bytes(8, "big"))[0].ok
    assert run(transport, Command.SET_IND_ADAPTER, THININT)[0].command_reject
    assert transport.indicators.mode == "classic"


def test_n134_the_summary_byte_is_cleared_before_the_queues_are_served() -> None:
    """N134."""
    machine, _ = tapped_machine()
    assert machine.boot()
    machine.log.take()
    machine.send(frames.arp_request())
    machine.service_interrupts()
    events = machine.log.events
    handler = next(i for i, e in enumerate(events) if e.kind == "ccw_indicators")
    assert isinstance(machine.ops, CcwOps)
    assert any(r.addr <= machine.ops.summary < r.end for r in events[handler].writes)
    served = [i for i, e in enumerate(events) if e.kind == "used_elem_read"]
    assert served and min(served) > handler


# -- §4.3.3.2: notifications -----------------------------------------------------------------------
def test_n135_the_upper_half_of_gpr2_is_ignored() -> None:
    """N135."""
    machine, _ = tapped_machine()
    assert machine.boot()
    transport = machine.transport
    assert isinstance(transport, CcwTransport)
    machine.log.take()
    cookie = transport.diagnose_500(3, 0xDEAD_BEEF_0001_0000, 0, 0)
    assert cookie == 0
    assert [e.kind for e in machine.log.events][:2] == ["diagnose_notify", "queue_notify"]
    assert transport.diagnose_500(3, 0x0001_0001, 0, 0) == -22  # another subchannel
    with pytest.raises(ConfigError, match="subcode 4"):
        transport.diagnose_500(4, 0x0001_0000, 0, 0)


def test_a_reset_ends_with_the_command_and_forgets_the_indicators() -> None:
    """§4.3.3.3: when CCW_CMD_VDEV_RESET ends, status is 0, no queue runs and the
    indicators are gone: a config change signals nothing."""
    machine, _ = tapped_machine()
    assert machine.boot()
    assert isinstance(machine.ops, CcwOps) and isinstance(machine.transport, CcwTransport)
    machine.log.take()
    machine.ops.reset()
    assert machine.device.device_status == 0 and machine.device.queues.rings() == []
    kinds = [e.kind for e in machine.log.events]
    assert kinds[:2] == ["ccw_start", "status_reset"] and kinds[-1] == "ccw_end"
    assert "CCW_CMD_VDEV_RESET" in machine.log.events[1].summary
    assert machine.transport.indicators.mode == "none"
    assert machine.transport.revision == 2  # the revision stays until the subchannel is disabled
    machine.device.needs_reset("an error")  # no DRIVER_OK: no interrupt anyway
    assert machine.device.take_interrupts() == []


def test_a_device_without_adapter_interrupts_gets_classic_indicators() -> None:
    """Linux's fallback: SET_IND_ADAPTER is rejected, so the driver stops using adapter
    interrupts and registers classic indicators instead."""
    machine, _ = tapped_machine()
    transport = machine.transport
    assert isinstance(transport, CcwTransport)
    original = transport.start_subchannel

    def no_adapter(address: int) -> Ending:
        if machine.memory.peek(address, 1)[0] == Command.SET_IND_ADAPTER:
            return Ending(0x0E, 0, 0x80)
        return original(address)

    transport.start_subchannel = no_adapter  # type: ignore[method-assign,assignment]
    assert machine.boot()
    assert transport.indicators.mode == "classic"
    assert isinstance(machine.ops, CcwOps) and not machine.ops.adapter_interrupts


# -- what does not depend on the transport ---------------------------------------------------------
def handshake(machine: Machine) -> tuple[list[tuple[str, Value]], int, list[Event]]:
    assert machine.boot()
    statuses = [(e.kind, e.values["new"]) for e in machine.log.events
                if e.kind in {"status_set", "status_reset"}]  # fmt: skip
    chosen = [e for e in machine.log.events if e.kind == "driver_features_chosen"]
    return statuses, machine.driver.negotiated, chosen


TRANSPORTS: tuple[TransportKind, ...] = ("pci", "mmio", "ccw")


@pytest.mark.parametrize("make", [virtio_net_machine, virtio_blk_machine])
@pytest.mark.parametrize("packed", [False, True])
def test_the_status_sequence_and_features_agree_with_pci_and_mmio(
    make: Callable[[MachineOptions], Machine], packed: bool
) -> None:
    results = {}
    for transport in TRANSPORTS:
        machine = make(MachineOptions(transport=transport))
        if packed:
            offered = machine.device.status.features.offered | bit("VIRTIO_F_RING_PACKED")
            machine = make(MachineOptions(transport=transport, offered=offered))
        results[transport] = handshake(machine)
    statuses, negotiated, chosen = results["pci"]
    assert [value for _, value in statuses] == [0, 1, 3, 0xB, 0xF]
    for transport in ("mmio", "ccw"):
        assert results[transport][0] == statuses, transport
        assert results[transport][1] == negotiated, transport
        assert [e.values for e in results[transport][2]] == [e.values for e in chosen]
    assert bool(negotiated & bit("VIRTIO_F_RING_PACKED")) is packed


def test_a_ping_gives_the_same_frames_and_ring_events_over_every_transport() -> None:
    """Only the transport's own events differ: the rings see the same traffic."""
    shared = {"desc_write", "avail_idx_publish", "used_idx_publish", "net_tx_frame",
              "net_rx_frame", "chain_pop"}  # fmt: skip
    seen = {}
    for transport in TRANSPORTS:
        machine = virtio_net_machine(MachineOptions(transport=transport, queue_size=16))
        assert machine.boot()
        machine.log.take()
        machine.send(frames.icmp_echo(seq=1))
        machine.service_interrupts()
        seen[transport] = [e.kind for e in machine.log.events if e.kind in shared]
        assert machine.net.outbox == [frames.icmp_echo(seq=1)]
    assert seen["pci"] == seen["mmio"] == seen["ccw"]


def test_the_event_log_is_shared_with_the_device() -> None:
    transport = fresh()
    assert isinstance(transport.device, VirtioDevice) and isinstance(transport.log, EventLog)
