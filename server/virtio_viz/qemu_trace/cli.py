"""`virtio-viz import TRACE -o trace.json [--qmp FILE ...]`: a QEMU log as a virtio-viz trace.

Errors are one line, `virtio-viz: file:line: what`, and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from virtio_viz.qemu_trace.errors import TraceImportError

if TYPE_CHECKING:
    from virtio_viz.qemu_trace.qmp import QmpReply


def add_import_command(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "import",
        help="turn a QEMU trace (log backend) into a JSON trace the browser replays",
        description="Read a QEMU trace written by the `log` trace backend (events virtio_*, "
        "virtqueue_*, memory_region_ops_*, msix_write_config, apic_deliver_irq) and write "
        "a virtio-viz trace on the qemu-emulated diagram. See docs/qemu-import.md.",
    )
    parser.add_argument("trace", metavar="TRACE", help="the QEMU log (-D FILE)")
    parser.add_argument("-o", "--output", required=True, help="the file to write, - for stdout")
    parser.add_argument(
        "--qmp", action="append", default=[], metavar="FILE",
        help="QMP replies (x-query-virtio-*) as JSON, for real ring indices (repeatable)",
    )  # fmt: skip
    parser.add_argument(
        "--device", help="follow this device (e.g. virtio-blk) and leave the others out"
    )
    parser.add_argument(
        "--lenient", action="store_true",
        help="skip malformed lines (listed on stderr) instead of stopping at the first",
    )  # fmt: skip
    parser.set_defaults(handler=run_import)


def run_import(args: argparse.Namespace) -> int:
    try:
        document = _import(args)
    except TraceImportError as error:
        print(f"virtio-viz: {error}", file=sys.stderr)
        return 2
    text = json.dumps(document, separators=(",", ":"))
    if args.output == "-":
        sys.stdout.write(text + "\n")
    else:
        try:
            Path(args.output).write_text(text + "\n", encoding="utf-8")
        except OSError as error:
            print(f"virtio-viz: {args.output}: {error.strerror or error}", file=sys.stderr)
            return 2
        print(
            f"Wrote {document['step_count']} steps in {len(document['chapters'])} chapters "
            f"to {args.output}",
            file=sys.stderr,
        )
    return 0


def _import(args: argparse.Namespace) -> dict[str, Any]:
    qmp = [Path(name) for name in args.qmp]
    return import_files(Path(args.trace), qmp, device=args.device, lenient=args.lenient)


def import_files(
    path: Path, qmp: list[Path], *, device: str | None = None, lenient: bool = False
) -> dict[str, Any]:
    """A trace document from a QEMU log and QMP files, with the model comparison."""
    from virtio_viz.qemu_trace.compare import compare_all  # noqa: PLC0415 (runs the model)
    from virtio_viz.qemu_trace.export import import_trace  # noqa: PLC0415
    from virtio_viz.qemu_trace.parse import parse_text, read_trace  # noqa: PLC0415
    from virtio_viz.qemu_trace.qmp import load_qmp  # noqa: PLC0415

    text = read_trace(path)
    replies: list[QmpReply] = []
    for name in qmp:
        replies.extend(load_qmp(name))
    try:
        document = import_trace(
            text, source=path.name, qmp=replies, device=device, strict=not lenient
        )
    except TraceImportError as error:
        raise error.located(str(path)) from None
    document["comparison"] = compare_all(document)
    if lenient:
        for problem in parse_text(text).malformed:
            print(f"virtio-viz: {path}:{problem.line}: skipped: {problem.what}", file=sys.stderr)
    return document
