"""REST: the scenario list, a scenario's diagram and chapters, traces, schemas, rooms."""

from __future__ import annotations

import argparse
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from starlette.routing import Mount

from virtio_viz.api import Settings, create_app, static
from virtio_viz.api.cli import add_serve_command, settings_from
from virtio_viz.api.trace_schema import Trace
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
    assert schema["x-protocol-version"] == 2
    kinds = set(schema["properties"]["client"]["discriminator"]["mapping"])
    assert kinds == {"open", "resume", "join", "step", "back", "seek", "play", "pause", "act",
                     "prepare", "poll_open", "poll_answer", "poll_reveal"}  # fmt: skip
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


def count_compressions(monkeypatch: pytest.MonkeyPatch, taking: float = 0.0) -> list[Path]:
    """Every file the static files compress from now on, each taking `taking` seconds."""
    compressed: list[Path] = []
    gzip_file = static._gzip_file

    def counted(path: Path) -> bytes:
        compressed.append(path)
        time.sleep(taking)
        return gzip_file(path)

    monkeypatch.setattr(static, "_gzip_file", counted)
    return compressed


def test_an_asset_is_gzipped_once_and_again_only_when_the_file_changes(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compressed = count_compressions(monkeypatch)
    file, gzipped = tmp_path / "static" / "assets" / "app-1a2b3c.js", {"accept-encoding": "gzip"}
    first = client.get("/assets/app-1a2b3c.js", headers=gzipped)
    assert first.content == file.read_bytes()  # the client took the gzip off
    assert "Accept-Encoding" in first.headers["vary"] and "etag" in first.headers
    assert client.get("/assets/app-1a2b3c.js", headers=gzipped).content == file.read_bytes()
    assert compressed == [file]  # the second page was served what the first one's got
    file.write_text("console.log('rebuilt');" * 200)  # a new build in place, while serving
    os.utime(file, ns=(time.time_ns(), time.time_ns() + 10**9))
    again = client.get("/assets/app-1a2b3c.js", headers=gzipped)
    assert again.content == file.read_bytes() and again.headers["content-encoding"] == "gzip"
    assert compressed == [file, file]
    plain = client.get("/assets/app-1a2b3c.js", headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == file.read_bytes()


def test_a_burst_of_first_requests_compresses_an_asset_once_and_the_kept_copies_stay_few(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the burst's other requests all arrive while the first one compresses
    compressed = count_compressions(monkeypatch, taking=0.2)
    gzipped = {"accept-encoding": "gzip"}
    file = tmp_path / "static" / "assets" / "app-1a2b3c.js"
    body = file.read_bytes()

    def read(_: int) -> Response:
        return client.get("/assets/app-1a2b3c.js", headers=gzipped)

    with ThreadPoolExecutor(max_workers=24) as pool:  # 24 readers open the page together
        pages = list(pool.map(read, range(24)))
    assert {(page.status_code, page.content) for page in pages} == {(200, body)}
    assert compressed == [file]  # once, not once per request
    assets = tmp_path / "static" / "assets"
    for n in range(static.GZIPPED_KEPT + 8):  # more assets than copies are kept
        (assets / f"chunk{n}-0a0b0c.js").write_text(f"// {n}\n" * 400)
        assert client.get(f"/assets/chunk{n}-0a0b0c.js", headers=gzipped).status_code == 200
    assert client.get("/assets/nope-0a0b0c.js", headers=gzipped).status_code == 404
    mounted = [route for route in client.app.routes if isinstance(route, Mount)]  # type: ignore[attr-defined]
    files = next(route.app for route in mounted if isinstance(route.app, static.FrontendFiles))
    assert len(files._gzipped) == static.GZIPPED_KEPT  # the oldest copies went


def test_a_permalink_trace_is_the_same_as_the_posted_one(client: TestClient) -> None:
    actions = '[{"at": 300, "kind": "send_frame", "params": {"frame": "arp_request"}}]'
    linked = client.get("/api/trace", params={"scenario": "qemu-emulated", "actions": actions,
                                              "options": '{"ring": "packed"}'}).json()  # fmt: skip
    posted = client.post("/api/trace", json={
        "scenario": "qemu-emulated", "options": {"ring": "packed"},
        "actions": [{"at": 300, "kind": "send_frame", "params": {"frame": "arp_request"}}],
    }).json()  # fmt: skip
    assert linked == posted
    bad = client.get("/api/trace", params={"scenario": "qemu-emulated", "options": "{"})
    assert (bad.status_code, bad.json()["code"], bad.json()["field"]) == (
        400,
        "bad_json",
        "options",
    )


def test_every_trace_fits_the_published_trace_schema(client: TestClient) -> None:
    schema = client.get("/api/schema/trace").json()
    assert schema["title"].startswith("virtio-viz trace")
    assert {"State", "Frame", "Keyframe", "QueueState"} <= set(schema["$defs"])
    for options in ({}, {"ring": "packed", "transport": "mmio"}):
        trace = client.post("/api/trace", json={"scenario": "qemu-emulated",
                                                "options": options}).json()  # fmt: skip
        Trace.model_validate(trace)


def test_errors_over_rest_have_the_protocols_shape(client: TestClient) -> None:
    missing = client.get("/api/scenarios/nope")
    assert missing.status_code == 404 and missing.json()["code"] == "unknown_scenario"
    wrong = client.get("/api/scenarios/qemu-emulated/trace", params={"seed": -1})
    assert (wrong.status_code, wrong.json()["field"]) == (422, "seed")
    garbled = client.post("/api/trace", content=b"\xff{", headers={"content-type":
                                                                   "application/json"})  # fmt: skip
    assert garbled.status_code in {400, 422} and garbled.json()["type"] == "error"


def test_without_a_build_the_root_explains_itself(tmp_path: Path) -> None:
    bare = TestClient(create_app(Settings(static_dir=tmp_path / "none")))
    page = bare.get("/")
    assert page.status_code == 200 and "has not been built" in page.text
    assert bare.get("/healthz").status_code == 200


def test_serve_flags_override_the_environment() -> None:
    parser = argparse.ArgumentParser()
    add_serve_command(parser.add_subparsers())
    args = parser.parse_args(["serve", "--max-steps", "900", "--allow-origin", "*",
                              "--static-dir", "/srv/static"])  # fmt: skip
    settings = settings_from(args, {"VIRTIO_VIZ_MAX_STEPS": "700", "VIRTIO_VIZ_RATE_BURST": "9"})
    assert (settings.max_steps, settings.rate_burst) == (900, 9)
    assert settings.allowed_origins == ("*",) and settings.static_dir == Path("/srv/static")


def test_the_element_script_has_a_stable_address_for_other_sites(client: TestClient) -> None:
    reply = client.get("/virtio-viz.js", follow_redirects=False)
    assert reply.status_code == 307
    assert reply.headers["location"] == "/assets/element-4d5e6f.js"
    assert reply.headers["access-control-allow-origin"] == "*"


def test_a_qemu_recording_uploads_and_comes_back_as_a_trace(client: TestClient) -> None:
    log = Path(__file__).resolve().parents[2].parent / "shared" / "traces" / "qemu-split"
    text = (log / "trace-virtio.log").read_text()
    big = TestClient(client.app)  # the default limits allow 256 KiB; the recording is 64 KiB
    reply = big.post("/api/import", json={"text": text, "filename": "trace-virtio.log"})
    assert reply.status_code == 200, reply.text
    trace = reply.json()
    assert trace["format"] == "virtio-viz-trace" and trace["topology"]["id"] == "qemu-recording"
    drivers = {box["label"] for box in trace["topology"]["boxes"] if box["id"].startswith("driver")}
    assert drivers == {"virtio-net driver", "virtio-blk driver"}  # the log's two devices
    assert trace["step_count"] > 100 and trace["limitations"]
    bad = big.post("/api/import", json={"text": "virtio_set_status vdev 0x1 val zzz\n",
                                        "filename": "x.log"})  # fmt: skip
    assert bad.status_code == 422
    assert bad.json()["code"] == "import" and bad.json()["message"].startswith("x.log")
