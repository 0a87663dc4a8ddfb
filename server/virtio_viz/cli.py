"""The `virtio-viz` command."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TextIO

from virtio_viz.model.events import Event, Violation
from virtio_viz.walkthrough import WALKTHROUGHS, Chapter

_PLANE_COLOURS = {"control": "35", "data": "36", "notification": "33"}  # magenta/cyan/yellow


def _paint(text: str, code: str, colour: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if colour else text


def format_event(number: int, event: Event, colour: bool) -> str:
    code = "31;1" if isinstance(event, Violation) else _PLANE_COLOURS[event.plane]
    head = _paint(f"{number:4d} {event.actor:>6} {event.plane:<12}", code, colour)
    where = f"virtio-1.2 {event.spec}" + (f" · {event.analog}" if event.analog else "")
    return f"{head} {event.summary}\n{'':24} {_paint(where, '2', colour)}"


def tell(chapters: Sequence[Chapter], out: TextIO, *, colour: bool, step: bool) -> None:
    number = 0
    for chapter in chapters:
        out.write("\n" + _paint(f"== {chapter.title} ==", "1", colour) + "\n")
        for event in chapter.events:
            number += 1
            out.write(format_event(number, event, colour) + "\n")
        if step:
            out.flush()
            input(_paint("-- Enter for the next chapter --", "2", colour))


def _run(args: argparse.Namespace) -> int:
    chapters = WALKTHROUGHS[args.walkthrough](args.transport, args.packed)
    colour = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    step = args.step and sys.stdin.isatty()
    tell(chapters, sys.stdout, colour=colour, step=step)
    total = sum(len(c.events) for c in chapters)
    print(f"\n{total} events in {len(chapters)} chapters.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="virtio-viz", description="See how virtio works, one step at a time."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="tell a walkthrough in the terminal")
    run.add_argument("walkthrough", nargs="?", default="virtio-net", choices=sorted(WALKTHROUGHS))
    run.add_argument("--transport", choices=["pci", "mmio"], default="pci")
    run.add_argument("--packed", action="store_true", help="offer VIRTIO_F_RING_PACKED")
    run.add_argument("--step", action="store_true", help="pause after each chapter")
    run.set_defaults(handler=_run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result: int = args.handler(args)
    except BrokenPipeError:  # e.g. `virtio-viz run | head`: the reader left, nothing to say
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        return 130
    return result


if __name__ == "__main__":
    raise SystemExit(main())
