"""Scenarios: the architecture each story runs on (stdlib only, pure data).

- `topology`    the types: Box, Wire, Route, Placement, Topology, and the layout Layer
- `topologies`  one module per scenario; `topology(id)`, `all_topologies()`, SCENARIO_IDS
- `validate`    `validate()` / `problems()`: the checks every topology must pass
"""

from __future__ import annotations

from virtio_viz.scenarios.topologies import SCENARIO_IDS, all_topologies, topology
from virtio_viz.scenarios.topology import Box, Layer, Placement, Route, Topology, Wire
from virtio_viz.scenarios.validate import ROUTE_RULES, TopologyError, problems, validate

__all__ = [
    "ROUTE_RULES",
    "SCENARIO_IDS",
    "Box",
    "Layer",
    "Placement",
    "Route",
    "Topology",
    "TopologyError",
    "Wire",
    "all_topologies",
    "problems",
    "topology",
    "validate",
]
