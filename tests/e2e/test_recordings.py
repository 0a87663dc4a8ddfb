"""The shipped recordings in the scenario menu: one opens as a replay with a permalink,
and the menu leads back to the model."""

from __future__ import annotations

import html
import json
import re
import urllib.request
from urllib.parse import unquote

from playwright.sync_api import Page, expect


def test_a_real_recording_from_the_menu_and_back_to_the_model(page: Page, server_url: str) -> None:
    page.goto(f"{server_url}/?scenario=qemu-emulated")
    menu = page.get_by_label("scenario", exact=True)
    expect(menu).to_be_visible()
    menu.select_option(label="Real recording: packed rings, event_idx off, ioeventfd off")
    expect(page.locator("vv-narration .chapter")).to_contain_text("Firmware")
    assert "src=/api/recordings/qemu-packed/trace" in unquote(page.url)
    diagram = page.get_by_label("architecture diagram", exact=True)
    expect(diagram).to_contain_text("descriptor ring")  # a packed ring's parts
    expect(diagram).to_contain_text("TCG stands in here")
    page.get_by_role("button", name="share or embed").click()  # a blogger embeds it
    dialog = page.get_by_role("dialog", name="share or embed")
    iframe = dialog.locator("#iframe").input_value()
    assert "/embed?src=%2Fapi%2Frecordings%2Fqemu-packed%2Ftrace" in iframe
    assert (
        'src="' + server_url + '/api/recordings/qemu-packed/trace"'
        in dialog.locator("#element").input_value()
    )
    page.keyboard.press("Escape")
    embed = re.search(r'src="([^"]+)"', iframe)
    assert embed is not None
    page.goto(html.unescape(embed[1]))
    expect(page.locator("vv-narration .chapter")).to_contain_text("Firmware")  # the embed plays
    page.go_back()
    page.reload()  # the address is a permalink to the recording
    expect(menu).to_have_value("src:/api/recordings/qemu-packed/trace")
    menu.select_option(label="Device emulated in QEMU")
    expect(page.locator("vv-narration .chapter")).not_to_contain_text("Firmware")
    expect(menu).to_have_value("scenario:qemu-emulated")
    assert "src=" not in page.url


def test_each_life_of_a_device_is_drawn_with_the_ring_it_ran(page: Page, server_url: str) -> None:
    """virtio-blk of the packed recording: the firmware's split life, then Linux's packed
    one. The diagram follows the life in force at each step, and the lives are listed."""
    from tests.qemu_trace.test_shipped_recordings import RECORDINGS, load  # noqa: PLC0415

    doc = load(RECORDINGS["reset at power-off"], device="virtio-blk")
    firmware, linux = doc["lives"]["virtio-blk"]
    page.route("**/blk-lives.json", lambda route: route.fulfill(json=doc))
    diagram = page.get_by_label("architecture diagram", exact=True)
    page.goto(f"{server_url}/?src=/blk-lives.json&step={firmware['last_step'] - 1}")
    expect(diagram).to_contain_text("descriptor table")
    expect(diagram).not_to_contain_text("descriptor ring")
    page.goto(f"{server_url}/?src=/blk-lives.json&step={linux['first_step'] + 40}&open=compare")
    expect(diagram).to_contain_text("descriptor ring")
    lives = page.locator("vv-comparison .lives", has_text="2 lives")
    expect(lives).to_have_count(1)
    expect(lives).to_contain_text("1: the firmware, split ring")
    expect(lives).to_contain_text("2: the driver, packed ring, event_idx off, ended by a reset")


def test_a_recordings_ring_memory_is_unknown_not_zeros(page: Page, server_url: str) -> None:
    src = "/api/recordings/qemu-split/trace"
    with urllib.request.urlopen(server_url + src) as reply:
        told = json.load(reply)
    last = told["keyframes"][-1]
    assert last["memory"] == []  # a QEMU trace holds no guest memory
    page.goto(f"{server_url}/?src={src}&step={last['step'] + 1}&open=memory")
    narration = told["steps"][last["step"]]["narration"]
    expect(page.locator("vv-narration .text")).to_have_text(narration)
    bytes_shown = page.locator("vv-hex .scroll .b")
    expect(bytes_shown.first).to_have_text("??")
    assert set(bytes_shown.all_inner_texts()) == {"??"}
    expect(page.locator("vv-hex .key")).to_contain_text("not in the recording")


def test_a_virtio_blk_step_lights_virtio_blks_boxes(page: Page, server_url: str) -> None:
    """The packed recording holds virtio-net and virtio-blk: a step of each lights its own
    driver, and its route leaves from that driver."""
    src = "/api/recordings/qemu-packed/trace"
    with urllib.request.urlopen(server_url + src) as reply:
        told = json.load(reply)
    config = [s for s in told["steps"] if s["route"] == "config"]
    blk = next(s for s in config if s["event"]["values"].get("device") == "virtio-blk")
    net = next(s for s in config if s["event"]["values"].get("device") == "virtio-net")
    diagram = page.locator("vv-diagram")
    for step, device in ((blk, "virtio-blk"), (net, "virtio-net")):
        page.goto(f"{server_url}/?src={src}&step={step['index'] + 1}")
        expect(page.locator("vv-narration .text")).to_have_text(step["narration"])
        lit = diagram.locator("g.box.active")
        expect(lit).to_have_count(1)
        expect(lit.locator("text").first).to_have_text(f"{device} driver")  # its name
        expect(diagram.locator("path.wire.lit")).to_have_attribute(
            "data-a", lit.get_attribute("data-box") or ""
        )
        words = f"This step: config \\(control plane\\): {device} driver → {device} device model"
        expect(diagram.locator("svg[role=img]")).to_have_attribute("aria-label", re.compile(words))
