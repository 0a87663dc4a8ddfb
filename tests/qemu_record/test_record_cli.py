"""`virtio-viz record` refuses bad input and reports a failed run in one line, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.qemu_record.test_host_and_kernel import build_deb
from virtio_viz.cli import main


def refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(["record", *argv]) == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith("virtio-viz: ")
    return error


def test_a_timeout_must_be_positive(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert "--timeout must be a positive" in refused(capsys, str(tmp_path), "--timeout", "0")


def test_a_kernel_deb_that_is_not_there(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    error = refused(capsys, str(tmp_path / "out"), "--kernel-deb", str(tmp_path / "no.deb"))
    assert "dpkg-deb could not read" in error


def test_a_dynamic_busybox(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert "dynamically linked" in refused(capsys, str(tmp_path), "--busybox", "/bin/ls")


def test_a_kernel_qemu_cannot_boot_is_reported_with_qemus_words(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The pretend package's vmlinuz is not a kernel: QEMU stops at once and says why."""
    deb = build_deb(tmp_path)
    error = refused(capsys, str(tmp_path / "out"), "--kernel-deb", str(deb), "--timeout", "60")
    assert "QEMU exited with status 1" in error
    assert "kernel too old to load a ram disk" in error  # QEMU, on a vmlinuz of 7 bytes


def test_record_is_listed_with_its_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["record", "--help"])
    text = capsys.readouterr().out
    for option in ("--ring {split,packed}", "--event-idx {on,off}", "--ioeventfd {on,off}",
                   "--kernel-deb", "--no-qmp", "--timeout"):  # fmt: skip
        assert option in text
