"""Forks built ahead of the reader (`prepare`, api/fork_ahead.py): the click that follows
finds its fork built, and building ahead never takes from real work, whoever sends it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.test_attack_builds import heavy_scenario, wait_for
from tests.api.test_websocket import OPEN, opened, receive_until
from virtio_viz.api import Settings, create_app
from virtio_viz.api.build_worker import Recipe
from virtio_viz.api.builds import Builder
from virtio_viz.api.fork_ahead import ForkAhead
from virtio_viz.api.limits import MemoryCounters
from virtio_viz.timeline import Timeline

SEND = {"kind": "send_frame", "params": {"frame": "icmp_echo"}}
FAIL = {"kind": "needs_reset", "params": {}}


class Counting:
    """Wraps a Builder's `build`: how many builds ran, and the most at once per client."""

    def __init__(self, builder: Builder) -> None:
        self.recipes: list[Recipe] = []
        self.running = 0
        self.most = 0
        real = builder.build

        async def build(recipe: Recipe, client: str) -> Timeline:
            self.recipes.append(recipe)
            self.running += 1
            self.most = max(self.most, self.running)
            try:
                return await real(recipe, client)
            finally:
                self.running -= 1

        builder.build = build  # type: ignore[method-assign]


def state_of(client: TestClient) -> Any:
    return client.app.state.viz  # type: ignore[attr-defined]


def test_a_prepared_fork_is_built_before_the_click_and_the_click_builds_nothing(
    client: TestClient,
) -> None:
    builds = Counting(state_of(client).builder)
    with client.websocket_connect("/ws") as ws:
        opened(ws, {**OPEN, "step": 300})
        ws.send_json({"type": "prepare", "actions": [SEND, FAIL]})
        wait_for(lambda: len(builds.recipes) == 3 and builds.running == 0)  # story + 2 forks
        ws.send_json({"type": "act", "action": SEND})
        fork = receive_until(ws, "position")
    assert len(builds.recipes) == 3  # the click found its fork built
    assert [a.action.kind for a in builds.recipes[1].actions] == ["send_frame"]
    assert [a.action.kind for a in builds.recipes[2].actions] == ["needs_reset"]
    header = fork[0]["header"]
    assert header["scenario"]["actions"] == [{"at": 300, **SEND}]
    mine = next(c for c in header["chapters"] if c["title"] == "Your action: send a frame")
    assert fork[-1]["step"] == mine["first_step"]


def test_a_prepared_fork_answers_as_the_same_fork_built_on_the_click(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ahead, client.websocket_connect("/ws") as plain:
        opened(ahead, {**OPEN, "step": 250, "seed": 3})
        ahead.send_json({"type": "prepare", "actions": [SEND]})
        wait_for(lambda: len(state_of(client).timelines) == 2)
        opened(plain, {**OPEN, "step": 250, "seed": 4})  # another seed: nothing shared
        replies = []
        for ws in (ahead, plain):
            ws.send_json({"type": "act", "action": SEND})
            replies.append(receive_until(ws, "position"))
    for reply in replies:
        reply[0].pop("session"), reply[0]["header"]["scenario"].pop("seed", None)
    assert replies[0][-1] == replies[1][-1]  # the same step and frames
    assert replies[0][0]["header"]["chapters"] == replies[1][0]["header"]["chapters"]


def test_a_follower_may_not_prepare(client: TestClient) -> None:
    room = client.post("/api/rooms").json()
    join = {"type": "join", "version": 2, "room": room["code"]}
    with client.websocket_connect("/ws") as presenter, client.websocket_connect("/ws") as follower:
        presenter.send_json({**join, "token": room["presenter_token"]})
        receive_until(presenter, "position")
        opened(presenter, {**OPEN, "step": 20})
        follower.send_json(join)
        receive_until(follower, "position")
        follower.send_json({"type": "prepare", "actions": [SEND]})
        assert follower.receive_json()["code"] == "follower"


@pytest.mark.parametrize(
    ("actions", "code", "field"),
    [
        ([SEND, {"kind": "format_the_disk", "params": {}}], "action", "actions.1.kind"),
        ([SEND, FAIL, SEND, FAIL], "invalid", "prepare.actions"),
        ([{"kind": "send_frame", "params": {"frame": ["x"] * 9}}], "invalid", None),
    ],
    ids=["an action the story does not offer", "more than three", "a param of no kind"],
)
def test_a_bad_prepare_is_refused_and_builds_nothing(
    client: TestClient, actions: list[dict[str, Any]], code: str, field: str | None
) -> None:
    builds = Counting(state_of(client).builder)
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        ws.send_json({"type": "prepare", "actions": actions})
        error = ws.receive_json()
        ws.send_json({"type": "step"})  # the connection goes on
        assert receive_until(ws, "position")[-1]["step"] == 1
    assert error["type"] == "error" and error["code"] == code
    if field is not None:
        assert error["field"] == field
    assert len(builds.recipes) == 1  # the story alone


@pytest.fixture
def one_worker() -> Iterator[TestClient]:
    settings = Settings(build_workers=1, build_seconds=1.5, rate_per_second=1000,
                        rate_burst=1000)  # fmt: skip
    with TestClient(create_app(settings)) as client:
        yield client


def test_building_ahead_waits_while_the_only_worker_does_real_work(one_worker: TestClient) -> None:
    builds = Counting(state_of(one_worker).builder)
    heavy = {"type": "open", "version": 2, "scenario_file": heavy_scenario()}
    connect = one_worker.websocket_connect
    with connect("/ws") as reader, connect("/ws") as other:
        opened(reader, {**OPEN, "step": 100})
        other.send_json(heavy)
        wait_for(lambda: builds.running == 1)
        reader.send_json({"type": "prepare", "actions": [SEND]})
        reader.send_json({"type": "prepare", "actions": [{"kind": "nope", "params": {}}]})
        assert reader.receive_json()["code"] == "action"  # both were handled, the first kept
        assert builds.running == 1 and len(builds.recipes) == 2  # the upload's alone
        assert other.receive_json()["code"] == "too_slow"
        wait_for(lambda: len(builds.recipes) == 3)  # then the worker was idle: built ahead
    assert [a.at for a in builds.recipes[2].actions] == [100]


def test_a_flood_of_prepares_builds_one_fork_at_a_time_and_everyone_is_served(
    client: TestClient,
) -> None:
    builds = Counting(state_of(client).builder)
    with client.websocket_connect("/ws") as attacker, client.websocket_connect("/ws") as calm:
        opened(attacker, {**OPEN, "step": 200})
        opened(calm)
        for step in range(200, 260):
            attacker.send_json({"type": "seek", "step": step})
            attacker.send_json({"type": "prepare", "actions": [SEND, FAIL]})
            if step % 10 == 0:  # meanwhile, another reader is served as usual
                calm.send_json({"type": "step"})
                assert receive_until(calm, "position")[-1]["type"] == "position"
        receive_until(attacker, "position")
    assert builds.most <= 2  # at most this client's one fork ahead, and one it left running
    assert len(builds.recipes) < 1 + 2 * 60  # most of the lists were dropped before they began


def test_a_new_list_drops_the_forks_not_started_and_a_closed_connection_all() -> None:
    started: list[str] = []
    release = asyncio.Event()

    class Timelines:
        size = 8

        async def get(self, recipe: Any, client: str) -> None:
            started.append(recipe)
            await release.wait()

    async def scenario() -> None:
        builder = Builder(Settings(), MemoryCounters())
        ahead = ForkAhead(Timelines(), builder, "reader")  # type: ignore[arg-type]
        ahead.prepare(["a1", "a2", "a3"])  # type: ignore[list-item]
        await asyncio.sleep(0)
        ahead.prepare(["b1", "b2"])  # type: ignore[list-item]
        await asyncio.sleep(0)
        assert started == ["a1", "b1"]  # a1 had begun (it finishes into the cache); a2, a3 never
        ahead.close()
        release.set()
        await asyncio.sleep(0)
        assert started == ["a1", "b1"]  # b2 never began

    asyncio.run(scenario())


def test_many_connections_of_one_address_build_ahead_one_fork_at_a_time(
    client: TestClient,
) -> None:
    """An attacker opening more connections gets no more building ahead: the share is
    per address (the test client's connections all come from one)."""
    builds = Counting(state_of(client).builder)
    sockets = [client.websocket_connect("/ws").__enter__() for _ in range(4)]
    try:
        for number, ws in enumerate(sockets):
            opened(ws, {**OPEN, "step": 200 + 10 * number})
        for ws in sockets:
            ws.send_json({"type": "prepare", "actions": [SEND, FAIL]})
        wait_for(lambda: len(builds.recipes) == 1 + 4 * 2 and builds.running == 0)
    finally:
        for ws in sockets:
            ws.__exit__(None, None, None)
    assert builds.most == 1  # eight forks built ahead, never two at once
