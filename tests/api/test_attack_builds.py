"""Attacks with heavy work: an uploaded scenario file that takes seconds to load and
run, sent over the websocket and over REST. The event loop must keep serving everyone
while it builds, the build must stop at its CPU budget with a clear error, and one
client may only have a few builds going at once."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from benchmarks.ws_support import heavy_scenario as benchmark_file
from fastapi.testclient import TestClient

from tests.api.test_websocket import OPEN, receive_until
from virtio_viz.api import Settings, create_app

STEPS_OF_A_FLOOD = 3000


def heavy_scenario(steps: int = STEPS_OF_A_FLOOD) -> str:
    """About 150 KB that takes seconds to load and run."""
    return benchmark_file(steps)


@pytest.fixture
def budgeted() -> Iterator[TestClient]:
    settings = Settings(build_seconds=1.5, rate_per_second=1000, rate_burst=1000)
    with TestClient(create_app(settings)) as client:
        yield client


def wait_for(condition: Callable[[], bool]) -> None:
    """Poll a condition that another thread makes true (bounded, never a fixed sleep)."""
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, "the condition never became true"
        time.sleep(0.01)


def test_a_heavy_upload_builds_off_the_loop_and_stops_at_its_budget(budgeted: TestClient) -> None:
    builder = budgeted.app.state.viz.builder  # type: ignore[attr-defined]
    heavy = {"type": "open", "version": 2, "scenario_file": heavy_scenario()}
    with budgeted.websocket_connect("/ws") as calm, budgeted.websocket_connect("/ws") as bad:
        calm.send_json(OPEN)
        receive_until(calm, "position")
        bad.send_json(heavy)
        wait_for(lambda: builder.in_flight == 1)
        for step in range(1, 21):  # meanwhile, everyone else is served as usual
            calm.send_json({"type": "step"})
            assert receive_until(calm, "position")[-1]["step"] == step
            assert budgeted.get("/healthz").status_code == 200
        assert builder.in_flight == 1  # ... and all of that while the upload was building
        error = bad.receive_json()
    assert (error["code"], error["field"]) == ("too_slow", None)
    assert "1.5 s of CPU time" in error["message"]


def test_a_heavy_trace_request_over_rest_is_stopped_at_its_budget(budgeted: TestClient) -> None:
    reply = budgeted.post("/api/trace", json={"scenario_file": heavy_scenario()})
    assert (reply.status_code, reply.json()["code"]) == (422, "too_slow")
    assert budgeted.get("/healthz").status_code == 200


def test_one_client_may_only_have_a_few_builds_going() -> None:
    settings = Settings(build_seconds=1.5, max_builds_per_client=2)
    with TestClient(create_app(settings)) as client:
        builder = client.app.state.viz.builder  # type: ignore[attr-defined]
        sockets = [client.websocket_connect("/ws").__enter__() for _ in range(3)]
        try:
            for number, ws in enumerate(sockets[:2]):  # two different files: two builds
                text = heavy_scenario(STEPS_OF_A_FLOOD + number)
                ws.send_json({"type": "open", "version": 2, "scenario_file": text})
            wait_for(lambda: builder.in_flight == 2)
            sockets[2].send_json({**OPEN, "seed": 7})
            refused = sockets[2].receive_json()
            assert refused["code"] == "busy" and "at most 2 timelines" in refused["message"]
            assert [ws.receive_json()["code"] for ws in sockets[:2]] == ["too_slow"] * 2
            sockets[2].send_json({**OPEN, "seed": 7})  # once they are done, it may build
            assert receive_until(sockets[2], "position")[0]["type"] == "opened"
        finally:
            for ws in sockets:
                ws.__exit__(None, None, None)


def test_the_same_file_opened_twice_is_built_once(client: TestClient) -> None:
    small = heavy_scenario(3)
    with client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
        for ws in (a, b):
            ws.send_json({"type": "open", "version": 2, "scenario_file": small})
            assert receive_until(ws, "position")[0]["header"]["scenario"]["title"] == "heavy"
    assert len(client.app.state.viz.timelines) == 1  # type: ignore[attr-defined]
