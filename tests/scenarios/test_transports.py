"""The diagram follows the transport option: PCI as drawn, MMIO's register window, and an
s390x guest on channel I/O with its channel subsystem; the stories that cannot run on
channel I/O say why, naming the option."""

from __future__ import annotations

import pytest

from virtio_viz.cli import main
from virtio_viz.scenario_files import ScenarioFileError, load_scenario
from virtio_viz.scenarios import problems
from virtio_viz.scenarios.options import OptionError, StoryOptions
from virtio_viz.scenarios.stories import STORIES
from virtio_viz.timeline import Timeline

CCW = StoryOptions.parse({"transport": "ccw"})
ON_CCW = [s.id for s in STORIES.values() if "ccw" in s.transports]


def test_the_architectures_that_exist_on_channel_io() -> None:
    assert ON_CCW == ["qemu-emulated", "vhost-net", "vhost-user", "virtio-blk"]


@pytest.mark.parametrize("scenario", ON_CCW)
def test_channel_io_draws_the_channel_subsystem_instead_of_pci(scenario: str) -> None:
    diagram = STORIES[scenario].diagram(CCW)
    assert problems(diagram) == ()
    assert "pci" not in {w.id for w in diagram.wires}
    css = diagram.box("css")
    assert css.label == "channel subsystem" and "qemu" in diagram.ancestors("css")
    assert diagram.route("config").hops == ("ssch", "ccw-cmd")
    assert [diagram.wire(h).label for h in diagram.route("config").hops] == [
        "START SUBCHANNEL", "channel command"
    ]  # fmt: skip
    assert diagram.wire("notify-exit").label == "DIAGNOSE 0x500 (intercept)"
    assert diagram.wire("vcpu-irq").label == "adapter I/O interrupt"
    assert "s390x" in (diagram.box("vm").sublabel or "")
    assert "virtio_ccw" in (diagram.box("driver").sublabel or "")
    assert "s390x" in diagram.summary
    assert STORIES[scenario].diagram(StoryOptions()) == STORIES[scenario].topology


def test_a_packed_ring_on_channel_io_keeps_both_changes() -> None:
    diagram = STORIES["qemu-emulated"].diagram(StoryOptions.parse({"transport": "ccw",
                                                                   "ring": "packed"}))  # fmt: skip
    assert diagram.box("desc-table").label == "descriptor ring"
    assert diagram.box("css").label == "channel subsystem"


def test_mmio_relabels_the_transport_wire() -> None:
    diagram = STORIES["qemu-emulated"].diagram(StoryOptions.parse({"transport": "mmio"}))
    assert diagram.wire("pci").label == "MMIO transport"
    assert diagram.wire("vcpu-irq").label == "vCPU interrupt"


@pytest.mark.parametrize("scenario", ["vdpa", "virtio-user", "ring-lab"])
def test_the_others_refuse_channel_io_naming_the_option(scenario: str) -> None:
    with pytest.raises(OptionError) as refused:
        Timeline(STORIES[scenario], CCW)
    assert refused.value.field == "transport"
    assert STORIES[scenario].why_not in refused.value.message


def test_a_channel_io_timeline_sends_each_event_along_its_wires() -> None:
    timeline = Timeline(STORIES["vhost-net"], CCW)
    frames = list(timeline.frames)
    starts = [f for f in frames if f.event.kind == "ccw_start"]
    assert starts and {(f.route, tuple(f.hops)) for f in starts} == {
        ("config", ("ssch", "ccw-cmd"))
    }
    kicks = [f for f in frames if f.event.kind == "diagnose_notify"]
    assert kicks and {(f.route, tuple(f.hops)) for f in kicks} == {
        ("kick", ("notify-exit", "ioeventfd"))
    }
    assert all("__diag_virtio_hypercall()" in f.event.analog for f in kicks)
    interrupts = [f.event.values for f in frames if f.event.kind == "interrupt"]
    modes = {(v["cause"], v["mode"]) for v in interrupts}
    assert modes == {("queue", "adapter"), ("config", "classic")}  # §4.3.3.1
    eventfds = [f for f in frames if f.event.kind == "kvm_eventfd"]
    assert eventfds and all("DIAGNOSE 0x500" in f.event.summary for f in eventfds)
    titles = {c.id: c.intro for c in timeline.chapters}
    assert "SENSE ID" in titles["discovery"] and "CCW_CMD_VDEV_RESET" in titles["handshake"]
    assert "CCW_CMD_READ_FEAT" in titles["features"] and "CCW_CMD_SET_VQ" in titles["queues"]
    assert [f for f in frames if f.event.kind == "violation"] == []


def test_the_cli_tells_a_story_on_channel_io(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "virtio-blk", "--transport", "ccw"]) == 0
    told = capsys.readouterr().out
    assert "CCW_CMD_SENSE_ID" in told and "DIAGNOSE 0x500" in told
    assert "config: ssch → ccw-cmd" in told
    assert main(["run", "virtio-user", "--transport", "ccw"]) == 2
    assert "transport: virtio-user runs on pci, mmio only" in capsys.readouterr().err


def test_a_scenario_file_on_channel_io_is_checked_against_its_topology() -> None:
    text = (
        "virtio-viz-scenario: 1\ntitle: t\ntopology: vdpa\noptions:\n  transport: ccw\n"
        "chapters:\n  - story: discovery\n"
    )
    with pytest.raises(ScenarioFileError, match="vdpa runs on pci, mmio only"):
        load_scenario(text, "vdpa-ccw.yaml")
