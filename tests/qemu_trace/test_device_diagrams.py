"""A recording's diagram draws every device it holds, and each step lights its own device.

A QEMU recording from `virtio-viz record` drives virtio-net and virtio-blk. The narration
of a step names its device; the picture must say the same: a virtio-blk step lights the
virtio-blk driver or device model and travels virtio-blk's wires, never virtio-net's."""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from dataclasses import asdict
from typing import Any

import pytest

from tests.qemu_trace.synth import Log
from tests.qemu_trace.test_shipped_recordings import RECORDINGS, load
from tests.qemu_trace.test_synthetic import net_log
from virtio_viz.qemu_record.library import shelf, shelved_trace
from virtio_viz.qemu_trace.export import import_trace
from virtio_viz.scenarios.topologies.qemu_emulated import IMPORTED
from virtio_viz.scenarios.topology import Route, Topology, Wire, trace

MODULES = {"virtio-net": "virtio_net", "virtio-blk": "virtio_blk"}
SHIPPED = [item.id for item in shelf()]


@pytest.fixture(scope="module", params=SHIPPED)
def shipped(request: pytest.FixtureRequest) -> dict[str, Any]:
    """A shipped recording as the server serves it (the recorder's notes included)."""
    document: dict[str, Any] = json.loads(shelved_trace(request.param))
    return document


def labelled(topology: dict[str, Any], label: str) -> list[dict[str, Any]]:
    return [box for box in topology["boxes"] if box["label"] == label]


def part_of(topology: dict[str, Any], device: str) -> set[str]:
    """The boxes of `device`: its driver with the rings inside it, its device model, and
    the back-end the model talks to (tap and NIC, or host file system and disk)."""
    (driver,) = labelled(topology, f"{device} driver")
    (model,) = labelled(topology, f"{device} device model")
    own = {driver["id"], model["id"]}
    grew = True
    while grew:  # the rings inside the driver, their parts inside them
        inner = {b["id"] for b in topology["boxes"] if b["parent"] in own - {model["id"]}}
        grew = not inner <= own
        own |= inner
    data = [
        w for w in topology["wires"] if w["plane"] == "data" and model["id"] in (w["a"], w["b"])
    ]
    backend = {end for w in data for end in (w["a"], w["b"])} - own
    for wire in topology["wires"]:  # the back-end's own uplink (tap - NIC, file system - disk)
        if wire["plane"] == "data" and {wire["a"], wire["b"]} & backend:
            backend |= {wire["a"], wire["b"]}
    return own | (backend - own)


def check_steps_light_their_device(doc: dict[str, Any], undrawn: Collection[str] = ()) -> None:
    topology = doc["topology"]
    drawn = [d for d in doc["source"]["devices"] if labelled(topology, f"{d} driver")]
    parts = {device: part_of(topology, device) for device in drawn}
    wires = {wire["id"]: wire for wire in topology["wires"]}
    for step in doc["steps"]:
        device = step["event"]["values"].get("device")
        if device is None or device in undrawn:
            continue
        assert device in parts, (step["index"], device)  # every device's step is drawn
        others = set().union(*(p for d, p in parts.items() if d != device))
        where = (step["index"], step["narration"])
        assert step["box"] not in others, where
        for hop in step["hops"]:
            ends = {wires[hop]["a"], wires[hop]["b"]}
            assert ends & parts[device] and not ends & others, (where, hop)
        if step["route"] in ("config", "kick"):
            (driver,) = labelled(topology, f"{device} driver")
            assert step["box"] == driver["id"], where
            assert driver["id"] in (wires[step["hops"][0]]["a"], wires[step["hops"][0]]["b"])
        if step["event"]["kind"] in ("pop", "fill", "flush", "interrupt"):
            (model,) = labelled(topology, f"{device} device model")
            assert step["box"] == model["id"], where


def test_every_shipped_recording_draws_a_driver_and_a_model_per_device(
    shipped: dict[str, Any],
) -> None:
    assert set(shipped["source"]["devices"]) == {"virtio-net", "virtio-blk"}
    for topology in [shipped["topology"], *(shipped["topologies"] or {}).values()]:
        for device, module in MODULES.items():
            (driver,) = labelled(topology, f"{device} driver")
            assert (driver["sublabel"], driver["parent"]) == (module, "guest-kernel")
            (model,) = labelled(topology, f"{device} device model")
            assert model["parent"] == "qemu"
        labels = {box["id"]: box["label"] for box in topology["boxes"]}
        assert labels["nic"] == "NIC" and labels["tap"] == "tap"  # the network's back-end
        assert [b for b in topology["boxes"] if b["label"] == "disk"]  # the disk's
        assert part_of(topology, "virtio-net").isdisjoint(part_of(topology, "virtio-blk"))
        assert {"tap", "nic"} <= part_of(topology, "virtio-net")


def test_every_step_of_a_shipped_recording_lights_its_own_device(
    shipped: dict[str, Any],
) -> None:
    check_steps_light_their_device(shipped)


@pytest.mark.parametrize("name", list(RECORDINGS))
def test_the_test_copys_steps_light_their_own_device(name: str) -> None:
    check_steps_light_their_device(load(RECORDINGS[name]))


def test_a_blk_config_read_lights_the_blk_driver_and_its_pci_wire() -> None:
    """The issue's example: a read of virtio-blk's device configuration in the packed
    recording names virtio-blk, and so does the picture."""
    doc = json.loads(shelved_trace("qemu-packed"))
    step = next(s for s in doc["steps"] if s["event"]["values"].get("register", "").startswith(
        "topology.") and s["event"]["values"].get("device") == "virtio-blk")  # fmt: skip
    boxes = {box["id"]: box for box in doc["topology"]["boxes"]}
    assert boxes[step["box"]]["label"] == "virtio-blk driver"
    (hop,) = step["hops"]
    wire = next(w for w in doc["topology"]["wires"] if w["id"] == hop)
    assert {boxes[wire["a"]]["label"], boxes[wire["b"]]["label"]} == {
        "virtio-blk driver", "virtio-blk device model",
    }  # fmt: skip


def test_a_one_device_trace_keeps_the_one_device_picture() -> None:
    doc = import_trace(net_log().text())
    assert doc["source"]["devices"] == ["virtio-net"]
    assert doc["topology"] == asdict(IMPORTED)
    assert len([b for b in doc["topology"]["boxes"] if b["label"].endswith(" driver")]) == 1


def test_a_document_of_one_device_draws_that_device_alone() -> None:
    """`device=virtio-blk` keeps only virtio-blk's steps, so its picture is virtio-blk's:
    its driver, its model and the disk, no network card."""
    doc = load(RECORDINGS["reset at power-off"], device="virtio-blk")
    for topology in [doc["topology"], *doc["topologies"].values()]:
        drivers = [b["label"] for b in topology["boxes"] if b["label"].endswith(" driver")]
        assert drivers == ["virtio-blk driver"]
        ids = {box["id"] for box in topology["boxes"]}
        assert "nic" not in ids and "tap" not in ids
    check_steps_light_their_device(doc)


def test_a_blk_only_trace_draws_the_blk_driver() -> None:
    log = Log()
    log.handshake("virtio-blk", (0, 1), {0: 256})
    doc = import_trace(log.text())
    drivers = [b for b in doc["topology"]["boxes"] if b["label"].endswith(" driver")]
    assert [(d["id"], d["label"], d["sublabel"]) for d in drivers] == [
        ("driver", "virtio-blk driver", "virtio_blk"),
    ]  # fmt: skip
    check_steps_light_their_device(doc)


def test_a_log_naming_many_devices_draws_four_with_ids_of_their_own() -> None:
    """A log (perhaps hostile) may name any number of devices, with odd names: the first
    four are drawn, each with ids of its own; the others' steps light the VM around
    their driver and travel no wire, rather than another device's."""
    names = ["virtio-net", "virtio-net", "virtio-blk", "virtio-rng", "virtio-scsi", "virtio-x.y"]
    log = Log()
    for mr, name in enumerate(names, start=0x2000):  # a second mr: a second virtio-net
        log.add(f"memory_region_ops_read cpu 0 mr {mr:#x} addr 0x14 value 0x0 size 1 "
                f"name 'virtio-pci-common-{name}'")  # fmt: skip
    doc = import_trace(log.text())
    topology = doc["topology"]
    drivers = [
        (b["label"], b["sublabel"]) for b in topology["boxes"] if b["parent"] == "guest-kernel"
    ]
    assert drivers == [
        ("virtio-net driver", "virtio_net"), ("virtio-net#2 driver", "virtio_net"),
        ("virtio-blk driver", "virtio_blk"), ("virtio-rng driver", "virtio_rng"),
    ]  # fmt: skip
    ids = [b["id"] for b in topology["boxes"]] + [w["id"] for w in topology["wires"]]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"[a-z0-9-]+", i) for i in ids)
    walked = Topology(**{**topology, "boxes": (), "wires": [Wire(**w) for w in topology["wires"]]})
    for route in topology["routes"]:
        assert trace(walked, Route(**{**route, "hops": tuple(route["hops"])}))[1] is None
    check_steps_light_their_device(doc, undrawn=names[4:])
    undrawn = [s for s in doc["steps"] if s["event"]["values"]["device"] in names[4:]]
    assert [(s["box"], s["route"], s["hops"]) for s in undrawn] == [("vm", None, [])] * 2
