"""Whatever a client sends, it gets a valid reply or a structured error, and its
session keeps working."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.test_websocket import OPEN, receive_until
from virtio_viz.api import Settings, create_app

TYPES = ["open", "resume", "join", "step", "back", "seek", "play", "pause", "act", "x", 3]
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12,
)  # fmt: skip
MESSAGES = st.one_of(
    st.text(max_size=200),
    st.builds(lambda t, extra: json.dumps({"type": t, **extra}, default=str),
              st.sampled_from(TYPES), st.dictionaries(
                  st.sampled_from(["version", "step", "count", "speed", "scenario", "action",
                                   "session", "room", "token", "options", "seed", "actions"]),
                  JSON, max_size=4)),
)  # fmt: skip
CLIENT = TestClient(create_app(Settings(rate_per_second=10_000, rate_burst=10_000)))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(MESSAGES)
def test_any_message_gets_a_reply_and_the_session_survives(raw: str) -> None:
    with CLIENT.websocket_connect("/ws") as ws:
        ws.send_json({**OPEN, "step": 5})
        receive_until(ws, "position")
        ws.send_text(raw)
        reply: dict[str, Any] = ws.receive_json()
        assert reply["type"] in {"opened", "snapshot", "position", "error"}
        if reply["type"] == "error":
            assert reply["code"] and reply["message"]
        else:  # a valid move: drain its replies up to the position
            while reply["type"] != "position":
                reply = ws.receive_json()
        ws.send_json({"type": "seek", "step": 1})
        assert receive_until(ws, "position")[-1]["step"] == 1
