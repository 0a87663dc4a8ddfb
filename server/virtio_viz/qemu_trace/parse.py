"""Read a QEMU `log`-backend trace into typed lines.

How this works: every line of such a log is `[THREAD@SECONDS:]event key value key value ...`
(the prefix only with `-msg timestamp=on`). Values are numbers (decimal or 0x-hex) or
a quoted string (`name 'virtio-pci-common-virtio-net'`). Nothing from the file is ever
executed or evaluated: a line is matched by regular expressions and its numbers are
converted with int().

- Events the importer knows (`EVENTS`) are checked field by field. A known event with a
  missing or non-numeric field is *malformed* and reported with its line number.
- Any other line (another trace event, a QEMU warning, an empty line) is *unknown*: it
  is counted, by event name, and skipped.
- The input has a size limit (`MAX_TRACE_BYTES`) and a line-length limit.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from virtio_viz.qemu_trace.errors import TraceImportError

MAX_TRACE_BYTES = 64 * 1024 * 1024
MAX_LINE_CHARS = 4096

Arg = int | str

# event -> its fields; "s" marks the one string field, every other field is a number.
EVENTS: dict[str, tuple[str, ...]] = {
    "virtio_set_status": ("vdev", "val"),
    "virtio_queue_notify": ("vdev", "n", "vq"),
    "virtio_notify": ("vdev", "vq"),
    "virtio_notify_irqfd": ("vdev", "vq"),
    "virtqueue_alloc_element": ("elem", "size", "in_num", "out_num"),
    "virtqueue_pop": ("vq", "elem", "in_num", "out_num"),
    "virtqueue_fill": ("vq", "elem", "len", "idx"),
    "virtqueue_flush": ("vq", "count"),
    "virtio_blk_handle_read": ("vdev", "req", "sector", "nsectors"),
    "virtio_blk_handle_write": ("vdev", "req", "sector", "nsectors"),
    "virtio_blk_rw_complete": ("vdev", "req", "ret"),
    "virtio_blk_req_complete": ("vdev", "req", "status"),
    "virtio_blk_data_plane_start": ("dataplane",),
    "virtio_blk_data_plane_stop": ("dataplane",),
    "memory_region_ops_read": ("cpu", "mr", "addr", "value", "size", "name"),
    "memory_region_ops_write": ("cpu", "mr", "addr", "value", "size", "name"),
    "msix_write_config": ("dev", "enabled", "masked"),
    "apic_deliver_irq": ("dest", "dest_mode", "delivery_mode", "vector", "trigger_mode"),
}
STRING_FIELDS = frozenset({"name", "dev"})

_LINE = re.compile(
    r"(?:(?P<thread>\d+)@(?P<time>\d+\.\d+):)?(?P<event>[a-z_][a-z0-9_]*)(?P<rest>(?:\s.*)?)"
)
_ARG = re.compile(r"\s+(?P<key>[a-z_][a-z0-9_]*)\s+(?:'(?P<quoted>[^']*)'|(?P<word>[^\s']+))")
_NUMBER = re.compile(r"-?(?:0x[0-9a-fA-F]+|\d+)")


@dataclass(frozen=True, slots=True)
class TraceLine:
    """One known event. `number` is the 1-based line number in the file."""

    number: int
    thread: int | None
    time: float | None
    event: str
    args: Mapping[str, Arg]

    def num(self, key: str) -> int:
        value = self.args[key]
        if not isinstance(value, int):  # parse() guarantees numbers; keep mypy honest
            raise TypeError(key)
        return value

    def text(self, key: str) -> str:
        return str(self.args[key])


@dataclass(frozen=True, slots=True)
class Problem:
    line: int
    what: str
    column: int = 1  # where in the line (after its leading blanks) the problem starts


@dataclass(frozen=True, slots=True)
class ParsedTrace:
    lines: tuple[TraceLine, ...]
    total_lines: int
    unknown: Mapping[str, int]  # event name (or "(not a trace line)") -> lines skipped
    malformed: tuple[Problem, ...]

    @property
    def unknown_count(self) -> int:
        return sum(self.unknown.values())

    @property
    def has_timestamps(self) -> bool:
        return any(line.time is not None for line in self.lines)


def read_trace(path: Path, max_bytes: int = MAX_TRACE_BYTES) -> str:
    """The file's text, refusing more than `max_bytes` (no more is read than that)."""
    try:
        with path.open("rb") as file:
            data = file.read(max_bytes + 1)
    except OSError as error:
        raise TraceImportError(error.strerror or str(error), path=str(path)) from None
    if len(data) > max_bytes:
        raise TraceImportError(f"larger than the limit of {max_bytes} bytes", path=str(path))
    return data.decode("utf-8", errors="replace")


def parse_text(text: str, max_bytes: int = MAX_TRACE_BYTES) -> ParsedTrace:
    if len(text) > max_bytes or len(text.encode("utf-8", errors="replace")) > max_bytes:
        raise TraceImportError(f"larger than the limit of {max_bytes} bytes")
    lines: list[TraceLine] = []
    unknown: Counter[str] = Counter()
    malformed: list[Problem] = []
    count = 0
    for count, raw in enumerate(text.splitlines(), start=1):
        result = parse_line(raw.strip(), count)
        if isinstance(result, TraceLine):
            lines.append(result)
        elif isinstance(result, Problem):
            malformed.append(result)
        elif result:
            unknown[result] += 1
    return ParsedTrace(tuple(lines), count, dict(unknown), tuple(malformed))


def parse_line(text: str, number: int) -> TraceLine | Problem | str:
    """A known event, a Problem (malformed), or the name to count it under ("" = blank)."""
    if not text:
        return ""
    if len(text) > MAX_LINE_CHARS:
        return Problem(number, f"line is longer than {MAX_LINE_CHARS} characters",
                       MAX_LINE_CHARS + 1)  # fmt: skip
    match = _LINE.fullmatch(text)
    if match is None:
        return "(not a trace line)"
    event = match["event"]
    fields = EVENTS.get(event)
    if fields is None:
        return event
    args = _args(match["rest"])
    if args is None:
        return Problem(number, f"{event}: cannot read its fields", match.start("rest") + 1)
    for key in fields:
        if key not in args:
            return Problem(number, f"{event}: no {key!r} field", len(text) + 1)
        if key not in STRING_FIELDS and not isinstance(args[key], int):
            return Problem(number, f"{event}: {key} {args[key]!r} is not a number",
                           _value_column(text, match.start("rest"), key))  # fmt: skip
    time = float(match["time"]) if match["time"] else None
    thread = int(match["thread"]) if match["thread"] else None
    return TraceLine(number, thread, time, event, {key: args[key] for key in fields})


def _args(rest: str) -> dict[str, Arg] | None:
    args: dict[str, Arg] = {}
    position = 0
    while position < len(rest):
        match = _ARG.match(rest, position)
        if match is None:
            return None if rest[position:].strip() else args
        if match["quoted"] is not None:
            args[match["key"]] = match["quoted"]
        else:
            word = match["word"]
            args[match["key"]] = _number(word) if _NUMBER.fullmatch(word) else word
        position = match.end()
    return args


def _value_column(text: str, start: int, key: str) -> int:
    """The 1-based column of the value of `key` (its last mention, as `_args` keeps)."""
    found = [m for m in _ARG.finditer(text, start) if m["key"] == key]
    value = "quoted" if found[-1]["quoted"] is not None else "word"
    return found[-1].start(value) + 1


def _number(word: str) -> int:
    sign = -1 if word.startswith("-") else 1
    digits = word.lstrip("-")
    return sign * (int(digits, 16) if digits.startswith("0x") else int(digits, 10))
