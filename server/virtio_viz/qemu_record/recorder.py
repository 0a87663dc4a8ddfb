"""`record()`: boot the VM, follow its phases, query QEMU, and keep what it logged.

How this works: everything QEMU needs is written into a short-lived work folder (kernel,
initramfs, an empty disk, the trace-event patterns). QEMU runs as a child process; its
debugcon port writes the guest's phase letters into `markers.txt`, which is polled. At
`S` and `T` the host talks to QEMU over QMP (qmp_capture.py). When the guest has powered
off, the full trace is cut to its virtio lines (logfilter.py) and the results are
published into the output folder with the same file names as `shared/traces/qemu-split`,
plus `recording.json`, which says what made them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import platform
import shlex
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from qemu.qmp import ConnectError, QMPClient

from virtio_viz.qemu_record.errors import RecordError
from virtio_viz.qemu_record.guest import MODULES, RNG_MODULE, init_script, phase_letters
from virtio_viz.qemu_record.initramfs import char_device, directory, file, initramfs
from virtio_viz.qemu_record.kernel import Kernel
from virtio_viz.qemu_record.logfilter import VirtioLogFilter
from virtio_viz.qemu_record.machine import (
    DISK_BYTES,
    QEMU,
    TRACE_EVENTS,
    TRACE_FILE,
    MachineFiles,
    RecordOptions,
    qemu_command,
)
from virtio_viz.qemu_record.qmp_capture import QmpCapture

POLL_SECONDS = 0.05
Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Recording:
    trace: Path  # the cut log, in the output folder
    qmp_files: tuple[Path, ...]
    manifest: dict[str, Any]  # what recording.json holds


def record(
    options: RecordOptions, output: Path, kernel: Kernel, busybox: Path,
    *, timeout: float = 600.0, progress: Progress = lambda _: None,
) -> Recording:  # fmt: skip
    """Record one run of the guest into `output` (created if needed)."""
    output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="vv-record-") as work:
        files = MachineFiles(Path(work))
        _prepare(files, kernel, busybox, options)
        command = qemu_command(options, files)
        started = time.time()
        markers, capture = asyncio.run(_run(command, files, options, timeout, progress))
        _check_finished(markers, phase_letters(options.guest), files, output)
        kept, total = _publish(files, output)
    qmp_files = _write_qmp(capture, output)
    shown = shlex.join(part.replace(f"{files.folder}/", "") for part in command)
    manifest = _manifest(options, kernel, busybox, command_line=shown, started=started)
    manifest |= {"markers": markers, "trace_lines": {"logged": total, "kept": kept}}
    (output / "recording.json").write_text(json.dumps(manifest, indent=1) + "\n")
    (output / "cmdline.txt").write_text(manifest["command_line"] + "\n")
    return Recording(output / TRACE_FILE, qmp_files, manifest)


def _prepare(files: MachineFiles, kernel: Kernel, busybox: Path, options: RecordOptions) -> None:
    entries = [directory(name) for name in ("bin", "dev", "proc", "sys", "lib", "lib/modules")]
    entries.append(char_device("dev/console", 5, 1))  # the kernel opens it before /init
    entries.append(file("bin/busybox", busybox.read_bytes(), executable=True))
    if options.guest.rng and RNG_MODULE not in kernel.modules:
        raise RecordError(f"{kernel.package} has no {RNG_MODULE} module for --rng")
    modules = [*MODULES, RNG_MODULE] if options.guest.rng else list(MODULES)
    entries += [file(f"lib/modules/{name}.ko", kernel.modules[name]) for name in modules]
    entries.append(file("init", init_script(options.guest).encode(), executable=True))
    files.initrd.write_bytes(initramfs(entries))
    files.vmlinuz.write_bytes(kernel.vmlinuz)
    with files.disk.open("wb") as disk:
        disk.truncate(DISK_BYTES)
    files.events.write_text("\n".join(TRACE_EVENTS) + "\n")
    files.markers.touch()


async def _run(
    command: list[str], files: MachineFiles, options: RecordOptions, timeout: float,
    progress: Progress,
) -> tuple[str, QmpCapture | None]:  # fmt: skip
    deadline = time.monotonic() + timeout
    process = await asyncio.create_subprocess_exec(
        *command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    capture: QmpCapture | None = None
    failure: RecordError | None = None
    markers = ""
    try:
        if options.qmp:
            capture = QmpCapture(await _connect(files.qmp_socket, process, deadline))
        markers = await _follow(process, files.markers, capture, deadline, progress)
    except RecordError as error:
        failure = error
    finally:
        if capture is not None:
            with contextlib.suppress(EOFError, OSError):  # QEMU closed it when it exited
                await capture.client.disconnect()
        stopped_by_us = process.returncode is None
        if stopped_by_us:
            process.kill()
        stderr = (await process.communicate())[1].decode(errors="replace")
    if process.returncode != 0 and not stopped_by_us:  # QEMU's own words say most
        raise RecordError(f"QEMU exited with status {process.returncode}: {stderr.strip()}")
    if failure is not None:
        raise failure
    return markers, capture


async def _connect(socket: Path, process: asyncio.subprocess.Process, deadline: float) -> QMPClient:
    client = QMPClient("virtio-viz-record")
    while True:
        if socket.exists():
            try:
                await client.connect(str(socket))
                return client
            except (ConnectError, OSError) as error:
                problem = str(error)
        else:
            problem = f"{socket} was not created"
        if process.returncode is not None or time.monotonic() > deadline:
            raise RecordError(f"cannot reach QEMU's QMP socket: {problem}")
        await asyncio.sleep(POLL_SECONDS)


async def _follow(
    process: asyncio.subprocess.Process, markers: Path, capture: QmpCapture | None,
    deadline: float, progress: Progress,
) -> str:  # fmt: skip
    """The phase letters, as the guest writes them, until QEMU exits."""
    seen = ""
    while True:
        text = markers.read_text(encoding="latin-1")
        for letter in text[len(seen) :]:
            seen += letter
            progress(letter)
            if capture is not None and letter == "S":
                await capture.snapshot()
                await capture.throttle(1)
            elif capture is not None and letter == "T":
                await capture.in_flight()
                await capture.throttle(0)
        if process.returncode is not None:
            return seen
        if time.monotonic() > deadline:
            raise RecordError(f"the guest did not power off in time (phases seen: {seen!r})")
        with contextlib.suppress(TimeoutError):  # still running: look at the markers again
            await asyncio.wait_for(process.wait(), POLL_SECONDS)


def _check_finished(markers: str, expected: str, files: MachineFiles, output: Path) -> None:
    if markers == expected:
        return
    console = output / "console.log"
    console.write_bytes(files.console.read_bytes() if files.console.exists() else b"")
    last = markers[-1:] or "none"
    raise RecordError(
        f"the guest stopped early: phases {markers!r} of {expected!r} (last: {last}); "
        f"its console is in {console}"
    )


def _publish(files: MachineFiles, output: Path) -> tuple[int, int]:
    """Copy markers and console; cut the log. (Lines kept, lines logged.)"""
    (output / "markers.txt").write_bytes(files.markers.read_bytes())
    (output / "console.log").write_bytes(files.console.read_bytes())
    (output / "trace-events.txt").write_text(files.events.read_text())
    kept = total = 0
    with (
        files.full_log.open(encoding="utf-8", errors="replace") as source,
        (output / TRACE_FILE).open("w", encoding="utf-8") as target,
    ):
        log_filter = VirtioLogFilter()
        for line in source:
            total += 1
            if log_filter.keep(line):
                target.write(line)
                kept += 1
    return kept, total


def _write_qmp(capture: QmpCapture | None, output: Path) -> tuple[Path, ...]:
    if capture is None:
        return ()
    written = []
    for stem, records in capture.files.items():
        path = output / f"qmp-{stem}.json"
        path.write_text(json.dumps(records, indent=1) + "\n")
        written.append(path)
    return tuple(written)


def _manifest(
    options: RecordOptions, kernel: Kernel, busybox: Path, *, command_line: str, started: float
) -> dict[str, Any]:
    return {
        "format": "virtio-viz-recording",
        "version": 1,
        "options": {**asdict(options), "description": options.describe()},
        "qemu": _first_line([QEMU, "--version"]),
        "kernel": {"package": kernel.package, "release": kernel.release},
        "busybox": _first_line([str(busybox)]),
        "host": platform.platform(),
        "started": started,
        "seconds": round(time.time() - started, 1),
        "command_line": command_line,
    }


def _first_line(command: list[str]) -> str:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    return (result.stdout.strip().splitlines() or ["unknown"])[0]
