"""The `virtio-viz` command: list the scenarios, tell one in the terminal, export a trace."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from virtio_viz.cli import main
from virtio_viz.scenarios.stories import STORIES


def test_scenarios_lists_every_built_in_story(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenarios"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert listed == list(STORIES)
    assert "qemu-emulated" in listed


def test_scenarios_lists_each_story_with_its_own_title(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["scenarios"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"{story_id:<13}  {story.title}" for story_id, story in STORIES.items()]


def loaded_after(argv: list[str], heavy: tuple[str, ...], then: str = "") -> list[str]:
    """The modules of `heavy` (and below them) that `virtio-viz ARGV` loads, in a child
    process; `then` is more Python to run there afterwards (it prints its own lines)."""
    probe = (
        "import sys, runpy\n"
        f"sys.argv = ['virtio-viz', *{argv!r}]\n"
        "try:\n    runpy.run_module('virtio_viz.cli', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        f"heavy = {heavy!r}\n"
        "print(sorted(m for m in sys.modules if m in heavy"
        " or any(m.startswith(h + '.') for h in heavy)))\n" + then
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout.splitlines()


SERVER_AND_CO = ("fastapi", "uvicorn", "scapy", "pydantic", "asyncio", "importlib.metadata")


@pytest.mark.parametrize("argv", [["--help"], ["scenarios"], ["serve", "--help"]])
def test_listing_and_help_load_neither_the_server_nor_scapy_nor_the_model(
    argv: list[str],
) -> None:
    """They answer from the parser and the topologies alone (docs/BENCHMARKS.md,
    start-up): the modules a command does not use stay unloaded."""
    heavy = (*SERVER_AND_CO, "virtio_viz.model", "virtio_viz.scenarios.stories",
             "virtio_viz.hostconfig.generate")  # fmt: skip
    assert loaded_after(argv, heavy)[-1] == "[]"


def test_exporting_one_story_loads_that_story_alone_and_no_server(tmp_path: Path) -> None:
    others = tuple(f"virtio_viz.scenarios.stories.{name}" for name in
                   ("qemu_emulated", "vhost_net", "vhost_user", "virtio_user", "vdpa"))  # fmt: skip
    argv = ["export", "ring-lab", "-o", str(tmp_path / "t.json")]
    assert loaded_after(argv, (*SERVER_AND_CO, *others))[-1] == "[]"
    assert json.loads((tmp_path / "t.json").read_text())["scenario"]["id"] == "ring-lab"


CCW = tuple(f"virtio_viz.model.{name}" for name in ("transport.ccw", "transport.ccw_layout",
              "transport.ccw_indicators", "transport.ccw_commands", "driver.ccw_ops"))  # fmt: skip
MMIO = ("virtio_viz.model.transport.mmio", "virtio_viz.model.driver.mmio_ops")
# what `record` alone uses, and vhost-user's messages (vhost-net sends ioctls instead)
NOT_FOR_AN_EXPORT = (
    "virtio_viz.qemu_record.machine", "virtio_viz.qemu_record.guest",
    "virtio_viz.qemu_record.annotate", "virtio_viz.qemu_trace.phases",
    "virtio_viz.model.vhost.user_payloads", "virtio_viz.model.vhost.user_requests",
)  # fmt: skip


@pytest.mark.parametrize(
    ("transport", "loaded"), [("pci", ()), ("mmio", MMIO), ("ccw", CCW)]
)  # fmt: skip
def test_an_export_loads_the_modules_of_its_own_transport_only(
    tmp_path: Path, transport: str, loaded: tuple[str, ...]
) -> None:
    """The import graph of an export holds what its story and options need (the
    modules named here cost it a tenth of a second: docs/BENCHMARKS.md, export)."""
    argv = ["export", "vhost-net", "--transport", transport, "-o", str(tmp_path / "t.json")]
    found = loaded_after(argv, (*CCW, *MMIO, *NOT_FOR_AN_EXPORT))[-1]
    assert found == str(sorted(loaded))
    assert json.loads((tmp_path / "t.json").read_text())["scenario"]["options"]["transport"] == (
        transport
    )


def test_a_network_story_loads_scapy_without_reading_the_hosts_routes(tmp_path: Path) -> None:
    """scapy reads the routing tables when its layers load, unless told not to
    (virtio_viz/scapy_layers.py): an export never needs them."""
    routes = (
        "from scapy.config import conf\nprint(len(conf.route.routes), len(conf.route6.routes))\n"
    )
    argv = ["export", "vhost-net", "-o", str(tmp_path / "t.json")]
    lines = loaded_after(argv, ("virtio_viz.scapy_layers", "scapy.layers.inet"), then=routes)
    assert lines[-2:] == ["['scapy.layers.inet', 'virtio_viz.scapy_layers']", "0 0"]


def test_run_tells_the_default_story_chapter_by_chapter(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["run"]) == 0
    out = capsys.readouterr().out
    assert "== Finding the device ==" in out and "== Receiving a frame ==" in out
    assert "device_status" in out and "0xf" in out  # DRIVER_OK written
    assert "virtio-1.2 §2.7" in out  # ring events cite the spec
    assert "kick: notify-exit → ioeventfd" in out  # the kick's hops on the diagram
    assert "\x1b[" not in out  # no colour when not on a terminal
    assert out.rstrip().endswith("chapters.")


def test_run_over_mmio_with_packed_rings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--transport", "mmio", "--ring", "packed"]) == 0
    out = capsys.readouterr().out
    assert "Status" in out and "QueueReady" in out  # MMIO register names
    assert "wrap counter" in out  # packed-ring narration


def test_bad_options_are_one_line_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--queue-size", "3"]) == 2
    assert capsys.readouterr().err == (
        "virtio-viz: queue_size: expected a power of 2 up to 32768, got 3\n"
    )
    assert main(["run", "no-such-thing"]) == 2
    assert "unknown scenario 'no-such-thing'" in capsys.readouterr().err


def test_export_writes_a_versioned_trace(tmp_path: Path) -> None:
    out = tmp_path / "trace.json"
    assert main(["export", "qemu-emulated", "-o", str(out)]) == 0
    trace = json.loads(out.read_text())
    assert (trace["format"], trace["version"]) == ("virtio-viz-trace", 2)
    assert trace["scenario"]["id"] == "qemu-emulated"
    assert len(trace["steps"]) == trace["step_count"] > 100
    assert sum(c["step_count"] for c in trace["chapters"]) == trace["step_count"]


def test_export_is_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert main(["export", "-o", str(first), "--ring", "packed"]) == 0
    assert main(["export", "-o", str(second), "--ring", "packed"]) == 0
    assert first.read_bytes() == second.read_bytes()


def test_console_script_runs_as_a_module() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "virtio_viz.cli", "run", "qemu-emulated"],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Filling the receive queue" in done.stdout
