"""GET /api/host/{scenario}: the host configuration as JSON, and structured errors."""

from __future__ import annotations

from fastapi.testclient import TestClient

from virtio_viz.hostconfig import host_config


def test_the_configuration_of_a_scenario(client: TestClient) -> None:
    reply = client.get("/api/host/vhost-user", params={"transport": "ccw", "ring": "packed"})
    assert reply.status_code == 200
    body = reply.json()
    expected = host_config("vhost-user", {"transport": "ccw", "ring": "packed"}).to_json()
    assert body == expected
    assert body["qemu"]["binary"] == "qemu-system-s390x"
    assert "memoryBacking" in body["libvirt"]["xml"]


def test_errors_name_the_field(client: TestClient) -> None:
    cases = {
        "/api/host/nope": (404, "scenario"),
        "/api/host/ring-lab": (422, "scenario"),
        "/api/host/vdpa?transport=ccw": (422, "options.transport"),
        "/api/host/qemu-emulated?queue_size=24": (422, "options.queue_size"),
        "/api/host/qemu-emulated?queue_size=0": (422, "queue_size"),
        "/api/host/qemu-emulated?transport=usb": (422, "transport"),
        "/api/host/qemu-emulated?event_idx=perhaps": (422, "event_idx"),
    }
    for url, (status, field) in cases.items():
        reply = client.get(url)
        assert reply.status_code == status, url
        assert reply.json()["field"] == field, url
    assert client.get("/api/host/qemu-emulated").status_code == 200  # still serving


def test_the_catalog_lists_the_scenarios_with_a_host(client: TestClient) -> None:
    reply = client.get("/api/host")
    assert reply.status_code == 200
    catalog = reply.json()
    assert "ring-lab" not in catalog
    assert catalog["vdpa"] == ["pci", "mmio"]
    assert catalog["vhost-net"] == ["pci", "mmio", "ccw"]
    for scenario, transports in catalog.items():  # and each of them answers
        for transport in transports:
            url = f"/api/host/{scenario}?transport={transport}"
            assert client.get(url).status_code == 200
