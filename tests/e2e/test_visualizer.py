"""The visualizer in a real browser against the real server: what a reader, a blogger
and a teacher do first."""

from __future__ import annotations

import json
import re
import urllib.request
from functools import cache
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from virtio_viz.scenarios.stories import STORIES


@cache
def trace(server_url: str, scenario: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{server_url}/api/scenarios/{scenario}/trace") as reply:
        loaded: dict[str, Any] = json.load(reply)
        return loaded


def counter(page: Page) -> str:
    return page.locator("vv-timeline .count").inner_text()


@pytest.mark.parametrize("scenario", sorted(STORIES))
def test_every_scenario_opens_with_its_diagram_and_first_step(
    page: Page, server_url: str, scenario: str
) -> None:
    page.goto(f"{server_url}/?scenario={scenario}")
    told = trace(server_url, scenario)
    expect(page.locator("vv-narration .text")).to_have_text(told["steps"][0]["narration"])
    for box in told["topology"]["boxes"]:
        expect(page.locator(f'vv-diagram g[data-box="{box["id"]}"]')).to_have_count(1)
    expect(page.locator("vv-timeline .count")).to_have_text(f"1 / {told['step_count']}")


def test_keyboard_steps_forward_and_back_and_the_url_follows(page: Page, server_url: str) -> None:
    page.goto(f"{server_url}/?scenario=qemu-emulated")
    told = trace(server_url, "qemu-emulated")
    expect(page.locator("vv-narration .text")).to_have_text(told["steps"][0]["narration"])
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    expect(page.locator("vv-narration .text")).to_have_text(told["steps"][3]["narration"])
    assert re.search(r"[?&]step=4\b", page.url)
    page.keyboard.press("ArrowLeft")
    expect(page.locator("vv-narration .text")).to_have_text(told["steps"][2]["narration"])
    page.keyboard.press("End")
    last = told["step_count"]
    expect(page.locator("vv-timeline .count")).to_have_text(f"{last} / {last}")
    page.keyboard.press("Home")
    expect(page.locator("vv-timeline .count")).to_have_text(f"1 / {last}")
    page.keyboard.press("]")  # the next chapter
    second = told["chapters"][1]
    expect(page.locator("vv-narration .chapter strong")).to_have_text(second["title"])


def test_a_permalink_restores_the_step_rings_and_memory(page: Page, server_url: str) -> None:
    told = trace(server_url, "qemu-emulated")
    refill = next(c for c in told["chapters"] if c["id"] == "rx-refill")
    end = refill["first_step"] + refill["step_count"]
    step = max(i for i in range(refill["first_step"], end) if told["steps"][i]["memory"])
    page.goto(f"{server_url}/?scenario=qemu-emulated&step={step + 1}&open=device,memory,log")
    frame = told["steps"][step]
    expect(page.locator("vv-narration .text")).to_have_text(frame["narration"])
    rx = page.locator("vv-rings table[aria-label='Descriptor table'] tbody tr").first
    expect(rx.locator("td").nth(2)).to_have_text("1536")  # the first receive buffer's len
    expect(rx.locator("td").nth(3)).to_have_text("WRITE")
    written = frame["memory"][0]
    first_byte = written["hex"][:2]
    row = page.locator("vv-hex .row").first
    expect(row).to_contain_text(first_byte)
    expect(page.locator("vv-hex .b.w").first).to_have_text(first_byte)
    # the event log shows what led here, though the page opened at this step
    expect(page.locator("vv-log")).to_contain_text(told["steps"][step - 20]["narration"])
    history = page.get_by_label("status values so far")  # the whole handshake, from step 0
    expect(history).to_contain_text("+ACKNOWLEDGE")
    expect(history).to_contain_text("+DRIVER_OK")


def test_seeking_with_the_scrubber_and_a_click_in_the_event_log(
    page: Page, server_url: str
) -> None:
    page.goto(f"{server_url}/?scenario=qemu-emulated&open=log")
    told = trace(server_url, "qemu-emulated")
    slider = page.locator("vv-timeline input[type=range]")
    slider.fill("300")
    expect(page.locator("vv-narration .text")).to_have_text(told["steps"][300]["narration"])
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    expect(page.locator("vv-timeline .count")).to_have_text(re.compile(r"^304 /"))
    page.locator("vv-log li", has_text=told["steps"][300]["narration"]).click()
    expect(page.locator("vv-timeline .count")).to_have_text(re.compile(r"^301 /"))


def test_a_recorded_trace_replays_with_no_session(page: Page, server_url: str) -> None:
    page.goto(f"{server_url}/?src=/api/scenarios/qemu-emulated/trace&step=50")
    told = trace(server_url, "qemu-emulated")
    expect(page.locator("vv-narration .text")).to_have_text(told["steps"][49]["narration"])
    page.keyboard.press("ArrowRight")
    expect(page.locator("vv-narration .text")).to_have_text(told["steps"][50]["narration"])


def test_a_readers_action_forks_the_timeline(page: Page, server_url: str) -> None:
    page.goto(f"{server_url}/?scenario=qemu-emulated&step=300&open=try")
    page.get_by_role("button", name="make the device fail").click()
    expect(page.locator("vv-narration .chapter strong")).to_have_text(
        "Your action: make the device fail"
    )
    expect(page.locator("vv-narration .text")).to_contain_text("DEVICE_NEEDS_RESET")
    expect(page.locator("vv-status li[aria-label='DEVICE_NEEDS_RESET set']")).to_have_count(1)


def test_a_permalink_keeps_the_readers_fork(page: Page, server_url: str) -> None:
    page.goto(f"{server_url}/?scenario=qemu-emulated&step=200&open=try")
    plain = trace(server_url, "qemu-emulated")["step_count"]
    expect(page.locator("vv-timeline .count")).to_have_text(f"200 / {plain}")
    page.get_by_role("button", name="send a frame").click()
    expect(page.locator("vv-narration .chapter strong")).to_have_text("Your action: send a frame")
    # it lands on the action's first step, which says why that is later than step 200
    expect(page.locator("vv-narration .intro")).to_contain_text("You acted at step 200")
    forked = page.locator("vv-timeline .count").inner_text()
    assert not forked.endswith(f"/ {plain}"), forked
    narration = page.locator("vv-narration .text").inner_text()
    assert re.search(r"[?&]act=200%3Asend_frame%3Aframe%3D\w+", page.url), page.url
    page.get_by_role("button", name="share or embed").click()
    dialog = page.get_by_role("dialog", name="share or embed")
    expect(dialog.locator("#permalink")).to_have_value(re.compile(r"act=200%3Asend_frame"))
    expect(dialog.locator("#iframe")).to_have_value(
        re.compile(r"/embed\?[^\"]*act=200%3Asend_frame")
    )
    expect(dialog.locator("#element")).to_have_value(
        re.compile(r'actions="200:send_frame:frame=\w+"')
    )
    page.reload()  # the same timeline, at the same step
    expect(page.locator("vv-timeline .count")).to_have_text(forked)
    expect(page.locator("vv-narration .text")).to_have_text(narration)
    expect(page.locator("vv-narration .chapter strong")).to_have_text("Your action: send a frame")


def test_help_theme_and_the_phone_layout(page: Page, server_url: str) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{server_url}/?scenario=vhost-net&theme=light" if "vhost-net" in STORIES
              else f"{server_url}/?scenario=qemu-emulated&theme=light")  # fmt: skip
    expect(page.locator("virtio-viz")).to_have_attribute("theme", "light")
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="keyboard help")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="keyboard help")).to_have_count(0)
    sizes = page.evaluate(
        "(() => { const v = document.querySelector('virtio-viz');"
        " return [document.documentElement.scrollWidth, v.scrollWidth, v.clientWidth]; })()"
    )
    assert sizes[0] <= 360 and sizes[1] <= sizes[2], sizes  # nothing wider than the phone
    for width in (360, 1000, 1440):  # the diagram's buttons never cover its legend
        page.set_viewport_size({"width": width, "height": 800})
        legend = page.locator("vv-diagram .legend").bounding_box()
        buttons = page.locator("vv-diagram .save").bounding_box()
        assert legend is not None and buttons is not None
        apart = (buttons["x"] >= legend["x"] + legend["width"]
                 or buttons["y"] >= legend["y"] + legend["height"])  # fmt: skip
        assert apart, (width, legend, buttons)


@pytest.mark.parametrize(
    ("scenario", "kind", "words"),
    [("vhost-user", "gpa_translate", "guest-physical"), ("vdpa", "iommu_translate", "IOVA")],
)
def test_address_translations_show_where_they_happen(
    page: Page, server_url: str, scenario: str, kind: str, words: str
) -> None:
    told = trace(server_url, scenario)
    step = next(f["index"] for f in told["steps"] if f["event"]["kind"] == kind)
    page.goto(f"{server_url}/?scenario={scenario}&step={step + 1}&open=addresses")
    values = told["steps"][step]["event"]["values"]
    target = values.get("backend_addr", values.get("hpa"))
    lookup = page.get_by_role("status", name="this step's translation")
    expect(lookup).to_contain_text(words)
    expect(lookup).to_contain_text(hex(int(target, 16) if isinstance(target, str) else target))
    box = told["steps"][step]["box"]
    expect(page.locator(f'vv-diagram g[data-box="{box}"].active')).to_have_count(1)
    if kind == "gpa_translate":  # the back-end's own mapping of the region, beside QEMU's
        table = page.locator("vv-address-map table")
        expect(table.locator("thead")).to_contain_text("back-end virtual")
        own = int(values["backend_addr"]) - int(values["offset"])
        expect(table.locator("tr.hit")).to_contain_text(hex(own))


def test_a_transmitted_frame_is_shown_decoded(page: Page, server_url: str) -> None:
    told = trace(server_url, "qemu-emulated")
    step = next(f["index"] for f in told["steps"] if f["event"]["kind"] == "net_tx_frame")
    page.goto(f"{server_url}/?scenario=qemu-emulated&step={step + 1}")
    decoded = page.locator("vv-narration .decoded")
    expect(decoded).to_contain_text("Frame: Ethernet / ARP")
    expect(decoded).to_contain_text("psrc=10.0.2.15")
