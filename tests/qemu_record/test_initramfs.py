"""The initramfs archive, read back by GNU cpio (the format's reference reader)."""

from __future__ import annotations

import gzip
import subprocess
from pathlib import Path

from virtio_viz.qemu_record.initramfs import char_device, cpio_newc, directory, file, initramfs

ENTRIES = [
    directory("bin"),
    directory("dev"),
    char_device("dev/console", 5, 1),
    file("bin/busybox", b"\x7fELF pretend", executable=True),
    file("init", b"#!/bin/busybox sh\necho hi\n", executable=True),
    file("odd", b"12345"),  # a length that needs padding
]


def cpio(*args: str, archive: bytes, cwd: Path | None = None) -> str:
    result = subprocess.run(
        ["cpio", *args], input=archive, capture_output=True, check=True, cwd=cwd
    )
    return result.stdout.decode()


def test_cpio_lists_every_entry_with_its_type_and_mode() -> None:
    listing = cpio("-itv", "--quiet", archive=cpio_newc(ENTRIES)).splitlines()
    names = [line.split()[-1] for line in listing]
    assert names == ["bin", "dev", "dev/console", "bin/busybox", "init", "odd"]
    modes = {line.split()[-1]: line.split()[0] for line in listing}
    assert modes == {
        "bin": "drwxr-xr-x", "dev": "drwxr-xr-x", "dev/console": "crw-------",
        "bin/busybox": "-rwxr-xr-x", "init": "-rwxr-xr-x", "odd": "-rw-r--r--",
    }  # fmt: skip
    console = next(line for line in listing if line.endswith("dev/console"))
    assert "5,   1" in console or "5, 1" in console  # major, minor


def test_cpio_extracts_the_files_byte_for_byte(tmp_path: Path) -> None:
    cpio("-id", "--quiet", "--no-absolute-filenames", "bin/busybox", "init", "odd",
         archive=cpio_newc(ENTRIES), cwd=tmp_path)  # fmt: skip
    assert (tmp_path / "init").read_bytes() == b"#!/bin/busybox sh\necho hi\n"
    assert (tmp_path / "odd").read_bytes() == b"12345"
    assert (tmp_path / "bin" / "busybox").stat().st_mode & 0o777 == 0o755


def test_records_are_aligned_and_the_trailer_ends_the_archive() -> None:
    archive = cpio_newc(ENTRIES)
    assert len(archive) % 4 == 0
    assert archive.startswith(b"070701")
    assert archive.rstrip(b"\0").endswith(b"TRAILER!!!")


def test_the_gzip_archive_is_reproducible() -> None:
    first, second = initramfs(ENTRIES), initramfs(list(ENTRIES))
    assert first == second
    assert gzip.decompress(first) == cpio_newc(ENTRIES)


def test_a_changed_file_changes_the_archive() -> None:
    changed = [*ENTRIES[:-1], file("odd", b"12346")]
    assert cpio_newc(changed) != cpio_newc(ENTRIES)
