"""Any text in, a trace or a TraceImportError out; and the `import` command's contract."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.qemu_trace.synth import NET_MAC, VERSION_1, Log
from virtio_viz.qemu_trace.cli import add_import_command
from virtio_viz.qemu_trace.errors import TraceImportError
from virtio_viz.qemu_trace.export import import_trace
from virtio_viz.qemu_trace.parse import EVENTS
from virtio_viz.qemu_trace.qmp import parse_qmp

_good = Log()
_good.handshake("virtio-net", (NET_MAC, VERSION_1), {0: 256})
GOOD_LINES = _good.lines
WORDS = st.sampled_from(
    [*EVENTS, "vdev", "val", "vq", "n", "0x1", "-1", "7", "'x'", "name", "addr", "0xe9", "9@1.5:"]
)
LINE = st.one_of(
    st.sampled_from(GOOD_LINES),
    st.lists(WORDS, max_size=12).map(" ".join),
    st.text(max_size=60),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(LINE, max_size=40))
def test_any_text_gives_a_trace_or_an_import_error(lines: list[str]) -> None:
    text = "\n".join(lines)
    for strict in (True, False):
        try:
            doc = import_trace(text, strict=strict)
        except TraceImportError as error:
            assert error.what
            continue
        assert doc["step_count"] == len(doc["steps"]) > 0
        json.dumps(doc)


@settings(max_examples=100, deadline=None)
@given(st.recursive(st.none() | st.integers() | st.text(max_size=8) | st.booleans(),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.sampled_from(["return", "descs", "vring-num", "name",
                                                       "device-id", "status", "addr", "len"]),
                                      inner, max_size=4),
                    max_leaves=12))  # fmt: skip
def test_any_json_as_qmp_gives_replies_or_an_import_error(value: object) -> None:
    try:
        parse_qmp(json.dumps(value))
    except TraceImportError as error:
        assert error.what


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="virtio-viz")
    add_import_command(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    result: int = args.handler(args)
    return result


def test_cli_writes_the_trace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "guest.log"
    log.write_text("\n".join(GOOD_LINES) + "\n")
    out = tmp_path / "trace.json"
    assert run(["import", str(log), "-o", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert (doc["format"], doc["source"]["file"]) == ("virtio-viz-trace", "guest.log")
    assert "Wrote" in capsys.readouterr().err


def test_cli_error_is_one_line_with_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "guest.log"
    log.write_text("\n".join([*GOOD_LINES[:3], "virtio_set_status vdev 0x5600"]) + "\n")
    assert run(["import", str(log), "-o", str(tmp_path / "t.json")]) == 2
    # column 30: just past the end of the line, where the missing field would be
    assert capsys.readouterr().err == (
        f"virtio-viz: {log}:4:30: virtio_set_status: no 'val' field\n"
    )
    assert run(["import", str(log), "-o", str(tmp_path / "t.json"), "--lenient"]) == 0
    assert f"{log}:4: skipped" in capsys.readouterr().err


def test_cli_bad_qmp_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "guest.log"
    log.write_text("\n".join(GOOD_LINES) + "\n")
    qmp = tmp_path / "q.json"
    qmp.write_text('[\n{"return": \n')
    assert run(["import", str(log), "-o", "-", "--qmp", str(qmp)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"virtio-viz: {qmp}:3: not JSON") and err.count("\n") == 1
    assert run(["import", str(tmp_path / "missing.log"), "-o", "-"]) == 2
    assert capsys.readouterr().err.startswith(f"virtio-viz: {tmp_path / 'missing.log'}: ")
