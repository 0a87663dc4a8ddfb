"""Every host configuration there is: each scenario with one, on each transport it runs
on, with both ring formats and event_idx on and off."""

from __future__ import annotations

from itertools import product

from virtio_viz.hostconfig import HostConfig, host_config
from virtio_viz.scenarios.stories import STORIES

HOSTED = [s for s in STORIES.values() if s.id != "ring-lab"]


def all_options() -> list[tuple[str, dict[str, object]]]:
    return [
        (story.id, {"transport": transport, "ring": ring, "event_idx": event_idx})
        for story in HOSTED
        for transport, ring, event_idx in product(story.transports, ("split", "packed"),
                                                  (True, False))
    ]  # fmt: skip


def all_configs() -> list[HostConfig]:
    return [host_config(scenario, options) for scenario, options in all_options()]


def label(scenario: str, options: dict[str, object]) -> str:
    return f"{scenario}-{options['transport']}-{options['ring']}-" + (
        "event_idx" if options["event_idx"] else "no_event_idx"
    )
