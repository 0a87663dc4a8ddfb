"""The frontend's copies of server data are current: the protocol schema its types are
generated from, and the topologies its layout tests run on."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from virtio_viz.api.protocol import protocol_schema
from virtio_viz.api.trace_schema import trace_schema
from virtio_viz.scenarios import all_topologies

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
    assert committed == {t.id: json.loads(json.dumps(asdict(t))) for t in all_topologies()}
