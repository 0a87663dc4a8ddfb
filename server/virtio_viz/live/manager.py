"""The live VMs of one server, and the guard rails around them.

How this works: `LiveVMs` starts VMs on request, at most `max_vms` at a time (one by
default), each with at most `max_memory_mib` of guest RAM and a timeline of at most
`max_steps` steps. A watchdog looks at every VM every few seconds and stops it when
- nobody has typed into it for `idle_seconds` (an abandoned lecture VM);
- nobody has watched it (no session on its timeline, no console) for `orphan_seconds`:
  its session ended, so the VM goes with it;
- it has run for `max_lifetime_seconds`.
A stopped VM's timeline stays readable (scrubbing, export) while someone still watches
it, and is forgotten `orphan_seconds` after the last watcher left. `shutdown()` stops
everything; the server calls it on its way out.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from virtio_viz.live import MEMORY_CHOICES
from virtio_viz.live.guest import cached_kernel
from virtio_viz.live.live_vm import GuestFiles, LiveVM
from virtio_viz.live.vm import VmOptions
from virtio_viz.qemu_record import host
from virtio_viz.qemu_record.errors import RecordError
from virtio_viz.qemu_record.machine import QEMU

WATCHDOG_SECONDS = 2.0


class Busy(Exception):
    """No VM may start now; the message says why and what would allow it."""


@dataclass(frozen=True, slots=True)
class LiveSettings:
    max_vms: int = 1
    memory_mib: int = 256
    max_memory_mib: int = 512
    idle_seconds: float = 15 * 60
    orphan_seconds: float = 60.0
    max_lifetime_seconds: float = 2 * 3600
    max_steps: int = 20_000
    kernel_cache: Path | None = None
    busybox: Path = host.BUSYBOX


def unavailable_reason(settings: LiveSettings) -> str | None:
    """Why this host cannot run a live VM, or None when it can."""
    if shutil.which(QEMU) is None:
        return f"{QEMU} is not installed (Debian package qemu-system-x86)"
    try:
        host.static_busybox(settings.busybox)
    except RecordError as error:
        return str(error)
    return None


class LiveVMs:
    def __init__(self, settings: LiveSettings | None = None) -> None:
        self.settings = settings or LiveSettings()
        self._vms: dict[str, LiveVM] = {}
        self._watched: dict[str, float] = {}  # vm id -> last time someone watched it
        self._files: GuestFiles | None = None
        self._watchdog: asyncio.Task[None] | None = None
        self.console_watchers: dict[str, int] = {}  # vm id -> console sockets open

    @property
    def unavailable(self) -> str | None:
        return unavailable_reason(self.settings)

    def get(self, vm_id: str) -> LiveVM | None:
        return self._vms.get(vm_id)

    def running(self) -> list[LiveVM]:
        return [vm for vm in self._vms.values() if vm.state != "stopped"]

    async def start(
        self, options: VmOptions | None = None, *, run: str | None = None
    ) -> LiveVM:  # fmt: skip
        """Boot a VM (Busy when the limits say no; RecordError/StartError when it fails)."""
        options = options or VmOptions(memory_mib=self.settings.memory_mib)
        self._check(options)
        vm = LiveVM(options, self.settings.max_steps)
        self._vms[vm.id] = vm
        self._watched[vm.id] = time.monotonic()
        self._ensure_watchdog()
        try:
            await vm.start(await self._guest_files(), run=run)
        except BaseException:
            self._vms.pop(vm.id, None)
            raise
        return vm

    def _check(self, options: VmOptions) -> None:
        why = self.unavailable
        if why is not None:
            raise Busy(f"live VMs are not available here: {why}")
        if len(self.running()) >= self.settings.max_vms:
            raise Busy(
                f"this server runs at most {self.settings.max_vms} live VM(s) at a time "
                "(virtio-viz live --max-vms raises it)"
            )
        cap = self.settings.max_memory_mib
        if options.memory_mib not in MEMORY_CHOICES or options.memory_mib > cap:
            allowed = ", ".join(str(m) for m in MEMORY_CHOICES if m <= cap)
            raise Busy(f"a live VM may have {allowed} MiB of RAM, not {options.memory_mib}")

    async def _guest_files(self) -> GuestFiles:
        if self._files is None:
            vmlinuz, modules = await asyncio.to_thread(cached_kernel, self.settings.kernel_cache)
            self._files = GuestFiles(vmlinuz, modules, self.settings.busybox)
        return self._files

    # -- the watchdog ----------------------------------------------------------------------
    def watchers(self, vm: LiveVM) -> int:
        return vm.timeline.watchers + self.console_watchers.get(vm.id, 0)

    async def check(self, now: float | None = None) -> None:
        """One look at every VM (the watchdog calls this every few seconds)."""
        now = time.monotonic() if now is None else now
        limits = self.settings
        for vm_id, vm in list(self._vms.items()):
            if self.watchers(vm):
                self._watched[vm_id] = now
            unwatched = now - self._watched.get(vm_id, now)
            if vm.state == "stopped":
                if unwatched > limits.orphan_seconds:
                    del self._vms[vm_id]
                    self._watched.pop(vm_id, None)
                continue
            reason = None
            if unwatched > limits.orphan_seconds:
                reason = f"nobody watched it for {limits.orphan_seconds:.0f} s (its session ended)"
            elif now - vm.last_input > limits.idle_seconds:
                reason = f"nobody typed into it for {limits.idle_seconds:.0f} s"
            elif now - vm.started > limits.max_lifetime_seconds:
                reason = f"it ran for the longest a VM may, {limits.max_lifetime_seconds:.0f} s"
            if reason is not None:
                await vm.stop(reason)

    def _ensure_watchdog(self) -> None:
        if self._watchdog is None or self._watchdog.done():
            self._watchdog = asyncio.create_task(self._watch())

    async def _watch(self) -> None:
        while self._vms:
            await asyncio.sleep(WATCHDOG_SECONDS)
            await self.check()

    async def shutdown(self) -> None:
        """Stop every VM (the server is going away)."""
        for vm in list(self._vms.values()):
            await vm.stop("the server is shutting down")
        self._vms.clear()
        if self._watchdog is not None:
            self._watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watchdog
