"""The QEMU command line for each option, checked against the installed QEMU."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from virtio_viz.qemu_record.guest import GuestPlan
from virtio_viz.qemu_record.machine import QEMU, MachineFiles, RecordOptions, qemu_command

FILES = MachineFiles(Path("/w"))


def device(command: list[str], driver: str) -> dict[str, str]:
    """The properties given to `-device DRIVER,...`."""
    spec = next(arg for arg in command if arg.startswith(f"{driver},"))
    return dict(part.split("=", 1) for part in spec.split(",")[1:])


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (RecordOptions(), {"packed": "off", "event_idx": "on", "ioeventfd": "on"}),
        (RecordOptions(ring="packed"), {"packed": "on", "event_idx": "on", "ioeventfd": "on"}),
        (RecordOptions(event_idx=False, ioeventfd=False),
         {"packed": "off", "event_idx": "off", "ioeventfd": "off"}),
    ],
)  # fmt: skip
def test_options_become_properties_of_both_virtio_devices(
    options: RecordOptions, expected: dict[str, str]
) -> None:
    command = qemu_command(options, FILES)
    for driver in ("virtio-net-pci", "virtio-blk-pci"):
        properties = device(command, driver)
        assert {key: properties[key] for key in expected} == expected


def test_the_machine_is_the_shared_recordings() -> None:
    command = qemu_command(RecordOptions(), FILES)
    pairs = dict(zip(command[1::2], command[2::2], strict=False))
    assert command[0] == QEMU
    assert "q35,accel=tcg" in command and "-nodefaults" in command and "-no-reboot" in command
    assert command[command.index("-append") + 1] == "console=ttyS0 quiet panic=-1"
    assert command[command.index("-debugcon") + 1] == "file:/w/markers.txt"
    assert command[command.index("-trace") + 1] == "events=/w/trace-events.txt"
    assert command[command.index("-D") + 1] == "/w/trace-full.log"
    assert command[command.index("-msg") + 1] == "timestamp=on"
    assert pairs["-m"] == "256M"


@pytest.mark.parametrize("driver", ["virtio-net-pci", "virtio-blk-pci", "virtio-rng-pci"])
def test_the_installed_qemu_has_every_property_we_set(driver: str) -> None:
    """QEMU lists a device's properties with `-device DRIVER,help`."""
    result = subprocess.run([QEMU, "-device", f"{driver},help"], capture_output=True,
                            text=True, check=True)  # fmt: skip
    known = {line.split("=", 1)[0].strip() for line in result.stdout.splitlines() if "=" in line}
    options = RecordOptions(ring="packed", guest=GuestPlan(rng=True))
    wanted = set(device(qemu_command(options, FILES), driver)) - {"id"}
    assert wanted <= known, wanted - known


def test_an_entropy_device_only_when_asked() -> None:
    plain = qemu_command(RecordOptions(), FILES)
    assert not any(arg.startswith("virtio-rng-pci") for arg in plain)
    options = RecordOptions(ring="packed", guest=GuestPlan(rng=True))
    rng = device(qemu_command(options, FILES), "virtio-rng-pci")
    assert rng["packed"] == "on" and rng["id"] == "rng0"
    assert options.describe() == "packed rings, event_idx on, ioeventfd on, with virtio-rng"


def test_descriptions_name_the_choices() -> None:
    options = RecordOptions(ring="packed", event_idx=False)
    assert options.describe() == "packed rings, event_idx off, ioeventfd on"
