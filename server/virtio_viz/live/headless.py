"""A live VM without a page: boot, run one command line in the guest, keep the trace.

How this works: the guest boots in its scripted mode (`/etc/vv-run` holds the command),
runs the command, prints its exit status between markers and powers off; Linux 6.1
resets its devices on the way, so the trace ends with QEMU stopping the rings. The
result has the console, the guest's exit status and the timeline, which `write_trace()`
saves as the same trace document the page replays.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, replace
from pathlib import Path

from virtio_viz.live.export import export_live
from virtio_viz.live.guest import RUN_ENDED, check_command
from virtio_viz.live.live_vm import LiveVM
from virtio_viz.live.manager import LiveSettings, LiveVMs
from virtio_viz.live.timeline import LiveTimeline
from virtio_viz.live.vm import VmOptions


@dataclass(frozen=True, slots=True)
class HeadlessRun:
    vm: LiveVM
    console: str
    status: int | None  # the command's exit status; None if the guest never said

    @property
    def timeline(self) -> LiveTimeline:
        return self.vm.timeline


async def run_headless(
    options: VmOptions, command: str, *, timeout: float = 300.0,
    settings: LiveSettings | None = None,
) -> HeadlessRun:  # fmt: skip
    """Boot, run `command` in the guest, wait until QEMU is gone (or `timeout` passed)."""
    check_command(command)
    patient = timeout + 60  # no page watches a headless VM: only the timeout stops it
    base = settings or LiveSettings(memory_mib=options.memory_mib)
    vms = LiveVMs(replace(base, orphan_seconds=patient, idle_seconds=patient))
    vm = await vms.start(options, run=command)
    try:
        async with asyncio.timeout(timeout):
            await vm.done.wait()
    except TimeoutError:
        await vm.stop(f"the guest did not finish within {timeout:.0f} s")
    finally:
        await vms.shutdown()
    console = vm.console.decoded()
    ended = RUN_ENDED.search(console)
    return HeadlessRun(vm, console, int(ended.group(1)) if ended else None)


async def write_trace(timeline: LiveTimeline, path: Path) -> int:
    """Write the timeline as a trace document; returns the number of steps."""
    document = await export_live(timeline)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, separators=(",", ":")) + "\n", encoding="utf-8")
    return len(timeline)
