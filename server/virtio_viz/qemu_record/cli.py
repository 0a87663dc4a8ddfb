"""`virtio-viz record OUTDIR`: record a real VM's virtio traffic and import it.

Errors are one line, `virtio-viz: what`, and exit status 2. See docs/qemu-record.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from virtio_viz.qemu_record.errors import RecordError

if TYPE_CHECKING:
    from virtio_viz.qemu_record.machine import RecordOptions
    from virtio_viz.qemu_record.recorder import Recording

# Every `virtio-viz` command builds this parser; what only `record` uses loads in `record`.


def add_record_command(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "record",
        help="record a real VM's virtio traffic (QEMU, TCG) and import it",
        description="Boot a Debian kernel in QEMU with a busybox initramfs that loads the "
        "virtio modules, pings, reads and writes the disk and marks each phase; keep "
        "QEMU's trace of it and turn it into a virtio-viz trace. Needs the Debian "
        "packages qemu-system-x86 and busybox-static. See docs/qemu-record.md.",
    )
    parser.add_argument("output", metavar="OUTDIR", help="the folder to write the recording to")
    parser.add_argument("--ring", choices=("split", "packed"), default="split")
    parser.add_argument("--event-idx", choices=("on", "off"), default="on")
    parser.add_argument("--ioeventfd", choices=("on", "off"), default="on")
    parser.add_argument(
        "--rng", action="store_true", help="add a virtio-rng device and read from it (phase R)"
    )
    parser.add_argument(
        "--no-qmp", action="store_true", help="do not query QEMU's queues during the run"
    )
    kernel = parser.add_mutually_exclusive_group()
    kernel.add_argument("--kernel-deb", metavar="FILE", help="a linux-image-*-amd64 .deb to use")
    kernel.add_argument(
        "--kernel-package", metavar="NAME",
        help="the Debian image package to download (default: what linux-image-amd64 names)",
    )  # fmt: skip
    parser.add_argument("--cache", metavar="DIR", help="where downloaded kernels are kept")
    parser.add_argument("--busybox", metavar="FILE", help="a static busybox (default /bin/busybox)")
    parser.add_argument(
        "--timeout", type=float, default=600.0, metavar="SECONDS",
        help="give up if the guest has not powered off by then (default 600)",
    )  # fmt: skip
    parser.add_argument(
        "--no-import", action="store_true", help="keep QEMU's files only, write no trace.json"
    )
    parser.set_defaults(handler=run_record)


def run_record(args: argparse.Namespace) -> int:
    try:
        _record(args)
    except RecordError as error:
        print(f"virtio-viz: {error}", file=sys.stderr)
        return 2
    return 0


def options_from(args: argparse.Namespace) -> RecordOptions:
    from virtio_viz.qemu_record.guest import GuestPlan  # noqa: PLC0415
    from virtio_viz.qemu_record.machine import RecordOptions  # noqa: PLC0415

    return RecordOptions(
        ring=args.ring, event_idx=args.event_idx == "on", ioeventfd=args.ioeventfd == "on",
        qmp=not args.no_qmp, guest=GuestPlan(rng=args.rng),
    )  # fmt: skip


def _record(args: argparse.Namespace) -> None:
    from virtio_viz.qemu_record import host, kernel  # noqa: PLC0415
    from virtio_viz.qemu_record.recorder import record  # noqa: PLC0415 (imports qemu.qmp)

    options = options_from(args)
    if args.timeout <= 0:
        raise RecordError("--timeout must be a positive number of seconds")
    host.require_programs()
    busybox = host.static_busybox(Path(args.busybox) if args.busybox else host.BUSYBOX)
    if args.kernel_deb:
        deb = Path(args.kernel_deb)
    else:
        cache = Path(args.cache) if args.cache else host.default_cache()
        package = args.kernel_package or kernel.resolve_package()
        _say(f"kernel: {package} (cached in {cache})")
        deb = kernel.download(package, cache)
    guest_kernel = kernel.unpack(deb)
    output = Path(args.output)
    _say(f"recording {options.describe()}; Linux {guest_kernel.release}, into {output}")
    recording = record(
        options, output, guest_kernel, busybox, timeout=args.timeout,
        progress=lambda letter: _say(f"  phase {letter}: {_title(letter)}"),
    )  # fmt: skip
    lines = recording.manifest["trace_lines"]
    _say(f"kept {lines['kept']} of {lines['logged']} logged lines in {recording.trace}")
    if not args.no_import:
        _import(recording, output / "trace.json")


def _import(recording: Recording, target: Path) -> None:
    from virtio_viz.qemu_record.annotate import describe_recording  # noqa: PLC0415
    from virtio_viz.qemu_trace.cli import import_files  # noqa: PLC0415
    from virtio_viz.qemu_trace.errors import TraceImportError  # noqa: PLC0415

    try:
        document = import_files(recording.trace, list(recording.qmp_files))
    except TraceImportError as error:
        raise RecordError(f"the recording does not import: {error}") from None
    describe_recording(document, recording.manifest)
    target.write_text(json.dumps(document, separators=(",", ":")) + "\n", encoding="utf-8")
    chapters = len(document["chapters"])
    _say(f"wrote {document['step_count']} steps in {chapters} chapters to {target}")


def _title(letter: str) -> str:
    from virtio_viz.qemu_trace.phases import MARKERS  # noqa: PLC0415

    phase = MARKERS.get(letter)
    return phase.title if phase else "?"


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)
