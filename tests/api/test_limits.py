"""Limits: floods are slowed and then cut off, foreign origins refused unless allowed,
sessions capped; other sessions never notice."""

from __future__ import annotations

import asyncio

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.api.test_websocket import OPEN, receive_until
from virtio_viz.api import Settings, create_app
from virtio_viz.api import protocol as p
from virtio_viz.api.build_worker import Recipe
from virtio_viz.api.conversation import Conversation
from virtio_viz.api.limits import origin_allowed
from virtio_viz.api.sessions import MemorySessions, SessionsFull
from virtio_viz.api.timelines import Built
from virtio_viz.scenarios.stories import story
from virtio_viz.timeline import Timeline
from virtio_viz.trace import header_json


def test_a_flood_is_told_to_slow_down_then_closed_with_policy_violation() -> None:
    client = TestClient(create_app(Settings(rate_per_second=1, rate_burst=3, abuse_strikes=5)))
    with client.websocket_connect("/ws") as calm:
        calm.send_json(OPEN)
        receive_until(calm, "position")
        with client.websocket_connect("/ws") as flood:
            codes = []
            with pytest.raises(WebSocketDisconnect) as closed:
                for _ in range(20):
                    flood.send_json({"type": "pause"})
                    codes.append(flood.receive_json()["code"])
            assert closed.value.code == 1008
            assert codes.count("rate_limited") == 4
        calm.send_json({"type": "step"})  # the other session never noticed
        assert receive_until(calm, "position")[-1]["step"] == 1


def test_session_cap_is_a_structured_error() -> None:
    client = TestClient(create_app(Settings(max_sessions=1)))
    with client.websocket_connect("/ws") as first, client.websocket_connect("/ws") as second:
        first.send_json(OPEN)
        receive_until(first, "position")
        second.send_json(OPEN)
        assert second.receive_json()["code"] == "busy"


@pytest.mark.parametrize(
    ("origin", "host", "allowed", "ok"),
    [
        (None, "viz.example", (), True),
        ("https://viz.example", "viz.example", (), True),
        ("http://localhost:5173", "viz.example", (), True),
        ("https://blog.example", "viz.example", (), False),
        ("https://blog.example", "viz.example", ("https://blog.example",), True),
        ("https://evil.example", "viz.example", ("*",), True),
    ],
)
def test_websocket_origins(origin: str | None, host: str, allowed: tuple[str, ...],
                           ok: bool) -> None:  # fmt: skip
    assert origin_allowed(origin, host, allowed) is ok


def test_a_foreign_origin_is_closed_before_anything_happens() -> None:
    client = TestClient(create_app(Settings()))
    foreign = {"origin": "https://blog.example"}
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect("/ws", headers=foreign) as ws,
    ):
        ws.receive_json()
    assert closed.value.code == 1008


def test_a_huge_message_closes_with_1009_and_others_carry_on() -> None:
    client = TestClient(create_app(Settings(max_message_bytes=1024, max_upload_bytes=1024)))
    with client.websocket_connect("/ws") as calm:
        calm.send_json(OPEN)
        receive_until(calm, "position")
        with client.websocket_connect("/ws") as ws:
            ws.send_text("x" * 1500)
            assert ws.receive_json()["code"] == "too_large"  # too large, still usable
            ws.send_text("x" * 2100)  # larger than any message can be: an open with a file
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_json()
            assert closed.value.code == 1009
        calm.send_json({"type": "step"})
        assert receive_until(calm, "position")[-1]["step"] == 1


def test_a_bug_of_ours_is_an_internal_error_and_the_connection_lives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = TestClient(create_app(Settings()))
    with client.websocket_connect("/ws") as ws:
        ws.send_json(OPEN)
        receive_until(ws, "position")

        def broken(self: object, session: object) -> list[object]:
            raise ZeroDivisionError

        monkeypatch.setattr(Conversation, "_moved", broken)
        ws.send_json({"type": "step"})
        assert ws.receive_json()["code"] == "internal"
        monkeypatch.undo()
        ws.send_json({"type": "step"})
        assert receive_until(ws, "position")[-1]["step"] == 2


def built_story(scenario: str = "qemu-emulated") -> Built:
    timeline = Timeline(story(scenario))
    recipe = Recipe(scenario, None, {}, 0, (), 50_000)
    return Built(timeline, recipe, p.TraceHeader.model_validate(header_json(timeline)))


async def _fill_then_expire() -> None:
    now = [0.0]
    sessions = MemorySessions(max_sessions=2, idle_seconds=100, grace_seconds=10,
                              clock=lambda: now[0])  # fmt: skip
    built = built_story()
    first = await sessions.create(built, 0, "a")
    await sessions.create(built, 0, "b")
    with pytest.raises(SessionsFull):
        await sessions.create(built, 0, "c")
    now[0] = 11.0  # nobody is connected to either: past the grace period
    third = await sessions.create(built, 0, "c")
    assert third.id != first.id and first.id not in sessions


def test_idle_sessions_are_evicted_when_the_store_is_full() -> None:
    asyncio.run(_fill_then_expire())


def test_one_timeline_is_built_once_for_everyone_asking() -> None:
    client = TestClient(create_app(Settings()))
    with client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
        a.send_json(OPEN)
        b.send_json(OPEN)
        ids = {receive_until(ws, "position")[0]["session"] for ws in (a, b)}
    assert len(ids) == 2
    assert len(client.app.state.viz.timelines) == 1  # type: ignore[attr-defined]
