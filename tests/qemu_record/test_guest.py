"""The guest's /init: phases in the recording's order, modules in dependency order, and a
script busybox's own shell parses."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from virtio_viz.qemu_record.guest import MODULES, GuestPlan, init_script, phase_letters
from virtio_viz.qemu_trace.phases import MARKERS

BUSYBOX = Path("/bin/busybox")


@pytest.mark.parametrize("plan", [GuestPlan(), GuestPlan(rng=True)])
def test_busybox_sh_parses_the_script(tmp_path: Path, plan: GuestPlan) -> None:
    script = tmp_path / "init"
    script.write_text(init_script(plan))
    result = subprocess.run(
        [str(BUSYBOX), "sh", "-n", str(script)], capture_output=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_phases_are_marked_in_the_recordings_order_and_all_have_titles() -> None:
    marks = re.findall(r"^mark (\S)", init_script(), flags=re.MULTILINE)
    assert "".join(marks) == phase_letters(GuestPlan()) == "MNBUPpDWdSTX"
    with_rng = re.findall(r"^mark (\S)", init_script(GuestPlan(rng=True)), flags=re.MULTILINE)
    assert "".join(with_rng) == phase_letters(GuestPlan(rng=True)) == "MNBRUPpDWdSTX"
    assert set(with_rng) <= set(MARKERS)  # the importer names every chapter


def test_the_marker_byte_goes_to_the_debugcon_port() -> None:
    assert "dd of=/dev/port bs=1 seek=233 count=1" in init_script()  # 233 = 0xe9


def test_modules_load_each_after_what_it_needs() -> None:
    loads = " ".join(re.findall(r"^load (.+)$", init_script(), flags=re.MULTILINE)).split()
    assert loads == list(MODULES)
    for needs, module in [("virtio_ring", "virtio_pci"), ("net_failover", "virtio_net"),
                          ("virtio", "virtio_blk"), ("failover", "net_failover")]:  # fmt: skip
        assert loads.index(needs) < loads.index(module)


def test_the_plan_sets_pings_idle_time_and_offsets() -> None:
    script = init_script(GuestPlan(pings=5, idle_seconds=2, read_offset_kib=64,
                                   write_offset_kib=128))  # fmt: skip
    assert "ping -c 5 10.0.2.2\n" in script
    assert "sleep 2\n" in script
    assert "skip=16 iflag=direct" in script  # 64 KiB in 4 KiB blocks
    assert "seek=32 oflag=direct conv=fsync" in script
