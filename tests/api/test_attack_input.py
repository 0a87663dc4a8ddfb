"""Attacks with hostile input: huge bodies, deeply nested JSON, endless numbers,
wrong-typed fields, framing the presenter's page. Each gets a structured answer, with
one log line at most and never a traceback."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.api.test_websocket import OPEN, receive_until
from virtio_viz.api import Settings, create_app

DEEP = "[" * 5000 + "]" * 5000
LONG_NUMBER = "9" * 5000


def no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"


def test_a_body_over_the_limit_is_refused_by_its_length_before_it_is_read() -> None:
    client = TestClient(create_app(Settings(max_body_bytes=300_000)))
    reply = client.post("/api/import", content=b"x" * 400_000,
                        headers={"content-type": "application/json"})  # fmt: skip
    assert (reply.status_code, reply.json()["code"]) == (413, "too_large")


def test_a_streamed_body_is_cut_off_at_the_limit() -> None:
    """(tests/api/test_serving.py shows over a real socket that reading stops there)"""
    client = TestClient(create_app(Settings(max_body_bytes=300_000)))

    def stream() -> Iterator[bytes]:  # no Content-Length: chunked
        for _ in range(100):
            yield b"x" * 65536

    reply = client.post("/api/import", content=stream(),
                        headers={"content-type": "application/json"})  # fmt: skip
    assert (reply.status_code, reply.json()["code"]) == (413, "too_large")


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ('{"type": "open", "version": 2, "scenario": "qemu-emulated", "options": {"a": '
         + DEEP + "}}", None),
        ('{"type": "seek", "step": ' + LONG_NUMBER + "}", None),
        ('{"type": "open", "version": 2, "scenario": "qemu-emulated", "seed": '
         + LONG_NUMBER + "}", None),
    ],
)  # fmt: skip
def test_deep_json_and_endless_numbers_are_invalid_not_internal(
    client: TestClient, caplog: pytest.LogCaptureFixture, raw: str, field: str | None
) -> None:
    with caplog.at_level(logging.INFO), client.websocket_connect("/ws") as ws:
        for _ in range(3):
            ws.send_text(raw)
            error = ws.receive_json()
            assert (error["type"], error["code"], error["field"]) == ("error", "invalid", field)
        ws.send_json(OPEN)
        assert receive_until(ws, "position")[0]["type"] == "opened"
    no_tracebacks(caplog)


@pytest.mark.parametrize("value", [DEEP, LONG_NUMBER, '{"ring": ' + LONG_NUMBER + "}"])
def test_deep_json_in_a_permalink_is_an_invalid_query_not_a_500(
    client: TestClient, caplog: pytest.LogCaptureFixture, value: str
) -> None:
    with caplog.at_level(logging.INFO):
        reply = client.get("/api/trace", params={"scenario": "qemu-emulated", "options": value})
    assert reply.status_code == 422 and reply.headers["content-type"] == "application/json"
    assert (reply.json()["code"], reply.json()["field"].split(".")[0]) == ("invalid", "options")
    no_tracebacks(caplog)


@pytest.mark.parametrize(
    ("message", "code", "field"),
    [
        ({**OPEN, "version": "2"}, "invalid", "open.version"),
        ({**OPEN, "step": 3.0}, "invalid", "open.step"),
        ({**OPEN, "seed": True}, "invalid", "open.seed"),
        ({**OPEN, "options": {"queue_size": "16"}}, "option", "options.queue_size"),
        ({"type": "step", "count": True}, "invalid", "step.count"),
        ({"type": "seek", "step": "10"}, "invalid", "seek.step"),
    ],
)
def test_wrong_typed_fields_are_refused_not_converted(
    client: TestClient, message: dict[str, object], code: str, field: str
) -> None:
    with client.websocket_connect("/ws") as ws:
        ws.send_json(OPEN)
        receive_until(ws, "position")
        ws.send_json(message)
        error = ws.receive_json()
    assert (error["code"], error["field"]) == (code, field)


def test_rest_bodies_are_strict_too_and_text_that_is_not_json_is_400(client: TestClient) -> None:
    typed = client.post("/api/trace", json={"scenario": "qemu-emulated", "seed": "3"})
    assert (typed.status_code, typed.json()["field"]) == (422, "seed")
    garbled = client.post("/api/trace", content=b"{not json",
                          headers={"content-type": "application/json"})  # fmt: skip
    assert (garbled.status_code, garbled.json()["code"]) == (400, "bad_json")


def test_headers_forbid_framing_the_app_and_allow_framing_the_embed(client: TestClient) -> None:
    page = client.get("/")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    api = client.get("/api/scenarios")
    assert api.headers["content-security-policy"].startswith("default-src 'none'")
    assert api.headers["x-content-type-options"] == "nosniff"
    embed = client.get("/embed")
    assert "frame-ancestors *" in embed.headers["content-security-policy"]
    assert "x-frame-options" not in embed.headers


def test_the_embed_can_be_restricted_to_chosen_sites(tmp_path: object) -> None:
    settings = Settings(embed_ancestors=("https://blog.example",))
    embed = TestClient(create_app(settings)).get("/embed")
    assert "frame-ancestors https://blog.example" in embed.headers["content-security-policy"]
