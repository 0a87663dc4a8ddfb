"""The model's Linux-like driver does what Linux 6.1 did in shared/traces/qemu-split.

QEMU 7.2 logged every access a real Linux guest made to the common configuration of
virtio-net-pci and virtio-blk-pci. The model's driver, facing devices that offer what
QEMU offered, must make the same accesses in the same order, with the same values
(ring addresses aside: guest RAM is laid out differently), reach the same status
sequence 0 -> 1 -> 3 -> 11 -> 15 and accept the same feature words.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pytest

from tests.support.qemu_trace import Access, linux_init
from virtio_viz.model.events import Event
from virtio_viz.model.machine import Machine, virtio_blk_machine, virtio_net_machine

# queue_desc / queue_driver / queue_device: the guest-physical addresses of the rings
RING_ADDRESS_OFFSETS = range(0x20, 0x38)
STATUS = 0x14


def as_tuples(accesses: Iterable[tuple[str, int, int, int]]) -> list[tuple[str, int, int, int]]:
    """(op, offset, width, value) with ring addresses blanked out."""
    return [
        (op, offset, width, -1 if offset in RING_ADDRESS_OFFSETS else value)
        for op, offset, width, value in accesses
    ]


def linux(device: str) -> list[tuple[str, int, int, int]]:
    """Linux's accesses from reset to its DRIVER_OK write (the poweroff reset excluded)."""
    accesses: list[Access] = linux_init(device)
    end = next(i for i, a in enumerate(accesses) if a.offset == STATUS and a.value == 0xF)
    return as_tuples((a.op, a.offset, a.size, a.value) for a in accesses[: end + 1])


def model(machine: Machine) -> list[tuple[str, int, int, int]]:
    assert machine.boot()
    events: list[Event] = [
        e
        for e in machine.log.events
        if e.kind in ("register_read", "register_write") and e.values["region"] == "common"
    ]
    return as_tuples(
        (
            "read" if e.kind == "register_read" else "write",
            int(e.values["offset"]),  # type: ignore[arg-type]
            int(e.values["width"]),  # type: ignore[arg-type]
            int(e.values["value"]),  # type: ignore[arg-type]
        )
        for e in events
    )


@pytest.mark.parametrize(
    ("device", "build"), [("net", virtio_net_machine), ("blk", virtio_blk_machine)]
)
def test_common_config_accesses_match_linux_one_for_one(
    device: str, build: Callable[[], Machine]
) -> None:
    ours, theirs = model(build()), linux(device)
    assert len(theirs) > 40  # the recording really holds the handshake
    assert ours == theirs


@pytest.mark.parametrize(
    ("build", "accepted"),
    [(virtio_net_machine, 0x0000_0101_30AF_8024), (virtio_blk_machine, 0x0000_0101_3000_6E54)],
)
def test_status_sequence_and_accepted_features_match_linux(
    build: Callable[[], Machine], accepted: int
) -> None:
    machine = build()
    assert machine.boot()
    status_writes = [
        e.values["value"]
        for e in machine.log.events
        if e.kind == "register_write" and e.values["register"] == "device_status"
    ]
    assert status_writes == [0, 1, 3, 11, 15]
    assert machine.driver.negotiated == accepted
    assert machine.log.violations() == []
