"""Memory a flood took goes back: unused timelines leave the cache, and a sweep that
forgot something gives freed pages back (the RSS itself is measured in
benchmarks/ws_under_attack.py, not here)."""

from __future__ import annotations

import asyncio

from virtio_viz.api import memory
from virtio_viz.api.build_worker import Recipe
from virtio_viz.api.timelines import TimelineCache
from virtio_viz.scenarios.stories import story
from virtio_viz.timeline import Timeline


class InlineBuilder:
    """Builds on the spot, counting the builds (no worker processes in a unit test)."""

    def __init__(self) -> None:
        self.builds = 0

    async def build(self, recipe: Recipe, client: str) -> Timeline:
        del client
        self.builds += 1
        assert recipe.scenario is not None
        return Timeline(story(recipe.scenario), seed=recipe.seed)


def test_a_timeline_nobody_asked_for_in_a_grace_period_leaves_the_cache() -> None:
    now = [0.0]
    builder = InlineBuilder()
    cache = TimelineCache(32, builder, clock=lambda: now[0])  # type: ignore[arg-type]
    recipes = [Recipe("ring-lab", None, {}, seed, (), 1000) for seed in range(3)]

    async def ask(recipe: Recipe) -> None:
        await cache.get(recipe, "127.0.0.1")

    for recipe in recipes:
        asyncio.run(ask(recipe))
    now[0] = 100.0
    asyncio.run(ask(recipes[0]))  # still wanted
    assert (len(cache), builder.builds) == (3, 3)
    assert cache.expire(60.0) == 2  # the two nobody asked for since 0
    assert len(cache) == 1
    asyncio.run(ask(recipes[0]))
    asyncio.run(ask(recipes[1]))
    assert builder.builds == 4  # the kept one came from the cache, the dropped one was rebuilt


def test_giving_back_asks_glibc_to_trim_its_heap() -> None:
    """glibc's malloc_trim answers 1 when it gave memory back, 0 when there was none; on a
    system without it, give_back() says False rather than failing."""
    assert isinstance(memory.give_back(), bool)
    garbage = [bytearray(64 * 1024) for _ in range(256)]  # 16 MiB, then freed
    del garbage
    assert memory.give_back() is True
