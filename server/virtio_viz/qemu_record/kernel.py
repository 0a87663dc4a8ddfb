"""A Debian kernel package as the recorded guest's kernel: `vmlinuz` and the virtio modules.

How this works: `apt-get download` fetches `linux-image-<version>-amd64` (the version the
`linux-image-amd64` metapackage points at, unless one is named) into a cache folder, with
no root and nothing installed on the host. `dpkg-deb --fsys-tarfile` streams the package's
file tree as a tar, from which only `boot/vmlinuz-*` and the modules in guest.MODULES are
read; a module shipped compressed (`.ko.xz`) is decompressed here, because busybox's
insmod hands the kernel the bytes as they are.
"""

from __future__ import annotations

import lzma
import re
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from virtio_viz.qemu_record.errors import RecordError
from virtio_viz.qemu_record.guest import MODULES, RNG_MODULE

METAPACKAGE = "linux-image-amd64"
WANTED = frozenset((*MODULES, RNG_MODULE))  # the last is optional: only `--rng` needs it
_PACKAGE = re.compile(r"linux-image-[0-9][A-Za-z0-9.+~-]*-amd64")
_MODULE = re.compile(r"\./lib/modules/[^/]+/kernel/.*/([a-z0-9_-]+)\.ko(\.xz)?")


@dataclass(frozen=True, slots=True)
class Kernel:
    package: str  # the .deb's file name, e.g. linux-image-6.1.0-50-amd64_6.1.176-1_amd64.deb
    release: str  # uname -r, e.g. 6.1.0-50-amd64
    vmlinuz: bytes
    modules: dict[str, bytes]  # name (as in guest.MODULES, RNG_MODULE) -> the .ko bytes


def resolve_package(metapackage: str = METAPACKAGE) -> str:
    """The versioned image package the metapackage depends on, from the local apt lists."""
    output = _run(["apt-cache", "depends", metapackage], "ask apt which kernel is current")
    for match in _PACKAGE.finditer(output):
        return match.group(0)
    raise RecordError(
        f"apt does not know which kernel {metapackage} depends on; run `apt-get update` "
        "or pass --kernel-deb FILE"
    )


def download(package: str, cache: Path) -> Path:
    """The package's .deb in `cache`, downloaded unless a copy is there already."""
    if not _PACKAGE.fullmatch(package):
        raise RecordError(f"{package!r} is not a Debian kernel image package name")
    cache.mkdir(parents=True, exist_ok=True)
    existing = sorted(cache.glob(f"{package}_*.deb"))
    if existing:
        return existing[-1]
    _run(["apt-get", "download", package], f"download {package}", cwd=cache)
    downloaded = sorted(cache.glob(f"{package}_*.deb"))
    if not downloaded:
        raise RecordError(f"apt-get download {package} left no .deb in {cache}")
    return downloaded[-1]


def unpack(deb: Path) -> Kernel:
    """vmlinuz and the virtio modules out of a linux-image .deb."""
    if shutil.which("dpkg-deb") is None:
        raise RecordError("dpkg-deb is missing (Debian package dpkg)")
    vmlinuz: tuple[str, bytes] | None = None
    modules: dict[str, bytes] = {}
    with subprocess.Popen(
        ["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:  # fmt: skip
        assert process.stdout is not None
        try:
            with tarfile.open(fileobj=process.stdout, mode="r|") as tar:
                for member in tar:
                    if not member.isfile():
                        continue
                    if member.name.startswith("./boot/vmlinuz-"):
                        release = member.name.removeprefix("./boot/vmlinuz-")
                        vmlinuz = (release, _read(tar, member))
                    elif (match := _MODULE.fullmatch(member.name)) and match[1] in WANTED:
                        data = _read(tar, member)
                        modules[match[1]] = lzma.decompress(data) if match[2] else data
        except (tarfile.TarError, lzma.LZMAError) as error:
            problem: str | None = str(error)
        else:
            problem = None
        process.stdout.close()  # a writer stopped half-way must not block on a full pipe
        stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.returncode != 0 or problem is not None:
        detail = stderr.strip() or problem
        raise RecordError(f"dpkg-deb could not read {deb}: {detail}")
    if vmlinuz is None:
        raise RecordError(f"{deb} has no boot/vmlinuz-*: not a kernel image package")
    missing = [name for name in MODULES if name not in modules]
    if missing:
        raise RecordError(f"{deb} lacks the modules {', '.join(missing)}")
    return Kernel(deb.name, vmlinuz[0], vmlinuz[1], modules)


def _read(tar: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    handle = tar.extractfile(member)
    assert handle is not None  # a regular file always has contents
    return handle.read()


def _run(command: list[str], what: str, cwd: Path | None = None) -> str:
    if shutil.which(command[0]) is None:
        raise RecordError(f"cannot {what}: {command[0]} is missing (Debian package apt)")
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise RecordError(f"cannot {what}: {' '.join(command)} failed: {detail}")
    return result.stdout
