"""Attacks on the server itself, over real sockets to uvicorn on loopback: request heads
sent a byte at a time, bodies that never end, websockets from another site, and more
websockets than the server takes."""

from __future__ import annotations

import socket
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect
from websockets.typing import Origin

from tests.support.threaded_server import free_port, running_in_thread
from virtio_viz.api import Settings, create_app
from virtio_viz.api.serving import uvicorn_config


@contextmanager
def serving(settings: Settings, **options: Any) -> Iterator[int]:
    """The app under uvicorn, configured as `virtio-viz serve` does, on a free port."""
    import uvicorn  # noqa: PLC0415

    port = free_port()
    options = {"log_level": "warning", **options}
    config = uvicorn_config(create_app(settings), settings, host="127.0.0.1", port=port,
                            **options)  # fmt: skip
    with running_in_thread(uvicorn.Server(config)):
        yield port


def healthy(port: int) -> bool:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as reply:
        return bool(reply.status == 200)


def closed_by_server(conn: socket.socket, within: float) -> bool:
    """Whether the server closes this connection before `within` seconds pass."""
    conn.settimeout(within)
    try:
        while conn.recv(4096):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    return True


def test_a_request_head_sent_a_byte_at_a_time_is_cut_off() -> None:
    with (
        serving(Settings(header_seconds=1)) as port,
        socket.create_connection(("127.0.0.1", port)) as slow,
    ):
        for byte in b"GET /healthz HTTP/1.1\r\nHost: x\r\n":  # never ends its head
            try:
                slow.send(bytes([byte]))
            except OSError:
                break
            time.sleep(0.05)
        assert closed_by_server(slow, within=10)
        assert healthy(port)


def test_a_silent_connection_is_cut_off_too() -> None:
    with serving(Settings(header_seconds=1)) as port:
        with socket.create_connection(("127.0.0.1", port)) as silent:
            assert closed_by_server(silent, within=10)
        with socket.create_connection(("127.0.0.1", port)) as polite:  # a whole head in time
            polite.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            assert polite.recv(4096).startswith(b"HTTP/1.1 200")


def test_an_endless_body_is_answered_413_while_it_is_still_coming() -> None:
    with (
        serving(Settings(max_body_bytes=300_000)) as port,
        socket.create_connection(("127.0.0.1", port)) as upload,
    ):
        upload.sendall(b"POST /api/import HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                       b"\r\nTransfer-Encoding: chunked\r\n\r\n")  # fmt: skip
        chunk = b"10000\r\n" + b"x" * 0x10000 + b"\r\n"
        for _ in range(6):  # 384 KiB: past the limit, far short of "endless"
            upload.sendall(chunk)
        upload.settimeout(20)
        assert upload.recv(4096).startswith(b"HTTP/1.1 413")


def test_a_websocket_from_another_site_is_closed_with_1008() -> None:
    with (
        serving(Settings()) as port,
        connect(f"ws://127.0.0.1:{port}/ws", origin=Origin("https://evil.example")) as ws,
        pytest.raises(ConnectionClosed) as closed,
    ):
        ws.recv(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008


@pytest.mark.parametrize(
    ("total", "per_client", "reason"),
    [(30, 12, "at most 12 connections from one client"), (12, 100, "maximum of 12 connections")],
)
def test_websockets_past_the_cap_are_told_to_come_back_and_health_checks_still_pass(
    total: int, per_client: int, reason: str
) -> None:
    settings = Settings(max_connections=total, max_connections_per_client=per_client)
    with serving(settings) as port, ExitStack() as held:
        for _ in range(12):
            held.enter_context(connect(f"ws://127.0.0.1:{port}/ws"))
        with (
            connect(f"ws://127.0.0.1:{port}/ws") as extra,
            pytest.raises(ConnectionClosed) as closed,
        ):
            extra.recv(timeout=10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013
        assert reason in closed.value.rcvd.reason
        assert healthy(port)  # the websockets never take the HTTP requests' places
