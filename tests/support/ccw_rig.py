"""Helpers for the virtio-ccw tests: a tap on the subchannel that keeps every channel
program's bytes, and a way to run one hand-made CCW."""

from __future__ import annotations

from dataclasses import dataclass, field

from virtio_viz.model.driver.ccw_ops import CcwOps
from virtio_viz.model.machine import MachineOptions, NetMachine, virtio_net_machine
from virtio_viz.model.transport.ccw import CcwTransport
from virtio_viz.model.transport.ccw_commands import Ending

SCRATCH = 0x0230_0000  # guest RAM the tests use for hand-made programs (the machine's
# allocator starts at 0x02000000 and stays far below this in these tests)


@dataclass(frozen=True, slots=True)
class Program:
    """One channel program as the device saw it: the CCW's 8 bytes, the control block
    before and after, and how it ended."""

    ccw: bytes
    before: bytes
    after: bytes
    ending: Ending

    @property
    def command(self) -> int:
        return self.ccw[0]


@dataclass(slots=True)
class Tap:
    """Sits between CcwOps and CcwTransport and copies what crosses (without journaling)."""

    transport: CcwTransport
    programs: list[Program] = field(default_factory=list)
    notifications: list[tuple[int, int, int, int, int]] = field(default_factory=list)

    def start_subchannel(self, ccw_address: int) -> Ending:
        memory = self.transport.memory
        ccw = memory.peek(ccw_address, 8)
        count, cda = int.from_bytes(ccw[2:4], "big"), int.from_bytes(ccw[4:8], "big")
        before = memory.peek(cda, count) if count else b""
        ending = self.transport.start_subchannel(ccw_address)
        after = memory.peek(cda, count) if count else b""
        self.programs.append(Program(ccw, before, after, ending))
        return ending

    def diagnose_500(self, gpr1: int, gpr2: int, gpr3: int, gpr4: int) -> int:
        cookie = self.transport.diagnose_500(gpr1, gpr2, gpr3, gpr4)
        self.notifications.append((gpr1, gpr2, gpr3, gpr4, cookie))
        return cookie


def tapped_machine(
    *, adapter_interrupts: bool = True, device_refuses: int = 0, max_revision: int = 2
) -> tuple[NetMachine, Tap]:
    """A virtio-net machine over channel I/O whose driver talks through a Tap."""
    options = MachineOptions(transport="ccw", queue_size=16, device_refuses=device_refuses,
                             adapter_interrupts=adapter_interrupts)  # fmt: skip
    machine = virtio_net_machine(options)
    assert isinstance(machine.transport, CcwTransport) and isinstance(machine.ops, CcwOps)
    machine.transport.max_revision = max_revision
    tap = Tap(machine.transport)
    machine.ops.bus = tap
    return machine, tap


def run(transport: CcwTransport, command: int, data: bytes = b"", *, count: int | None = None,
        flags: int = 0) -> tuple[Ending, bytes]:  # fmt: skip
    """Write `data` and one CCW pointing at it, start the subchannel; return how the
    program ended and the control block's bytes afterwards."""
    memory = transport.memory
    cda = SCRATCH + 0x100
    memory.write(cda, data.ljust(256, b"\x00"))
    length = len(data) if count is None else count
    ccw = bytes([command, flags]) + length.to_bytes(2, "big") + cda.to_bytes(4, "big")
    memory.write(SCRATCH, ccw)
    ending = transport.start_subchannel(SCRATCH)
    return ending, memory.peek(cda, max(len(data), length))
