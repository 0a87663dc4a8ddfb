"""The "run it yourself" panel: the QEMU command line and libvirt XML of the scenario,
the part that acts in the current step lit up, and the transport switch that retells the
story on channel I/O with the channel subsystem in the diagram."""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any

from playwright.sync_api import Page, expect


def trace(server_url: str, scenario: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{server_url}/api/scenarios/{scenario}/trace") as reply:
        loaded: dict[str, Any] = json.load(reply)
        return loaded


def first(told: dict[str, Any], kind: str, **values: str) -> int:
    """The 1-based step of the first event of `kind` with `values`."""
    for step in told["steps"]:
        event = step["event"]
        if event["kind"] == kind and all(event["values"].get(k) == v for k, v in values.items()):
            return int(step["index"]) + 1
    raise AssertionError(f"no {kind} {values}")


def lit(page: Page) -> list[str]:
    return page.locator("vv-host pre .lit").all_inner_texts()


def test_vhost_on_lights_up_while_qemu_talks_to_vhost_net(page: Page, server_url: str) -> None:
    told = trace(server_url, "vhost-net")
    step = first(told, "vhost_ioctl")
    discovery = next(c for c in told["chapters"] if c["id"] == "discovery")["first_step"] + 1
    page.goto(f"{server_url}/?scenario=vhost-net&step={step}&open=host")
    panel = page.locator("vv-host")
    expect(panel.locator("pre")).to_contain_text("-netdev tap,id=net0")
    expect(panel.locator("pre .lit", has_text="vhost=on")).to_have_count(1)
    expect(panel.locator(".now")).to_contain_text("/dev/vhost-net")
    expect(panel.locator("ul")).to_contain_text("Not on this machine")
    # discovery: the device
    page.goto(f"{server_url}/?scenario=vhost-net&step={discovery}&open=host")
    expect(panel.locator("pre .lit", has_text="virtio-net-pci")).to_have_count(1)
    expect(panel.locator("pre .lit", has_text="vhost=on")).to_have_count(0)


def test_share_on_lights_up_when_the_memory_table_is_sent(page: Page, server_url: str) -> None:
    step = first(trace(server_url, "vhost-user"), "vhost_user_message",
                 request="VHOST_USER_SET_MEM_TABLE")  # fmt: skip
    page.goto(f"{server_url}/?scenario=vhost-user&step={step}&open=host")
    expect(page.locator("vv-host pre .lit", has_text=",share=on")).to_have_count(1)
    page.locator("vv-host button", has_text="libvirt XML").click()
    xml = page.locator("vv-host pre")
    expect(xml).to_contain_text('<interface type="vhostuser">')
    expect(page.locator("vv-host pre .lit", has_text='mode="shared"')).to_have_count(1)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # the back-end's reply, then the next message
    expect(page.locator("vv-host pre .lit", has_text='mode="shared"')).to_have_count(0)


def test_channel_io_from_the_panel_retells_the_story_on_an_s390x_guest(
    page: Page, server_url: str
) -> None:
    page.goto(f"{server_url}/?scenario=qemu-emulated&step=5&open=host")
    page.locator("vv-host button", has_text="channel I/O").click()
    expect(page).to_have_url(re.compile(r"transport=ccw.*step=1(&|$)"))
    expect(page.locator("vv-diagram")).to_contain_text("channel subsystem")
    expect(page.locator("vv-diagram")).to_contain_text("START SUBCHANNEL")
    expect(page.locator("vv-host pre")).to_contain_text("qemu-system-s390x")
    expect(page.locator("vv-host pre")).to_contain_text("devno=fe.0.0000")
    expect(page.locator("vv-narration")).to_contain_text("CCW_CMD_SENSE_ID")
    expect(page.locator("vv-host button[aria-pressed=true]", has_text="channel I/O")).to_have_count(
        1
    )


def test_an_architecture_lists_only_the_transports_it_exists_on(
    page: Page, server_url: str
) -> None:
    page.goto(f"{server_url}/?scenario=vdpa&open=host")
    buttons = page.locator("vv-host [aria-label=transport] button")
    expect(buttons).to_have_text(["PCI", "MMIO"])
    expect(page.locator("vv-host ul")).to_contain_text("vDPA device")


def test_the_ring_lab_has_no_host_and_asks_for_none(page: Page, server_url: str) -> None:
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(f"{server_url}/?scenario=ring-lab&open=host")
    expect(page.locator("vv-diagram")).to_be_visible()
    page.wait_for_function(
        "() => document.querySelector('virtio-viz')?.shadowRoot?.querySelector('vv-host') !== null"
    )
    expect(page.locator("vv-host pre")).to_have_count(0)
    assert [url for url in asked if "/api/host/" in url] == []
