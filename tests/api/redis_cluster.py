"""Fixtures for the tests of several app processes sharing one real Redis."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import ClientConnection

from tests.support.cluster import App, RedisServer, receive_until, running, send

OPEN: dict[str, Any] = {"type": "open", "version": 2, "scenario": "qemu-emulated"}
FORK: dict[str, Any] = {"type": "act", "action": {"kind": "send_frame",
                                                  "params": {"frame": "arp_request"}}}  # fmt: skip


def need_redis() -> None:
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is missing: scripts/setup installs it")


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[App]]:
    """One Redis and three app processes on their own ports (A, B, C)."""
    need_redis()
    redis = RedisServer(tmp_path_factory.mktemp("redis"))
    apps = [App(redis.url) for _ in range(3)]
    with running(redis, apps):
        yield apps


def cluster(directory: Path, count: int, flags: list[str]) -> tuple[RedisServer, list[App]]:
    need_redis()
    redis = RedisServer(directory)
    return redis, [App(redis.url, flags) for _ in range(count)]


def presented_room(app: App, step: int = 10) -> tuple[ClientConnection, dict[str, Any]]:
    """A room on `app` whose presenter has opened the default story at `step` (the room's
    `session` is the id the presenter was told)."""
    status, room = app.post("/api/rooms")
    assert status == 201
    presenter = app.connect()
    send(presenter, {**join_of(room), "token": room["presenter_token"]})
    receive_until(presenter, "position")
    send(presenter, {**OPEN, "step": step})
    room["session"] = receive_until(presenter, "position")[0]["session"]
    return presenter, room


def join_of(room: dict[str, Any]) -> dict[str, Any]:
    return {"type": "join", "version": 2, "room": room["code"]}


def follower(app: App, room: dict[str, Any]) -> tuple[ClientConnection, list[dict[str, Any]]]:
    ws = app.connect()
    send(ws, join_of(room))
    return ws, receive_until(ws, "position")
