"""The QEMU process of a live VM: its command line, its serial console, its trace.

How this works: QEMU runs as a child process under `setpriv --pdeathsig KILL`, so it
dies with the server even if the server is killed. Guest RAM is a sealed memfd shared
with the back-end (`memory-backend-memfd,share=on`), and the NIC is a vhost-user netdev
on the back-end's unix socket; QEMU connects before the guest starts. The serial port is
QEMU's stdin and stdout (the console), and `-trace virtio_set_status` prints each device
status value Linux writes on stderr, which the back-end reads without blocking whenever
it is about to handle something (`poll_trace()`), so events keep their real order.

Two QEMU 7.2 facts shape the device: under TCG, a vhost-user device with MSI-X crashes
QEMU when the driver sets DRIVER_OK (msix_set_vector_notifiers), so `vectors=0` gives
the device an INTx line; and `romfile=` keeps iPXE's own virtio driver out of the boot.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from virtio_viz.qemu_record.machine import QEMU

Ring = Literal["split", "packed"]
STATUS_LINE = re.compile(rb"virtio_set_status vdev 0x[0-9a-f]+ val (\d+)")
CONSOLE_KEEP = 256 * 1024  # the console's scrollback, in bytes
KERNEL_COMMAND_LINE = "console=ttyS0 quiet panic=-1"


@dataclass(frozen=True, slots=True)
class VmOptions:
    ring: Ring = "split"
    event_idx: bool = True
    memory_mib: int = 256

    def device_properties(self) -> str:
        on = {True: "on", False: "off"}
        return (f"packed={on[self.ring == 'packed']},event_idx={on[self.event_idx]},"
                "vectors=0,romfile=")  # fmt: skip

    def describe(self) -> str:
        return f"{self.ring} rings, event_idx {'on' if self.event_idx else 'off'}"


def qemu_command(options: VmOptions, vmlinuz: Path, initrd: Path, socket_path: Path) -> list[str]:
    size = f"{options.memory_mib}M"
    guard = ["setpriv", "--pdeathsig", "KILL", "--"] if shutil.which("setpriv") else []
    return [
        *guard, QEMU, "-machine", "q35", "-accel", "tcg,tb-size=64", "-m", size,
        "-object", f"memory-backend-memfd,id=mem,size={size},share=on",
        "-numa", "node,memdev=mem",
        "-display", "none", "-nodefaults", "-no-reboot", "-monitor", "none",
        "-chardev", "stdio,id=ser0,signal=off", "-serial", "chardev:ser0",
        "-kernel", str(vmlinuz), "-initrd", str(initrd), "-append", KERNEL_COMMAND_LINE,
        "-chardev", f"socket,id=vu0,path={socket_path}",
        "-netdev", "vhost-user,id=n0,chardev=vu0",
        "-device", f"virtio-net-pci,netdev=n0,id=net0,{options.device_properties()}",
        "-trace", "virtio_set_status",
    ]  # fmt: skip


class Console:
    """The serial console's output (a bounded scrollback) and who listens to it."""

    def __init__(self) -> None:
        self.text = bytearray()
        self.dropped = 0  # bytes that fell out of the scrollback
        self.listeners: list[Callable[[bytes], None]] = []
        self._changed = asyncio.Event()

    def feed(self, data: bytes) -> None:
        self.text += data
        if len(self.text) > CONSOLE_KEEP:
            cut = len(self.text) - CONSOLE_KEEP
            del self.text[:cut]
            self.dropped += cut
        for listener in list(self.listeners):
            listener(data)
        self._changed.set()

    def decoded(self) -> str:
        return self.text.decode("utf-8", errors="replace")

    async def wait_for(self, pattern: re.Pattern[str] | str, after: int = 0) -> re.Match[str]:
        """The first match of `pattern` in the output past character `after` (of decoded())."""
        regex = re.compile(re.escape(pattern)) if isinstance(pattern, str) else pattern
        while True:
            found = regex.search(self.decoded(), after)
            if found is not None:
                return found
            self._changed.clear()
            await self._changed.wait()


class QemuProcess:
    def __init__(
        self, command: list[str], console: Console, *, on_status: Callable[[int], None]
    ) -> None:
        self.command = command
        self.on_status = on_status
        self.console = console
        self.errors = bytearray()  # what QEMU printed besides trace lines (its error messages)
        self.exited: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._loop = asyncio.get_running_loop()
        self._pending = b""
        self._process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True,
        )  # fmt: skip
        self._fds = {name: stream.fileno() for name, stream in (
            ("in", self._process.stdin), ("out", self._process.stdout),
            ("err", self._process.stderr)) if stream is not None}  # fmt: skip
        for fd in self._fds.values():
            os.set_blocking(fd, False)
        self._loop.add_reader(self._fds["out"], self._read_console)
        self._loop.add_reader(self._fds["err"], self.poll_trace)
        self._pidfd = os.pidfd_open(self._process.pid)
        self._loop.add_reader(self._pidfd, self._reap)

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def running(self) -> bool:
        return not self.exited.done()

    # -- reading -------------------------------------------------------------------------
    def _read_console(self) -> None:
        data = _read_available(self._fds["out"])
        if data:
            self.console.feed(data)
        elif data is None:
            self._loop.remove_reader(self._fds["out"])

    def poll_trace(self) -> None:
        """Take every trace line QEMU has printed so far (never blocks)."""
        if "err" not in self._fds:
            return
        data = _read_available(self._fds["err"])
        if data is None:
            self._loop.remove_reader(self._fds.pop("err"))
            return
        *lines, self._pending = (self._pending + data).split(b"\n")
        for line in lines:
            found = STATUS_LINE.search(line)
            if found is not None:
                self.on_status(int(found.group(1)) & 0xFF)
            elif len(self.errors) < 16384:
                self.errors += line + b"\n"

    def _reap(self) -> None:
        self._loop.remove_reader(self._pidfd)
        os.close(self._pidfd)
        code = self._process.wait()
        self._read_console()
        self.poll_trace()
        for name in ("in", "out", "err"):
            fd = self._fds.pop(name, None)
            if fd is not None and name != "in":
                self._loop.remove_reader(fd)
        for stream in (self._process.stdin, self._process.stdout, self._process.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        if not self.exited.done():
            self.exited.set_result(code)

    # -- writing and stopping --------------------------------------------------------------
    def type(self, data: bytes) -> bool:
        """Send `data` to the serial port; False if QEMU is gone or its input is full."""
        fd = self._fds.get("in")
        if fd is None or not self.running:
            return False
        try:
            return os.write(fd, data) == len(data)
        except (BlockingIOError, BrokenPipeError, OSError):
            return False

    def kill(self) -> None:
        if self.running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._process.pid, signal.SIGKILL)

    def describe_exit(self, code: int) -> str:
        errors = self.errors.decode(errors="replace").strip().splitlines()
        said = f": {errors[-1]}" if errors else ""
        if code < 0:
            return f"QEMU was stopped by signal {-code}{said}"
        return f"QEMU exited with status {code}{said}"


def _read_available(fd: int) -> bytes | None:
    """Everything readable now ("" if nothing), or None at end of file."""
    chunks: list[bytes] = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            break
        except OSError:
            return None
        if not chunk:
            return b"".join(chunks) if chunks else None
        chunks.append(chunk)
    return b"".join(chunks)
