"""The diagrams of the seven scenarios, one module each, looked up by scenario id.

The ids appear in URLs, so they never change.
"""

from __future__ import annotations

from virtio_viz.scenarios.topologies import (
    qemu_emulated,
    ring_lab,
    vdpa,
    vhost_net,
    vhost_user,
    virtio_blk,
    virtio_user,
)
from virtio_viz.scenarios.topology import Topology

_ALL: tuple[Topology, ...] = (
    qemu_emulated.TOPOLOGY,
    vhost_net.TOPOLOGY,
    vhost_user.TOPOLOGY,
    virtio_user.TOPOLOGY,
    vdpa.TOPOLOGY,
    virtio_blk.TOPOLOGY,
    ring_lab.TOPOLOGY,
)
_BY_ID = {t.id: t for t in _ALL}

SCENARIO_IDS: tuple[str, ...] = tuple(_BY_ID)


def topology(scenario_id: str) -> Topology:
    """The topology of `scenario_id`; an unknown id raises ValueError naming the known ones."""
    found = _BY_ID.get(scenario_id)
    if found is None:
        raise ValueError(f"unknown scenario {scenario_id!r}; known: {', '.join(SCENARIO_IDS)}")
    return found


def all_topologies() -> tuple[Topology, ...]:
    return _ALL
