"""What the host must have, and the kernel package: found, unpacked, refused when wrong."""

from __future__ import annotations

import lzma
import subprocess
from pathlib import Path

import pytest

from virtio_viz.qemu_record import host, kernel
from virtio_viz.qemu_record.errors import RecordError
from virtio_viz.qemu_record.guest import MODULES

RELEASE = "9.9.9-1-amd64"


def build_deb(tmp_path: Path, *, skip: str | None = None) -> Path:
    """A package shaped like linux-image-*-amd64: vmlinuz, modules (one xz-compressed)."""
    root = tmp_path / "pkg"
    (root / "DEBIAN").mkdir(parents=True)
    (root / "DEBIAN" / "control").write_text(
        f"Package: linux-image-{RELEASE}\nVersion: 1\nArchitecture: amd64\n"
        "Maintainer: tests <t@example.org>\nDescription: a pretend kernel\n"
    )
    (root / "boot").mkdir()
    (root / "boot" / f"vmlinuz-{RELEASE}").write_bytes(b"bzImage")
    base = root / "lib" / "modules" / RELEASE / "kernel" / "drivers"
    for name in MODULES:
        if name == skip:
            continue
        folder = base / ("net" if "net" in name or "failover" in name else "virtio")
        folder.mkdir(parents=True, exist_ok=True)
        body = f"module {name}".encode()
        if name == "virtio_blk":
            (folder / f"{name}.ko.xz").write_bytes(lzma.compress(body))
        else:
            (folder / f"{name}.ko").write_bytes(body)
    (base / "virtio" / "virtio_balloon.ko").write_bytes(b"not wanted")
    deb = tmp_path / f"linux-image-{RELEASE}_1_amd64.deb"
    subprocess.run(["dpkg-deb", "--build", "--root-owner-group", str(root), str(deb)],
                   check=True, capture_output=True)  # fmt: skip
    return deb


def test_unpack_takes_vmlinuz_and_exactly_the_virtio_modules(tmp_path: Path) -> None:
    found = kernel.unpack(build_deb(tmp_path))
    assert (found.release, found.vmlinuz) == (RELEASE, b"bzImage")
    assert sorted(found.modules) == sorted(MODULES)  # virtio-rng is optional: not in this one
    assert found.modules["virtio_net"] == b"module virtio_net"
    assert found.modules["virtio_blk"] == b"module virtio_blk"  # decompressed from .ko.xz


def test_a_package_without_a_module_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RecordError, match="lacks the modules virtio_pci"):
        kernel.unpack(build_deb(tmp_path, skip="virtio_pci"))


def test_a_file_that_is_not_a_package_is_refused(tmp_path: Path) -> None:
    bogus = tmp_path / "kernel.deb"
    bogus.write_bytes(b"not an ar archive")
    with pytest.raises(RecordError, match="dpkg-deb could not read"):
        kernel.unpack(bogus)


@pytest.mark.parametrize("name", ["linux-image-amd64; rm -rf /", "bash", "-oDebug::x=1"])
def test_download_accepts_only_kernel_image_package_names(name: str, tmp_path: Path) -> None:
    with pytest.raises(RecordError, match="is not a Debian kernel image package name"):
        kernel.download(name, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_download_uses_a_cached_copy(tmp_path: Path) -> None:
    cached = tmp_path / "linux-image-6.1.0-50-amd64_6.1.176-1_amd64.deb"
    cached.write_bytes(b"")
    assert kernel.download("linux-image-6.1.0-50-amd64", tmp_path) == cached


def test_apt_names_the_current_kernel_package() -> None:
    assert kernel._PACKAGE.fullmatch(kernel.resolve_package())


def test_the_busybox_debian_ships_in_busybox_static_is_accepted() -> None:
    assert host.static_busybox() == Path("/bin/busybox")


def test_a_dynamically_linked_program_is_refused_with_the_package_to_install() -> None:
    with pytest.raises(RecordError, match=r"dynamically linked.*busybox-static"):
        host.static_busybox(Path("/bin/ls"))


def test_a_missing_or_foreign_busybox_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RecordError, match="not found; install the Debian package busybox"):
        host.static_busybox(tmp_path / "busybox")
    script = tmp_path / "script"
    script.write_text("#!/bin/sh\n")
    with pytest.raises(RecordError, match="not a 64-bit little-endian ELF"):
        host.static_busybox(script)


def test_missing_programs_are_named_with_their_debian_packages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(RecordError) as caught:
        host.require_programs()
    assert "apt-get install apt dpkg qemu-system-x86" in str(caught.value)
