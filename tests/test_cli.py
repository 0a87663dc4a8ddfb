"""The `virtio-viz` command tells the built-in walkthroughs in the terminal."""

from __future__ import annotations

import subprocess
import sys

import pytest

from virtio_viz.cli import main


def test_run_tells_the_net_walkthrough_chapter_by_chapter(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["run"]) == 0
    out = capsys.readouterr().out
    assert "== Bring-up" in out and "== Receive the ARP reply ==" in out
    assert "device_status" in out and "0xf" in out  # DRIVER_OK written
    assert "virtio-1.2 §2.7" in out  # ring events cite the spec
    assert "\x1b[" not in out  # no colour when not on a terminal
    assert out.rstrip().endswith("chapters.")


def test_run_blk_over_mmio_with_packed_rings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "virtio-blk", "--transport", "mmio", "--packed"]) == 0
    out = capsys.readouterr().out
    assert "Status" in out and "QueueReady" in out  # MMIO register names
    assert "wrap counter" in out  # packed-ring narration
    assert "IN (read)" in out and "status OK" in out


def test_unknown_walkthrough_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "no-such-thing"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_console_script_runs_as_a_module() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "virtio_viz.cli", "run", "virtio-blk"],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Read sector 1 back" in done.stdout
