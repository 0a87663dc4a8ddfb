"""A gzip'd cpio archive in the kernel's `newc` format, built in memory.

How this works: the kernel unpacks an initramfs from a cpio stream of `newc` records
(Documentation/driver-api/early-userspace/buffer-format.rst): a 110-byte ASCII header of
"070701" and thirteen 8-digit hex fields, the NUL-terminated name padded to 4 bytes, then
the data padded to 4 bytes; a record named `TRAILER!!!` ends it. Writing it here rather
than running `cpio` keeps the archive byte-for-byte reproducible (fixed inode numbers and
times, owner root) and lets it hold a `/dev/console` node without being root, which the
kernel needs before `/init` starts so that init has a stdout.
"""

from __future__ import annotations

import gzip
import stat
from dataclasses import dataclass

_MAGIC = b"070701"


@dataclass(frozen=True, slots=True)
class Entry:
    path: str  # without the leading slash
    mode: int  # file type and permission bits, as in st_mode
    data: bytes = b""
    rdev: tuple[int, int] = (0, 0)  # major, minor for device nodes


def directory(path: str) -> Entry:
    return Entry(path, stat.S_IFDIR | 0o755)


def file(path: str, data: bytes, executable: bool = False) -> Entry:
    return Entry(path, stat.S_IFREG | (0o755 if executable else 0o644), data)


def char_device(path: str, major: int, minor: int) -> Entry:
    return Entry(path, stat.S_IFCHR | 0o600, rdev=(major, minor))


def _pad(length: int) -> bytes:
    return b"\0" * (-length % 4)


def _record(inode: int, entry: Entry) -> bytes:
    name = entry.path.encode() + b"\0"
    fields = (
        inode, entry.mode, 0, 0,  # ino, mode, uid, gid
        2 if stat.S_ISDIR(entry.mode) else 1, 0, len(entry.data),  # nlink, mtime, filesize
        0, 0, entry.rdev[0], entry.rdev[1],  # devmajor, devminor, rdevmajor, rdevminor
        len(name), 0,  # namesize, check
    )  # fmt: skip
    header = _MAGIC + b"".join(b"%08x" % value for value in fields)
    return header + name + _pad(len(header) + len(name)) + entry.data + _pad(len(entry.data))


def cpio_newc(entries: list[Entry]) -> bytes:
    """The uncompressed archive: the entries in order, then the trailer."""
    records = [_record(inode, entry) for inode, entry in enumerate(entries, start=1)]
    records.append(_record(0, Entry("TRAILER!!!", 0)))
    return b"".join(records)


def initramfs(entries: list[Entry]) -> bytes:
    """The archive gzip'd, as `-initrd` takes it; mtime 0 keeps it reproducible."""
    return gzip.compress(cpio_newc(entries), compresslevel=6, mtime=0)
