"""One live VM: QEMU, the back-end serving it, and the timeline they fill.

How this works: `LiveVM.start()` prepares a private folder (the initramfs and the
back-end's socket, mode 0700), listens on the socket, starts QEMU, and waits for it to
connect. The back-end then serves that one connection while a supervisor task waits for
the first of: QEMU exits, the back-end refuses a message, the timeline is full, or
someone calls `stop()`. Whichever comes first, QEMU is killed, the back-end lets go of
everything it held, the timeline gets a last step saying why, and the folder is removed.
Nothing that goes wrong in here reaches other VMs or the server: it ends this VM.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import shutil
import socket
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from virtio_viz.live.backend import VhostUserBackend
from virtio_viz.live.guest import READY, RUN_BEGINS, build_initramfs
from virtio_viz.live.timeline import LiveOptions, LiveTimeline
from virtio_viz.live.vm import Console, QemuProcess, VmOptions, qemu_command
from virtio_viz.live.world import LiveWorld

CONNECT_SECONDS = 20.0
EXIT_GRACE_SECONDS = 2.0  # how long a broken back-end waits for QEMU to be reaped
State = Literal["booting", "ready", "stopped"]
COMMANDS = {  # the console panel's buttons
    "ping": "ping -c 3 10.0.2.2",
    "ping_burst": "ping -c 20 -i 0.2 10.0.2.2",
    "dns": "nslookup host.virtio-viz 10.0.2.2",
    "link_down": "ip link set eth0 down",
    "link_up": "ip link set eth0 up",
}


class StartError(Exception):
    """The VM could not be started; the message says why."""


@dataclass(frozen=True, slots=True)
class GuestFiles:
    vmlinuz: Path
    modules: dict[str, bytes]
    busybox: Path


class LiveVM:
    def __init__(self, options: VmOptions, max_steps: int) -> None:
        self.id = secrets.token_urlsafe(9)
        self.token = secrets.token_urlsafe(24)  # whoever holds it may type in the console
        self.claimed = False  # somebody took the token (POST /api/live)
        self.options = options
        self.world = LiveWorld()
        live_options = LiveOptions(vm=self.id, ring=options.ring, event_idx=options.event_idx)
        self.timeline = LiveTimeline(self.world, live_options, max_steps=max_steps,
                                     on_full=self._full)  # fmt: skip
        self.world.preparing(f"{options.describe()}, {options.memory_mib} MiB")
        self.state: State = "booting"
        self.state_listeners: list[Callable[[], None]] = []  # told when `state` changes
        self.reason: str | None = None  # why it stopped
        self.started = time.monotonic()
        self.last_input = self.started
        self.qemu: QemuProcess | None = None
        self.console = Console()  # the serial port's output, from before QEMU starts
        self.console.listeners.append(self._watch_console)
        self.backend = VhostUserBackend(self.world)
        self._folder: Path | None = None  # made when it starts: initramfs and socket
        self._supervisor: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()
        self.done = asyncio.Event()

    # -- starting --------------------------------------------------------------------------
    async def start(self, files: GuestFiles, run: str | None = None) -> None:
        try:
            await self._start(files, run)
        except BaseException:
            await self._finish("the VM did not start")
            raise

    async def _start(self, files: GuestFiles, run: str | None) -> None:
        self._folder = folder = Path(tempfile.mkdtemp(prefix="vv-live-"))
        initrd = folder / "initrd.gz"
        data = await asyncio.to_thread(build_initramfs, files.modules, files.busybox, run)
        initrd.write_bytes(data)
        path = folder / "vu.sock"
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(str(path))
        listener.listen(1)
        listener.setblocking(False)
        self.world.vm_note(
            "vm_started",
            f"QEMU starts a {self.options.memory_mib} MiB guest "
            f"({self.options.describe()}) and connects to the back-end's socket.",
        )
        command = qemu_command(self.options, files.vmlinuz, initrd, path)
        self.qemu = QemuProcess(command, self.console, on_status=self._status)
        try:
            async with asyncio.timeout(CONNECT_SECONDS):
                accept = asyncio.ensure_future(asyncio.get_running_loop().sock_accept(listener))
                waiting: list[asyncio.Future[Any]] = [accept, self.qemu.exited]
                done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        except TimeoutError:
            raise StartError("QEMU did not connect to the back-end in time") from None
        finally:
            listener.close()
        if accept not in done:
            accept.cancel()
            raise StartError(self.qemu.describe_exit(self.qemu.exited.result()))
        connection, _ = accept.result()
        self.backend.before = self.qemu.poll_trace
        self._supervisor = asyncio.create_task(self._supervise(connection))

    def _status(self, value: int) -> None:
        if value != self.world.status:  # QEMU's own resets repeat 0 many times at start
            self.world.status_written(value)

    def _watch_console(self, data: bytes) -> None:
        if self.state != "booting":
            return
        recent = bytes(self.console.text[-(len(data) + 64) :])  # a marker may be split
        if READY.encode() in recent or RUN_BEGINS.encode() in recent:
            self._set_state("ready")

    def _set_state(self, state: State) -> None:
        self.state = state
        for listener in list(self.state_listeners):
            listener()

    # -- running ---------------------------------------------------------------------------
    def command(self, text: str) -> bool:
        """Type a command line into the guest's shell (it becomes a chapter)."""
        if self.qemu is None or self.state != "ready":
            return False
        self.last_input = time.monotonic()
        self.world.command(text)
        return self.qemu.type(text.encode() + b"\n")

    def keys(self, data: bytes) -> bool:
        """Raw bytes for the serial port (Ctrl-C is b"\\x03")."""
        if self.qemu is None or self.state == "stopped":
            return False
        self.last_input = time.monotonic()
        return self.qemu.type(data)

    async def _supervise(self, connection: socket.socket) -> None:
        assert self.qemu is not None
        serving = asyncio.create_task(self.backend.serve(connection))
        stopping = asyncio.create_task(self._stop.wait())
        waiting: list[asyncio.Future[Any]] = [serving, self.qemu.exited, stopping]
        await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        reason = self.reason
        if serving.done() and not serving.cancelled() and serving.result():
            # A QEMU that dies breaks the socket, and the back-end may notice that first:
            # give QEMU a moment to be reaped, so its own end is the reason given.
            await asyncio.wait([self.qemu.exited], timeout=EXIT_GRACE_SECONDS)
            if self.qemu.exited.done():
                reason = reason or self.qemu.describe_exit(self.qemu.exited.result())
            reason = reason or f"the back-end refused QEMU's message: {serving.result()}"
        self.qemu.kill()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(10):
                code = await self.qemu.exited
                reason = reason or self.qemu.describe_exit(code)
        for task in (serving, stopping):
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await serving
        await self._finish(reason or "the VM stopped")

    def _full(self, reason: str) -> None:
        self.reason = self.reason or reason
        self._stop.set()

    async def stop(self, reason: str) -> None:
        """Stop the VM (idempotent) and wait until everything is released."""
        self.reason = self.reason or reason
        self._stop.set()
        if self._supervisor is None:
            await self._finish(self.reason)
        await self.done.wait()

    async def _finish(self, reason: str) -> None:
        if self.done.is_set():
            return
        if self.qemu is not None:
            self.qemu.kill()
        self.reason = self.reason or reason
        self._set_state("stopped")
        if self.timeline.stopped is None:
            self.world.vm_note("vm_stopped", f"The VM is gone: {self.reason}.")
        self.timeline.finish(self.reason)
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
        self.done.set()
