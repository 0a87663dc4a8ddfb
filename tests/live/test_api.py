"""The live VM on the web: REST, the console socket, and a live session on /ws.

The first tests need no VM. `test_a_live_vm_end_to_end` boots one (about 20 s under TCG)
and drives it as the page does; `test_a_crashing_qemu_ends_its_vm_alone` kills QEMU."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from virtio_viz.api import Settings, create_app
from virtio_viz.api.live import install_live
from virtio_viz.api.trace_schema import Trace
from virtio_viz.live.live_vm import LiveVM
from virtio_viz.live.manager import LiveSettings, LiveVMs

OPEN = {"type": "open", "version": 2, "scenario": "live", "step": 0}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(
        Settings(
            static_dir=tmp_path, rate_per_second=1000, rate_burst=1000, max_connections_per_client=3
        )
    )
    install_live(app, LiveVMs(LiveSettings(max_memory_mib=256)))
    with TestClient(app) as test_client:
        yield test_client


def wait(condition: Callable[[], Any], what: str, timeout: float = 120.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"waited {timeout} s in vain for {what}")


def printed(vm: LiveVM, text: str) -> None:
    """Wait until the VM's console shows `text` (failing with its fate if it stops)."""
    deadline = time.monotonic() + 240
    while text not in vm.console.decoded():
        assert vm.state != "stopped", f"the VM stopped: {vm.reason}"
        assert time.monotonic() < deadline, f"no {text!r} on the console in 240 s"
        time.sleep(0.1)


def receive_until(
    socket: WebSocketTestSession, test: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    while True:
        message: dict[str, Any] = socket.receive_json()
        if test(message):
            return message
        assert message.get("state") != "stopped", f"the VM stopped: {message.get('reason')}"


# -- without a VM ----------------------------------------------------------------------------
def test_a_plain_server_has_no_live_routes(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(static_dir=tmp_path))) as plain:
        assert plain.get("/api/live").status_code == 404
        assert "live" not in [entry["id"] for entry in plain.get("/api/scenarios").json()]
        with plain.websocket_connect("/ws") as ws:
            ws.send_json({**OPEN, "options": {"vm": "x"}})
            assert ws.receive_json()["code"] == "unknown_scenario"


def test_status_and_refusals_without_a_vm(client: TestClient) -> None:
    menu = [entry["id"] for entry in client.get("/api/scenarios").json()]
    assert menu[-1] == "live" and "live" not in menu[:-1]  # after the stories
    status = client.get("/api/live").json()
    assert status["available"] is True and status["max_vms"] == 1 and status["vms"] == []
    assert set(status["commands"]) >= {"ping", "ping_burst", "link_down", "link_up"}
    assert client.post("/api/live", json={"ring": "triangle"}).status_code == 422
    big = client.post("/api/live", json={"memory_mib": 512})
    assert big.status_code == 503 and "256 MiB" in big.json()["message"]
    assert client.delete("/api/live/nope").json()["code"] == "unknown_vm"
    assert client.get("/api/live/nope/trace").status_code == 404
    with client.websocket_connect("/ws") as ws:
        ws.send_json({**OPEN, "options": {}})
        assert ws.receive_json()["field"] == "options.vm"
        ws.send_json({**OPEN, "options": {"vm": "gone"}})
        assert ws.receive_json()["code"] == "unknown_vm"
    with pytest.raises(Exception), client.websocket_connect("/ws/live/nope") as console:  # noqa: B017
        console.receive_json()


# -- with a real VM --------------------------------------------------------------------------
def test_a_live_vm_end_to_end(client: TestClient) -> None:
    started = client.post("/api/live", json={"ring": "split", "event_idx": True})
    assert started.status_code == 201, started.text
    vm, token = started.json()["vm"], started.json()["token"]
    assert client.post("/api/live", json={}).status_code == 503  # one VM per server
    live = client.app.state.live_vms.get(vm)  # type: ignore[attr-defined]
    with client.websocket_connect(f"/ws/live/{vm}?token={token}") as console:
        hello = console.receive_json()
        assert hello["type"] == "hello" and hello["control"] is True
        printed(live, "guest# ")  # the shell's prompt
        with client.websocket_connect("/ws") as session:
            session.send_json({**OPEN, "options": {"vm": vm}})
            opened = session.receive_json()
            assert opened["type"] == "opened" and opened["header"]["scenario"]["id"] == "live"
            assert session.receive_json()["type"] == "position"
            before = opened["header"]["step_count"]
            console.send_json({"type": "command", "name": "ping"})
            printed(live, "3 packets received")
            output = hello["output"]
            while "3 packets received" not in output:  # the socket carries it too
                output += receive_until(console, lambda m: m["type"] == "output")["text"]
            wait(lambda: len(live.timeline) > before + 40, "the ping's steps")
            grown = receive_until(session, lambda m: m.get("step_count", 0) > before + 40)
            assert grown["type"] == "grown" and grown["stopped"] is None
            assert grown["chapters"][-1]["title"] == "guest$ ping -c 3 10.0.2.2"
            session.send_json({"type": "seek", "step": grown["step_count"] - 1})
            moved = receive_until(session, lambda m: m["type"] == "position" and m["frames"])
            assert moved["step"] == grown["step_count"] - 1
            with client.websocket_connect(f"/ws/live/{vm}") as third:  # this client's third
                assert third.receive_json()["type"] == "hello"
                fourth = client.websocket_connect(f"/ws/live/{vm}")  # one too many
                with fourth as flood, pytest.raises(WebSocketDisconnect) as refused:
                    flood.receive_json()
                assert refused.value.code == 1013  # a console takes a slot like any socket
        with client.websocket_connect(f"/ws/live/{vm}") as watcher:  # no token: watch only
            assert watcher.receive_json()["control"] is False
            watcher.send_json({"type": "line", "text": "reboot"})
            assert receive_until(watcher, lambda m: m["type"] == "error")["code"] == "watch_only"
        console.send_json({"type": "command", "name": "format-disk"})
        assert receive_until(console, lambda m: m["type"] == "error")["field"] == "name"
    trace = client.get(f"/api/live/{vm}/trace").json()
    Trace.model_validate(trace)  # the published trace schema
    kinds = [step["event"]["kind"] for step in trace["steps"]]
    assert "console_command" in kinds and kinds.count("net_rx_frame") >= 3
    assert not {"violation", "device_error", "device_needs_reset"} & set(kinds)
    assert client.delete(f"/api/live/{vm}").status_code == 403  # no token
    assert client.delete(f"/api/live/{vm}", headers={"x-live-token": token}).status_code == 204
    assert client.get("/api/live").json()["vms"] == []
    after = client.get(f"/api/live/{vm}/trace").json()  # the timeline outlives the VM
    assert after["steps"][-1]["event"]["kind"] == "vm_stopped"
    assert "powered it off" in after["steps"][-1]["narration"]
    json.dumps(after)


def test_a_crashing_qemu_ends_its_vm_alone(client: TestClient) -> None:
    vm = client.post("/api/live", json={}).json()["vm"]
    manager: LiveVMs = client.app.state.live_vms  # type: ignore[attr-defined]
    live = manager.get(vm)
    assert live is not None and live.qemu is not None
    os.kill(live.qemu.pid, signal.SIGKILL)
    wait(lambda: live.state == "stopped", "the VM to notice")
    assert live.reason is not None and "signal 9" in live.reason
    assert client.get("/healthz").json() == {"status": "ok"}
    again = client.post("/api/live", json={})  # the slot is free again
    assert again.status_code == 201
    client.delete(
        f"/api/live/{again.json()['vm']}", headers={"x-live-token": again.json()["token"]}
    )
