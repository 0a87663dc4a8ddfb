"""A live VM, timed: boot to prompt, ping round trips and the back-end's CPU per packet.

Every figure has a baseline from the same run, interleaved with it:

- **boot**: `virtio-viz live` (the command, as a child process) until its VM's console
  shows READY, against the same kernel and initramfs in QEMU with its built-in user
  networking (slirp) until its console shows READY;
- **ping**: `ping -c N -i 0.2 10.0.2.2` in the guest (scripted mode), round-trip average
  as ping prints it, through virtio-viz's back-end against QEMU's user networking;
- **cpu**: the back-end's CPU time (this process: the protocol, the model's device side,
  scapy, the timeline's recording) during the vhost-user ping run, per frame it moved,
  against one model round trip (`benchmarks.ring_roundtrip`, split, size 256) measured
  in the same process.

    .venv/bin/python -m benchmarks.live_vm --repeat 3 --pings 20
    .venv/bin/python -m benchmarks.live_vm_keys          # key press to kick (a browser)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import ring_roundtrip
from virtio_viz.live.guest import READY, RUN_BEGINS, RUN_ENDED, build_initramfs, cached_kernel
from virtio_viz.live.manager import LiveSettings, LiveVMs
from virtio_viz.live.vm import KERNEL_COMMAND_LINE, VmOptions
from virtio_viz.qemu_record import host
from virtio_viz.qemu_record.machine import QEMU

RTT = re.compile(r"round-trip min/avg/max = [\d.]+/([\d.]+)/[\d.]+ ms")


def ping_average(console: str) -> float:
    """The average round trip ping printed, in ms."""
    found = RTT.search(console)
    if found is None:
        raise ValueError(f"no ping summary in the console:\n{console[-2000:]}")
    return float(found.group(1))


def slirp_command(vmlinuz: Path, initrd: Path) -> list[str]:
    """The same guest, but its virtio-net is QEMU's own device on user networking."""
    return [
        QEMU, "-machine", "q35", "-accel", "tcg,tb-size=64", "-m", "256M",
        "-display", "none", "-nodefaults", "-no-reboot", "-monitor", "none",
        "-serial", "stdio", "-kernel", str(vmlinuz), "-initrd", str(initrd),
        "-append", KERNEL_COMMAND_LINE, "-netdev", "user,id=n0",
        "-device", "virtio-net-pci,netdev=n0,romfile=,vectors=0",
    ]  # fmt: skip


def _guest(run: str | None) -> tuple[Path, Path]:
    vmlinuz, modules = cached_kernel()
    folder = Path(tempfile.mkdtemp(prefix="vv-bench-"))
    initrd = folder / "initrd.gz"
    initrd.write_bytes(build_initramfs(modules, host.static_busybox(), run))
    return vmlinuz, initrd


def slirp_run(run: str | None, until: str) -> tuple[float, str]:
    """(seconds from the QEMU process starting until `until` shows, console so far)."""
    vmlinuz, initrd = _guest(run)
    started = time.monotonic()
    process = subprocess.Popen(slirp_command(vmlinuz, initrd), stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)  # fmt: skip
    assert process.stdout is not None
    seen = b""
    try:
        while until.encode() not in seen:
            chunk = os.read(process.stdout.fileno(), 4096)
            if not chunk:
                break
            seen += chunk
        return time.monotonic() - started, seen.decode(errors="replace")
    finally:
        process.kill()
        process.wait()
        initrd.unlink()


def live_boot_seconds() -> float:
    """Seconds from starting `virtio-viz live` until its VM's console shows READY."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    command = [sys.executable, "-m", "virtio_viz.cli", "live", "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/live", timeout=2) as r:
                    vms = json.load(r)["vms"]
                if vms and vms[0]["state"] == "ready":
                    return time.monotonic() - started
            except OSError:
                pass
            if process.poll() is not None:
                raise RuntimeError("virtio-viz live exited")
            time.sleep(0.05)
    finally:
        process.terminate()
        process.wait(timeout=30)


@dataclass
class PingRun:
    rtt_ms: float
    cpu_seconds: float = 0.0
    frames: int = 0

    @property
    def cpu_us_per_frame(self) -> float:
        return 1e6 * self.cpu_seconds / self.frames if self.frames else 0.0


async def _ping_in_guest(pings: int) -> PingRun:
    """The CPU this process spends while the guest pings (from the guest's run-begins
    marker to its run-ended marker), and the frames the back-end moved meanwhile."""
    vms = LiveVMs(LiveSettings(orphan_seconds=600, idle_seconds=600))
    vm = await vms.start(VmOptions(), run=f"ping -c {pings} -i 0.2 10.0.2.2")
    marks: dict[str, tuple[float, int]] = {}

    def heard(_: bytes) -> None:
        text = vm.console.decoded()
        for name, found in (("begin", RUN_BEGINS in text), ("end", RUN_ENDED.search(text))):
            if found and name not in marks:
                marks[name] = (time.process_time(), len(vm.timeline))

    vm.console.listeners.append(heard)
    try:
        async with asyncio.timeout(300):
            await vm.done.wait()
    finally:
        await vms.shutdown()
    (cpu0, step0), (cpu1, step1) = marks["begin"], marks["end"]
    kinds = [vm.timeline.frame(i).event.kind for i in range(step0, step1)]
    moved = kinds.count("net_tx_frame") + kinds.count("net_rx_frame")
    return PingRun(ping_average(vm.console.decoded()), cpu1 - cpu0, moved)


def live_ping(pings: int) -> PingRun:
    return asyncio.run(_ping_in_guest(pings))


def model_round_trip_us() -> float:
    """µs of one split round trip of the model (size 256), measured here and now."""
    result = ring_roundtrip.measure("split", 256, 20_000, 10_000)
    return 1e6 / result.rate


@dataclass
class Results:
    live_boot: list[float] = field(default_factory=list)
    slirp_boot: list[float] = field(default_factory=list)
    live_ping: list[PingRun] = field(default_factory=list)
    slirp_rtt: list[float] = field(default_factory=list)
    model_us: list[float] = field(default_factory=list)


def measure(repeat: int, pings: int) -> Results:
    results = Results()
    for _ in range(repeat):  # interleaved, so a slow minute of the machine hits both
        results.live_boot.append(live_boot_seconds())
        results.slirp_boot.append(slirp_run(None, READY)[0])
        results.live_ping.append(live_ping(pings))
        console = slirp_run(f"ping -c {pings} -i 0.2 10.0.2.2", "run ended")[1]
        results.slirp_rtt.append(ping_average(console))
        results.model_us.append(model_round_trip_us())
    return results


def report(results: Results) -> str:
    median = statistics.median
    live_boot, slirp_boot = median(results.live_boot), median(results.slirp_boot)
    live_rtt = median(run.rtt_ms for run in results.live_ping)
    slirp_rtt = median(results.slirp_rtt)
    cpu = median(run.cpu_us_per_frame for run in results.live_ping)
    model = median(results.model_us)
    frames = median(run.frames for run in results.live_ping)
    rows = [
        "| figure | virtio-viz | baseline | ratio |",
        "|---|---:|---:|---:|",
        f"| boot to READY (s) | {live_boot:.1f} | {slirp_boot:.1f} (QEMU user networking) "
        f"| {live_boot / slirp_boot:.2f} |",
        f"| ping round trip, average (ms) | {live_rtt:.2f} | {slirp_rtt:.2f} (QEMU user "
        f"networking) | {live_rtt / slirp_rtt:.1f} |",
        f"| back-end CPU per frame (µs) | {cpu:.0f} | {model:.1f} (one model round trip) "
        f"| {cpu / model:.0f} |",
    ]
    runs = f"{len(results.live_boot)} runs each, medians; {frames:.0f} frames per ping run"
    return "\n".join(rows) + f"\n\n{runs}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pings", type=int, default=20)
    args = parser.parse_args(argv)
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    print(report(measure(args.repeat, args.pings)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
