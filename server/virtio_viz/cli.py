"""The `virtio-viz` command: list the scenarios, tell one in the terminal, export a trace,
print a scenario's host configuration, serve the visualizer."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from virtio_viz import __version__

if TYPE_CHECKING:
    from virtio_viz.scenarios.options import StoryOptions
    from virtio_viz.scenarios.story import Story
    from virtio_viz.timeline import Frame, Timeline

# The model, the stories and the server load inside the commands that use them, so
# `--help` and `scenarios` answer without them (docs/BENCHMARKS.md, start-up).

_PLANE_COLOURS = {"control": "35", "data": "36", "notification": "33"}  # magenta/cyan/yellow


class UsageError(Exception):
    """Bad input on the command line: printed as one line, exit status 2."""


def _paint(text: str, code: str, colour: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if colour else text


def format_frame(frame: Frame, colour: bool) -> str:
    from virtio_viz.model.events import Violation  # noqa: PLC0415

    event = frame.event
    code = "31;1" if isinstance(event, Violation) else _PLANE_COLOURS[event.plane]
    head = _paint(f"{frame.index:5d} {event.actor:>6} {event.plane:<12}", code, colour)
    where = f"virtio-1.2 {event.spec}" if event.spec else ""
    if event.analog:
        where += (" · " if where else "") + event.analog
    if frame.route:
        where += f" · {frame.route}: {' → '.join(frame.hops)}"
    return f"{head} {frame.narration}\n{'':25} {_paint(where, '2', colour)}"


def tell(timeline: Timeline, out: TextIO, *, colour: bool, pause: Callable[[], bool]) -> None:
    """Print every step, chapter by chapter; `pause()` after each step (False: stop)."""
    for chapter in timeline.chapters:
        out.write("\n" + _paint(f"== {chapter.title} ==", "1", colour) + "\n")
        if chapter.intro:
            out.write(_paint(chapter.intro, "3", colour) + "\n")
        for index in range(chapter.first_step, chapter.first_step + chapter.step_count):
            out.write(format_frame(timeline.frame(index), colour) + "\n")
            if not pause():
                return


# -- resolving SCENARIO_OR_FILE ----------------------------------------------------------------
def _load(name: str) -> tuple[Story[Any], StoryOptions | None]:
    """A built-in story by id, or a scenario file (with the options it sets)."""
    from virtio_viz.scenarios.catalog import STORY_IDS  # noqa: PLC0415
    from virtio_viz.scenarios.stories import story  # noqa: PLC0415

    if name in STORY_IDS:
        return story(name), None
    path = Path(name)
    if path.suffix not in {".yaml", ".yml"} and not path.exists():
        raise UsageError(
            f"unknown scenario {name!r}; known: {', '.join(STORY_IDS)} or a .yaml file"
        )
    from virtio_viz.scenario_files import ScenarioFileError, load_scenario_file  # noqa: PLC0415

    try:
        loaded = load_scenario_file(path)
    except ScenarioFileError as error:
        raise UsageError(str(error)) from None
    except OSError as error:
        raise UsageError(f"{name}: {error.strerror or error}") from None
    return loaded.story, loaded.options


def _options(args: argparse.Namespace) -> dict[str, object]:
    raw: dict[str, object] = {}
    for name in ("transport", "ring", "queue_size", "initial_index"):
        value = getattr(args, name)
        if value is not None:
            raw[name] = value
    if args.no_event_idx:
        raw["event_idx"] = False
    if args.decline:
        raw["declined"] = list(args.decline)
    return raw


def build_timeline(args: argparse.Namespace, scenario: str | None = None) -> Timeline:
    from virtio_viz.scenarios.options import OptionError, StoryOptions  # noqa: PLC0415
    from virtio_viz.timeline import Timeline, TimelineTooLong  # noqa: PLC0415

    story, file_options = _load(scenario or args.scenario)
    raw = {**(file_options.to_json() if file_options else {}), **_options(args)}
    try:
        return Timeline(story, StoryOptions.parse(raw), seed=args.seed)
    except (OptionError, TimelineTooLong) as error:
        raise UsageError(str(error)) from None


# -- commands ----------------------------------------------------------------------------------
def _scenarios(args: argparse.Namespace) -> int:
    from virtio_viz.scenarios.catalog import scenario_titles  # noqa: PLC0415

    del args
    titles = scenario_titles()
    width = max(len(story_id) for story_id, _ in titles)
    for story_id, title in titles:
        print(f"{story_id:<{width}}  {title}")
    return 0


def _run(args: argparse.Namespace) -> int:
    timeline = build_timeline(args)
    colour = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    interactive = args.step and sys.stdin.isatty()

    def pause() -> bool:
        if not interactive:
            return True
        answer = input(_paint("-- Enter: next step · q: quit --", "2", colour))
        return answer.strip().lower() != "q"

    tell(timeline, sys.stdout, colour=colour, pause=pause)
    stopped = f" The story stopped early: {timeline.stopped}." if timeline.stopped else ""
    print(f"\n{len(timeline)} steps in {len(timeline.chapters)} chapters.{stopped}")
    return 0


def _export(args: argparse.Namespace) -> int:
    names = args.scenario or ["qemu-emulated"]
    if args.site is not None:
        return _export_site(args, names)
    if args.output is None and args.html is None:
        raise UsageError("say where to write: -o trace.json, --html page.html or --site DIR")
    if len(names) > 1:
        raise UsageError("several scenarios go to a --site folder; -o and --html take one")
    from virtio_viz.trace import export_trace  # noqa: PLC0415

    args.scenario = names[0]
    timeline = build_timeline(args)
    document = export_trace(timeline)
    if args.html is not None:
        from virtio_viz.html_export import BuildMissing, render_html  # noqa: PLC0415

        try:
            Path(args.html).write_text(render_html(document), encoding="utf-8")
        except BuildMissing as error:
            raise UsageError(str(error)) from None
        print(f"Wrote {len(timeline)} steps into {args.html} (opens from disk)", file=sys.stderr)
    if args.output is None:
        return 0
    text = json.dumps(document, separators=(",", ":"))
    if args.output == "-":
        sys.stdout.write(text + "\n")
    else:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
        print(f"Wrote {len(timeline)} steps to {args.output}", file=sys.stderr)
    return 0


def _export_site(args: argparse.Namespace, names: list[str]) -> int:
    """`export --site DIR SCENARIO...`: the element and a trace per scenario, for a static
    host (virtio_viz.site_export)."""
    from virtio_viz.html_export import BuildMissing  # noqa: PLC0415
    from virtio_viz.site_export import write_site  # noqa: PLC0415
    from virtio_viz.trace import export_trace  # noqa: PLC0415

    if args.output is not None or args.html is not None:
        raise UsageError("--site writes a folder: leave out -o and --html")
    traces = {Path(name).stem: export_trace(build_timeline(args, name)) for name in names}
    if len(traces) < len(names):
        raise UsageError("two scenarios would share a trace file name: " + ", ".join(names))
    try:
        written = write_site(Path(args.site), traces)
    except BuildMissing as error:
        raise UsageError(str(error)) from None
    except OSError as error:
        raise UsageError(f"{args.site}: {error.strerror or error}") from None
    print(f"Wrote {len(written)} files to {args.site} (see its README.md)", file=sys.stderr)
    return 0


def _story_arguments(parser: argparse.ArgumentParser, *, several: bool = False) -> None:
    parser.add_argument(
        "scenario", nargs="*" if several else "?", default=None if several else "qemu-emulated",
        help="a scenario id (see `virtio-viz scenarios`) or a scenario file (.yaml)"
        + ("; several for --site" if several else ""),
    )  # fmt: skip
    parser.add_argument("--transport", choices=["pci", "mmio", "ccw"])
    parser.add_argument("--ring", choices=["split", "packed"])
    parser.add_argument("--queue-size", type=int, help="the device's queue size (default 16)")
    parser.add_argument("--initial-index", type=int, help="start the ring indices here")
    parser.add_argument("--no-event-idx", action="store_true", help="turn VIRTIO_F_EVENT_IDX off")
    parser.add_argument("--decline", action="append", metavar="FEATURE",
                        help="a feature the driver declines (repeatable)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=0)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="virtio-viz", description="See how virtio works, one step at a time."
    )
    parser.add_argument("--version", action="version", version=f"virtio-viz {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("scenarios", help="list the built-in scenarios")
    listing.set_defaults(handler=_scenarios)
    run = commands.add_parser("run", help="tell a scenario in the terminal")
    _story_arguments(run)
    run.add_argument("--step", action="store_true", help="wait for Enter after each step")
    run.set_defaults(handler=_run)
    export = commands.add_parser("export", help="write a scenario's timeline as a JSON trace")
    _story_arguments(export, several=True)
    export.add_argument("-o", "--output", help="the JSON trace to write, - for stdout")
    export.add_argument("--html", help="also write one self-contained HTML page to open from disk")
    export.add_argument("--site", metavar="DIR",
                        help="write a folder for a static site: the element and a trace per "
                        "scenario, with a README of snippets")  # fmt: skip
    export.set_defaults(handler=_export)
    _add_server_commands(commands)
    return parser


def _add_server_commands(commands: Any) -> None:
    from virtio_viz.api.cli import add_serve_command  # noqa: PLC0415
    from virtio_viz.hostconfig.cli import add_host_command  # noqa: PLC0415
    from virtio_viz.live.cli import add_live_command  # noqa: PLC0415
    from virtio_viz.qemu_record.cli import add_record_command  # noqa: PLC0415
    from virtio_viz.qemu_trace.cli import add_import_command  # noqa: PLC0415

    add_serve_command(commands)
    add_host_command(commands)
    add_import_command(commands)
    add_record_command(commands)
    add_live_command(commands)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result: int = args.handler(args)
    except UsageError as error:
        print(f"virtio-viz: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `virtio-viz run | head`: the reader left, nothing to say
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        return 130
    return result


if __name__ == "__main__":
    raise SystemExit(main())
