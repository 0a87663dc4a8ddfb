"""Limits: floods are slowed and then cut off, foreign origins refused unless allowed,
sessions capped; other sessions never notice."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.api.test_websocket import OPEN, receive_until
from virtio_viz.api import Settings, create_app
from virtio_viz.api.websocket import origin_allowed


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
