"""The guard rails of LiveVMs and of a live timeline, without booting anything: VMs nobody
watches, types into or that run too long are stopped; a full timeline stops its VM."""

from __future__ import annotations

import asyncio

import pytest

from tests.support.vhost_frontend import on_loop
from virtio_viz.live.live_vm import LiveVM
from virtio_viz.live.manager import Busy, LiveSettings, LiveVMs
from virtio_viz.live.timeline import LiveOptions, LiveTimeline
from virtio_viz.live.vm import VmOptions
from virtio_viz.live.world import LiveWorld

LIMITS = LiveSettings(idle_seconds=100, orphan_seconds=10, max_lifetime_seconds=1000)


def state(vm: LiveVM) -> str:
    return vm.state


def adopt(vms: LiveVMs, vm: LiveVM) -> LiveVM:
    """A VM that never booted, under the watchdog's eye as a running one would be."""
    vms._vms[vm.id] = vm
    vms._watched[vm.id] = vm.started
    return vm


@pytest.mark.parametrize(
    ("after", "watched", "typed", "why"),
    [
        (11, False, True, "nobody watched it for 10 s"),
        (101, True, False, "nobody typed into it for 100 s"),
        (1001, True, True, "the longest a VM may"),
    ],
    ids=["unwatched", "idle", "too-old"],
)
@on_loop
async def test_the_watchdog_stops_vms_that_should_go(
    after: float, watched: bool, typed: bool, why: str
) -> None:
    vms = LiveVMs(LIMITS)
    vm = adopt(vms, LiveVM(VmOptions(), max_steps=1000))
    now = vm.started + after
    if typed:
        vm.last_input = now
    unwatch = vm.timeline.watch(lambda: None) if watched else None
    await vms.check(now - after / 2)  # half-way: nothing happens yet
    assert state(vm) == "booting"
    await vms.check(now)
    assert state(vm) == "stopped" and vm.reason is not None and why in vm.reason
    assert vm.timeline.frames[-1].event.kind == "vm_stopped"
    if unwatch is not None:
        unwatch()
    await vms.check(now + LIMITS.orphan_seconds + 1)
    assert vms.get(vm.id) is None  # forgotten once nobody looks at its timeline


@on_loop
async def test_a_watched_busy_vm_keeps_running() -> None:
    vms = LiveVMs(LIMITS)
    vm = adopt(vms, LiveVM(VmOptions(), max_steps=1000))
    vms.console_watchers[vm.id] = 1
    vm.last_input = vm.started + 50
    await vms.check(vm.started + 60)
    assert vm.state == "booting"


def test_limits_on_count_and_memory() -> None:
    vms = LiveVMs(LiveSettings(max_vms=1, max_memory_mib=256))
    with pytest.raises(Busy, match="128, 256 MiB"):
        vms._check(VmOptions(memory_mib=512))
    vms._vms["x"] = LiveVM(VmOptions(), max_steps=1000)
    with pytest.raises(Busy, match="at most 1 live VM"):
        vms._check(VmOptions())


def test_a_full_timeline_says_so_and_stops_recording() -> None:
    world = LiveWorld()
    told: list[str] = []
    timeline = LiveTimeline(world, LiveOptions(vm="v"), max_steps=5, on_full=told.append)
    for number in range(8):
        world.vm_note("note", f"step {number}")
    assert len(timeline) == 5
    assert timeline.stopped == "the live timeline reached its limit of 5 steps" == told[0]
    assert world.log.observer is None  # nothing more is recorded


def test_growth_is_told_once_per_turn_of_the_loop() -> None:
    async def scenario() -> list[int]:
        world = LiveWorld()
        timeline = LiveTimeline(world, LiveOptions(vm="v"), max_steps=100)
        heard: list[int] = []
        timeline.watch(lambda: heard.append(len(timeline)))
        for number in range(4):
            world.vm_note("note", f"step {number}")
        await asyncio.sleep(0)
        world.vm_note("note", "one more")
        await asyncio.sleep(0)
        return heard

    assert asyncio.run(scenario()) == [4, 5]
