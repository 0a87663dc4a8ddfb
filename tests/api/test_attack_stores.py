"""Attacks that fill the stores: one connection opening session after session, one
address holding more than its share, rooms created from any web page."""

from __future__ import annotations

import asyncio

from fastapi.testclient import TestClient

from tests.api.test_websocket import OPEN, receive_until
from virtio_viz.api import Settings, create_app
from virtio_viz.api.rooms import MemoryRooms

FOREIGN = {"origin": "https://evil.example"}


def test_a_connection_holds_one_session_however_often_it_opens(client: TestClient) -> None:
    sessions = client.app.state.viz.sessions  # type: ignore[attr-defined]
    with client.websocket_connect("/ws") as flood:
        ids = set()
        for seed in range(40):
            flood.send_json({**OPEN, "seed": seed % 2})
            ids.add(receive_until(flood, "position")[0]["session"])
            assert len(sessions) == 1  # the previous session is released at once
    assert len(ids) == 40


def test_one_address_gets_its_share_of_sessions_and_no_more() -> None:
    client = TestClient(create_app(Settings(max_sessions=10, max_sessions_per_client=3)))
    sockets = [client.websocket_connect("/ws").__enter__() for _ in range(4)]
    try:
        for ws in sockets[:3]:
            ws.send_json(OPEN)
            receive_until(ws, "position")
        sockets[3].send_json(OPEN)
        refused = sockets[3].receive_json()
        assert refused["code"] == "busy" and "one client may hold at most 3" in refused["message"]
    finally:
        for ws in sockets:
            ws.__exit__(None, None, None)


def test_rooms_refuse_other_sites_and_do_not_tell_them_anything(client: TestClient) -> None:
    reply = client.post("/api/rooms", headers=FOREIGN)
    assert (reply.status_code, reply.json()["code"]) == (403, "origin")
    assert "access-control-allow-origin" not in reply.headers
    assert "presenter_token" not in reply.text
    assert len(client.app.state.viz.rooms) == 0  # type: ignore[attr-defined]
    allowed = TestClient(create_app(Settings(allowed_origins=("https://evil.example",))))
    assert allowed.post("/api/rooms", headers=FOREIGN).status_code == 201


def test_room_creation_is_rate_limited_per_address() -> None:
    client = TestClient(create_app(Settings(rooms_per_hour=5, max_rooms=250)))
    statuses = [client.post("/api/rooms").status_code for _ in range(8)]
    assert statuses == [201] * 5 + [429] * 3
    assert client.post("/api/rooms").json()["code"] == "rate_limited"


async def _forget_the_unpresented() -> None:
    now = [0.0]
    rooms = MemoryRooms(max_rooms=2, idle_seconds=4 * 3600, unjoined_seconds=600,
                        clock=lambda: now[0])  # fmt: skip
    (presented, _), (abandoned, _) = await rooms.create(), await rooms.create()
    presented.presented = True
    now[0] = 601.0
    await rooms.sweep()
    assert rooms.held(abandoned.code) is None and rooms.held(presented.code) is presented
    assert (await rooms.create())[0].code != abandoned.code  # the store had room again


def test_rooms_nobody_presented_are_forgotten_after_minutes_not_hours() -> None:
    asyncio.run(_forget_the_unpresented())
