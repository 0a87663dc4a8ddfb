"""REST: the scenario list, a scenario's diagram and chapters, traces, schemas, rooms."""

from __future__ import annotations

from fastapi.testclient import TestClient

from virtio_viz.scenarios.stories import STORIES


def test_health_and_scenarios(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    listed = client.get("/api/scenarios").json()
    assert [s["id"] for s in listed] == list(STORIES)


def test_a_scenario_has_its_topology_and_chapters(client: TestClient) -> None:
    body = client.get("/api/scenarios/qemu-emulated").json()
    assert body["topology"]["placement"]["data_plane"] == "device-model"
    assert body["chapters"][0]["id"] == "discovery"
    assert client.get("/api/scenarios/nope").status_code == 404


def test_trace_of_a_fork_replays_its_actions(client: TestClient) -> None:
    body = {
        "scenario": "qemu-emulated",
        "options": {"ring": "packed"},
        "actions": [{"at": 300, "kind": "send_frame", "params": {"frame": "arp_request"}}],
    }
    trace = client.post("/api/trace", json=body).json()
    assert trace["format"] == "virtio-viz-trace"
    assert trace["scenario"]["actions"][0]["kind"] == "send_frame"
    assert any(c["title"].startswith("Your action") for c in trace["chapters"])


def test_bad_trace_requests_name_the_field(client: TestClient) -> None:
    reply = client.post("/api/trace", json={"scenario": "qemu-emulated",
                                            "options": {"queue_size": 3}})  # fmt: skip
    assert reply.status_code == 422
    assert reply.json()["field"] == "options.queue_size"
    reply = client.post("/api/trace", json={"scenario": "qemu-emulated",
                        "actions": [{"at": 5, "kind": "fly"}]})  # fmt: skip
    assert (reply.status_code, reply.json()["field"]) == (422, "actions.kind")


def test_schemas_are_published(client: TestClient) -> None:
    schema = client.get("/api/schema/protocol").json()
    assert schema["version"] == 1
    kinds = set(schema["client"]["discriminator"]["mapping"])
    assert kinds == {"open", "resume", "join", "step", "back", "seek", "play", "pause", "act"}
    assert "properties" in client.get("/api/schema/trace-header").json()


def test_rooms_get_a_short_code_a_join_url_and_a_token(client: TestClient) -> None:
    room = client.post("/api/rooms").json()
    assert len(room["code"]) == 6 and room["join_url"].endswith(f"?room={room['code']}")
    assert len(room["presenter_token"]) >= 24


def test_the_frontend_is_served_with_the_right_caching(client: TestClient) -> None:
    page = client.get("/")
    assert page.headers["cache-control"] == "no-cache" and "<virtio-viz>" in page.text
    asset = client.get("/assets/app-1a2b3c.js", headers={"accept-encoding": "gzip"})
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert asset.headers["content-encoding"] == "gzip"
    assert asset.headers["access-control-allow-origin"] == "*"
