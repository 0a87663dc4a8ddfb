"""What the host needs for a recording, and a clear message naming the Debian packages
when something is missing."""

from __future__ import annotations

import os
import shutil
import struct
from pathlib import Path

from virtio_viz.qemu_record.errors import RecordError
from virtio_viz.qemu_record.machine import QEMU

PACKAGES = {  # program -> the Debian package that ships it
    QEMU: "qemu-system-x86",
    "dpkg-deb": "dpkg",
    "apt-get": "apt",
    "apt-cache": "apt",
}
BUSYBOX = Path("/bin/busybox")  # busybox-static installs its binary here
PT_INTERP = 3  # ELF program header type of a dynamic loader request


def require_programs(programs: tuple[str, ...] = tuple(PACKAGES)) -> None:
    missing = [name for name in programs if shutil.which(name) is None]
    if missing:
        packages = sorted({PACKAGES[name] for name in missing})
        raise RecordError(
            f"{', '.join(missing)} not found; install the Debian packages: "
            f"apt-get install {' '.join(packages)}"
        )


def static_busybox(path: Path = BUSYBOX) -> Path:
    """`path`, once it is known to be a statically linked busybox (the guest has no libc)."""
    try:
        header = path.read_bytes()[:4096]
    except OSError:
        raise RecordError(f"{path} not found; install the Debian package busybox-static") from None
    if not header.startswith(b"\x7fELF\x02\x01"):
        raise RecordError(f"{path} is not a 64-bit little-endian ELF program")
    if _has_interpreter(header):
        raise RecordError(
            f"{path} is dynamically linked; the guest has no C library. "
            "Install busybox-static (it replaces busybox) or pass --busybox FILE"
        )
    return path


def _has_interpreter(header: bytes) -> bool:
    """Whether the ELF64 program headers ask for a dynamic loader (PT_INTERP)."""
    (offset,) = struct.unpack_from("<Q", header, 0x20)  # e_phoff
    entry_size, count = struct.unpack_from("<HH", header, 0x36)  # e_phentsize, e_phnum
    for index in range(count):
        start = offset + index * entry_size
        if start + 4 > len(header):
            break
        (kind,) = struct.unpack_from("<I", header, start)
        if kind == PT_INTERP:
            return True
    return False


def default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "virtio-viz" / "kernels"
