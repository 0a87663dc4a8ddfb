"""The frontend's copies of server data are current: the protocol schema its types are
generated from, the topologies its layout tests run on, and the frames its store replays."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from tests.support.changes_fixture import PATH, changes_fixture
from virtio_viz.api.protocol import protocol_schema
from virtio_viz.api.trace_schema import trace_schema
from virtio_viz.scenarios import all_topologies
from virtio_viz.scenarios.topologies import imported

FRONTEND = Path(__file__).resolve().parents[1] / "frontend"


def test_the_committed_protocol_schema_is_the_servers() -> None:
    committed = json.loads((FRONTEND / "schema" / "protocol.json").read_text())
    assert committed == protocol_schema(), "run scripts/gen-frontend-contract"


def test_the_committed_trace_schema_is_the_servers() -> None:
    committed = json.loads((FRONTEND / "schema" / "trace.json").read_text())
    assert committed == trace_schema(), "run scripts/gen-frontend-contract"


def test_the_layout_fixture_holds_every_current_topology() -> None:
    fixture = FRONTEND / "src" / "layout" / "fixtures" / "topologies.json"
    committed = json.loads(fixture.read_text())
    current = {t.id: asdict(t) for t in all_topologies()}
    current["qemu-recording"] = asdict(imported.example())  # a recording of two devices
    assert committed == json.loads(json.dumps(current))


def test_the_replay_fixture_holds_the_frames_the_server_sends_now() -> None:
    assert json.loads(PATH.read_text()) == json.loads(json.dumps(changes_fixture()))
