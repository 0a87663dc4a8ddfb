"""Host configurations come from the options that drive the model: the device the model
presents decides the properties, the diagram's placement the back-end, and every mark
lights up at some step of the scenario it belongs to."""

from __future__ import annotations

import json

import pytest

from tests.support.hostconfigs import all_options, label
from virtio_viz.cli import main
from virtio_viz.hostconfig import HostConfigError, host_config
from virtio_viz.hostconfig.parts import Mark, text_of, xml_lines
from virtio_viz.scenarios.options import StoryOptions
from virtio_viz.scenarios.stories import STORIES
from virtio_viz.timeline import Timeline


def device(scenario: str, **options: object) -> dict[str, str]:
    config = host_config(scenario, options)
    arg = next(a for a in config.args if a.option == "-device")
    return {p.key: p.value for p in arg.props} | {"model": arg.head}


def test_the_device_model_follows_the_transport_and_the_device_type() -> None:
    assert device("qemu-emulated")["model"] == "virtio-net-pci"
    assert device("qemu-emulated", transport="mmio")["model"] == "virtio-net-device"
    assert device("virtio-blk", transport="ccw")["model"] == "virtio-blk-ccw"
    assert host_config("virtio-blk", {"transport": "ccw"}).binary == "qemu-system-s390x"


def test_packed_and_event_idx_are_what_the_model_offers() -> None:
    asked = device("qemu-emulated", ring="packed", event_idx=False)
    assert (asked["packed"], asked["event_idx"]) == ("on", "off")
    world = STORIES["qemu-emulated"].build(StoryOptions.parse({"ring": "packed",
                                                               "event_idx": False}), 0)  # fmt: skip
    offered = world.machine.device.status.features.offered
    assert offered >> 34 & 1 and not offered >> 29 & 1  # RING_PACKED yes, EVENT_IDX no
    assert device("qemu-emulated")["event_idx"] == "on"
    config = host_config("vhost-net", {"ring": "packed"})
    assert any("cannot serve packed rings" in n.text for n in config.notes)
    world = STORIES["vhost-net"].build(StoryOptions.parse({"ring": "packed"}), 0)
    assert not world.machine.device.status.features.offered >> 34 & 1  # the model agrees


def test_queue_sizes_and_the_mac_come_from_the_model_device() -> None:
    assert device("virtio-blk", queue_size=64)["queue-size"] == "64"
    assert device("qemu-emulated", queue_size=512)["rx_queue_size"] == "512"
    small = host_config("qemu-emulated", {"queue_size": 16})
    assert next(a for a in small.args if a.option == "-device").prop("rx_queue_size") == "256"
    assert any(n.kind == "adjusted" and "256" in n.text for n in small.notes)
    world = STORIES["qemu-emulated"].build(StoryOptions(), 0)
    assert device("qemu-emulated")["mac"] == ":".join(f"{b:02x}" for b in world.machine.net.mac)


def test_the_back_end_comes_from_where_the_diagram_puts_the_data_plane() -> None:
    scenarios = ("qemu-emulated", "vhost-net", "vhost-user", "virtio-user", "vdpa")
    heads = {sid: [a.head for a in host_config(sid).args if a.option == "-netdev"]
             for sid in scenarios}  # fmt: skip
    assert heads == {"qemu-emulated": ["tap"], "vhost-net": ["tap"], "vhost-user": ["vhost-user"],
                     "virtio-user": ["vhost-user"], "vdpa": ["vhost-vdpa"]}  # fmt: skip
    netdev = {sid: next(a for a in host_config(sid).args if a.option == "-netdev")
              for sid in ("qemu-emulated", "vhost-net")}  # fmt: skip
    assert netdev["qemu-emulated"].prop("vhost") == "off"
    assert netdev["vhost-net"].prop("vhost") == "on"
    guest = host_config("virtio-user").guest
    assert any("vfio-pci 0000:00:03.0" in line for line in guest)
    assert device("virtio-user")["addr"] == "0x3"
    assert host_config("vhost-user").guest == ()


def test_what_cannot_run_here_is_said() -> None:
    for scenario, needs in (("qemu-emulated", "CAP_NET_ADMIN"), ("vhost-net", "/dev/vhost-net"),
                            ("vhost-user", "listen on"), ("vdpa", "vDPA device")):  # fmt: skip
        notes = [n.text for n in host_config(scenario).notes if n.kind == "not-here"]
        assert any(needs in text for text in notes), scenario
        assert any("/dev/kvm" in text for text in notes)


@pytest.mark.parametrize(("scenario", "field"), [
    ("ring-lab", "scenario"), ("nope", "scenario"),
])  # fmt: skip
def test_scenarios_without_a_host_say_so(scenario: str, field: str) -> None:
    with pytest.raises(HostConfigError) as refused:
        host_config(scenario)
    assert refused.value.field == field


def test_bad_options_name_the_option() -> None:
    with pytest.raises(HostConfigError) as refused:
        host_config("vdpa", {"transport": "ccw"})
    assert refused.value.field == "options.transport"
    with pytest.raises(HostConfigError) as refused:
        host_config("qemu-emulated", {"queue_size": 24})
    assert refused.value.field == "options.queue_size"


def lit(mark: Mark, timeline: Timeline) -> int:
    """How many steps of `timeline` light `mark` up."""
    chapters = {c.index: c.id for c in timeline.chapters}
    count = 0
    for frame in timeline.frames:
        event = frame.event
        by_kind = event.kind in mark.kinds and all(
            str(event.values.get(k)) == v for k, v in mark.values)  # fmt: skip
        count += by_kind or chapters.get(frame.chapter) in mark.chapters
    return count


@pytest.mark.parametrize(("scenario", "transport"), sorted({
    (s, o["transport"]) for s, o in all_options()}))  # fmt: skip
def test_every_mark_lights_up_somewhere_in_its_story(scenario: str, transport: str) -> None:
    config = host_config(scenario, {"transport": transport})
    timeline = Timeline(STORIES[scenario], StoryOptions.parse({"transport": transport}))
    dark = [mark.id for mark in config.marks.values() if not lit(mark, timeline)]
    assert dark == []
    assert config.marks  # there is always something to light


def test_the_memory_table_lights_share_on_and_nothing_else_in_vhost_user() -> None:
    config = host_config("vhost-user")
    timeline = Timeline(STORIES["vhost-user"], StoryOptions())
    assert lit(config.marks["shared-memory"], timeline) == sum(
        1 for f in timeline.frames
        if f.event.values.get("request") == "VHOST_USER_SET_MEM_TABLE"
        and f.event.kind == "vhost_user_message"
    )  # fmt: skip
    lines = config.to_json()["qemu"]["lines"]  # type: ignore[index]
    shared = [s["text"] for line in lines for s in line if s["mark"] == "shared-memory"]
    assert ",share=on" in shared and ",memory-backend=mem0" in shared


def test_the_json_lines_are_the_text() -> None:
    config = host_config("vhost-net", {"transport": "ccw"})
    data = config.to_json()
    qemu, libvirt = data["qemu"], data["libvirt"]
    assert isinstance(qemu, dict) and isinstance(libvirt, dict)
    joined = "\n".join("".join(s["text"] for s in line) for line in qemu["lines"])
    assert joined == config.qemu_text
    assert libvirt["xml"] == text_of(xml_lines(config.domain)) + "\n"
    marks = data["marks"]
    assert isinstance(marks, list) and {m["id"] for m in marks} == set(config.marks)
    json.dumps(data)  # plain JSON
    assert config.argv[:3] == ["qemu-system-s390x", "-machine", "s390-ccw-virtio,accel=kvm"]


@pytest.mark.parametrize("fmt", ["text", "qemu", "libvirt", "json"])
def test_the_cli_prints_each_format(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["host", "vhost-user", "--transport", "ccw", "--format", fmt]) == 0
    out = capsys.readouterr().out
    config = host_config("vhost-user", {"transport": "ccw"})
    if fmt == "json":
        assert json.loads(out) == json.loads(json.dumps(config.to_json()))
    if fmt in ("text", "qemu"):
        assert config.qemu_text in out
    if fmt in ("text", "libvirt"):
        assert config.xml in out
    assert ("note (not-here)" in out) is (fmt == "text")


def test_the_cli_refuses_what_has_no_host(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["host", "ring-lab"]) == 2
    assert "no host to configure" in capsys.readouterr().err
    assert main(["host", "virtio-user", "--transport", "ccw"]) == 2
    assert "no channel I/O driver" in capsys.readouterr().err


def test_labels_are_unique() -> None:
    labels = [label(*pair) for pair in all_options()]
    assert len(labels) == len(set(labels))
