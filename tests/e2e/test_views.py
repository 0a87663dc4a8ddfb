"""The views show what the trace says, byte for byte, and point at each other: the diagram
lights the step's box and hops, the ring views decode the bytes of guest memory, and the
ring views and the hex view highlight the same structure."""

from __future__ import annotations

import json
import re
import urllib.request
from functools import cache
from typing import Any

from playwright.sync_api import Page, expect

from virtio_viz.timeline.delta import apply


@cache
def trace(server_url: str, scenario: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{server_url}/api/scenarios/{scenario}/trace") as reply:
        loaded: dict[str, Any] = json.load(reply)
        return loaded


def state_at(told: dict[str, Any], step: int) -> tuple[dict[str, Any], dict[int, int]]:
    """The state and guest memory after `step`, rebuilt the way docs/trace-format.md says."""
    base = max((k for k in told["keyframes"] if k["step"] <= step), key=lambda k: k["step"])
    state = json.loads(json.dumps(base["state"]))
    memory: dict[int, int] = {}

    def write(runs: list[dict[str, Any]]) -> None:
        for run in runs:
            for i, byte in enumerate(bytes.fromhex(run["hex"])):
                memory[run["addr"] + i] = byte

    write(base["memory"])
    for frame in told["steps"][base["step"] + 1 : step + 1]:
        apply(state, frame["changes"])
        write(frame["memory"])
    return state, memory


def u16(memory: dict[int, int], addr: int) -> int:
    return memory.get(addr, 0) | memory.get(addr + 1, 0) << 8


def u32(memory: dict[int, int], addr: int) -> int:
    return u16(memory, addr) | u16(memory, addr + 2) << 16


def first_step(told: dict[str, Any], chapter: str, kind: str) -> int:
    found = next(c for c in told["chapters"] if c["id"] == chapter)
    span = range(found["first_step"], found["first_step"] + found["step_count"])
    return next(i for i in span if told["steps"][i]["event"]["kind"] == kind)


def test_the_diagram_lights_the_steps_box_and_its_hops(page: Page, server_url: str) -> None:
    told = trace(server_url, "qemu-emulated")
    step = next(i for i, f in enumerate(told["steps"]) if len(f["hops"]) >= 2)
    frame = told["steps"][step]
    page.goto(f"{server_url}/?scenario=qemu-emulated&step={step + 1}")
    expect(page.locator("vv-diagram g.box.active")).to_have_attribute("data-box", frame["box"])
    lit = page.locator("vv-diagram path.route")
    expect(lit).to_have_count(len(frame["hops"]))
    assert lit.evaluate_all("paths => paths.map(p => p.dataset.wire)") == frame["hops"]


def test_the_split_ring_shows_the_bytes_of_guest_memory(page: Page, server_url: str) -> None:
    told = trace(server_url, "qemu-emulated")
    step = first_step(told, "transmit", "avail_idx_publish")
    state, memory = state_at(told, step)
    queue_index = told["steps"][step]["event"]["queue"]
    queue = next(q for q in state["queues"] if q["index"] == queue_index)
    areas = {a["name"]: a["addr"] for a in queue["areas"]}
    page.goto(f"{server_url}/?scenario=qemu-emulated&step={step + 1}")
    expect(page.locator("vv-rings .tabs button[aria-pressed=true]")).to_contain_text(queue["name"])
    chip = page.locator("vv-rings .chip", has_text="avail.idx")
    expect(chip).to_have_text(f"avail.idx {u16(memory, areas['avail'] + 2)}")
    expect(chip).to_have_class(re.compile(r"\bchanged\b"))
    head = u16(memory, areas["avail"] + 4)
    row = page.locator(
        f"vv-rings table[aria-label='Descriptor table'] tbody tr[data-index='{head}']"
    )
    expect(row.locator("td").nth(1)).to_have_text(str(u32(memory, areas["desc"] + 16 * head + 8)))
    expect(row).to_have_class(re.compile(r"\bflight\b"))


def test_a_step_that_names_no_queue_keeps_the_queue_the_story_acted_on(
    page: Page, server_url: str
) -> None:
    told = trace(server_url, "qemu-emulated")
    steps = told["steps"]
    named = [step["event"]["queue"] for step in steps]
    candidates = (i for i in range(1, len(steps)) if named[i] is None and named[i - 1] == 1)
    step, queue = next((i, q) for i in candidates for q in state_at(told, i - 1)[0]["queues"]
                       if q["index"] == 1 and q["areas"])  # fmt: skip  # its rings are set up
    name = queue["name"]
    page.goto(f"{server_url}/?scenario=qemu-emulated&step={step}")  # the step before: queue 1
    pressed = page.locator("vv-rings .tabs button[aria-pressed=true]")
    expect(pressed).to_contain_text(name)
    page.keyboard.press("ArrowRight")
    expect(page.locator("vv-narration .text")).to_have_text(steps[step]["narration"])
    expect(pressed).to_contain_text(name)


def test_hovering_a_descriptor_highlights_its_bytes_and_back(page: Page, server_url: str) -> None:
    told = trace(server_url, "qemu-emulated")
    step = first_step(told, "transmit", "avail_idx_publish")
    page.goto(f"{server_url}/?scenario=qemu-emulated&step={step + 1}&open=memory")
    page.locator("vv-rings tbody tr[data-index='2'] td.d").first.hover()
    expect(page.locator("vv-hex .b.f")).to_have_count(16)
    expect(page.locator("vv-hex .fields")).to_contain_text("descriptor 2")
    expect(page.locator("vv-hex .fields")).to_contain_text("next")
    # And the other way: a byte of the available ring focuses that entry in the ring view.
    state, _ = state_at(told, step)
    queue = next(q for q in state["queues"] if q["index"] == told["steps"][step]["event"]["queue"])
    avail = next(a for a in queue["areas"] if a["name"] == "avail")
    page.locator("vv-hex select").select_option(f"{queue['index']}:avail")
    page.locator(f"vv-hex .b[data-addr='{avail['addr'] + 6}']").hover()
    focused = page.locator("vv-rings td.a.focus")  # avail.ring[1], in the row of slot 1
    expect(focused).to_have_count(1)
    expect(focused.locator("xpath=..")).to_have_attribute("data-index", "1")


def test_a_packed_ring_shows_its_descriptors_and_wrap_counters(page: Page, server_url: str) -> None:
    page.goto(f"{server_url}/?scenario=qemu-emulated&ring=packed&step=240")
    expect(page.locator("vv-rings table[aria-label='Packed descriptor ring']")).to_have_count(1)
    expect(page.locator("vv-rings .chip", has_text="driver avail wrap")).to_have_count(1)
    expect(page.locator("vv-rings .chip", has_text="device event")).to_contain_text("ENABLE")


def test_features_are_named_and_an_unknown_scenario_says_so(page: Page, server_url: str) -> None:
    told = trace(server_url, "qemu-emulated")
    features = next(c for c in told["chapters"] if c["id"] == "features")
    after = features["first_step"] + features["step_count"]
    page.goto(f"{server_url}/?scenario=qemu-emulated&step={after}")
    names = {n["bit"]: n["name"] for n in told["feature_names"]}
    expect(page.locator("vv-features tbody tr", has_text=names[32])).to_have_count(1)  # VERSION_1
    page.goto(f"{server_url}/?scenario=no-such-story")
    expect(page.locator("virtio-viz [role=alert]")).to_contain_text("Could not open")


def test_keyboard_only_reading_of_the_descriptors(page: Page, server_url: str) -> None:
    told = trace(server_url, "qemu-emulated")
    step = first_step(told, "transmit", "avail_idx_publish")
    page.goto(f"{server_url}/?scenario=qemu-emulated&step={step + 1}&open=memory")
    table = page.get_by_label("Descriptor table, arrow keys move between descriptors")
    table.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.locator("vv-rings tr.focus")).to_have_attribute("data-index", "1")
    expect(page.locator("vv-hex .fields")).to_contain_text("descriptor 1")
    page.keyboard.press("ArrowRight")  # the timeline keys still work from there
    expect(page.locator("vv-timeline .count")).to_contain_text(f"{step + 2} /")


def test_reduced_motion_puts_the_token_at_the_end_of_its_route(page: Page, server_url: str) -> None:
    page.emulate_media(reduced_motion="reduce")
    told = trace(server_url, "qemu-emulated")
    step = next(i for i, f in enumerate(told["steps"]) if f["hops"])
    page.goto(f"{server_url}/?scenario=qemu-emulated&step={step + 1}")
    expect(page.locator("vv-diagram circle.token")).to_have_count(1)
    expect(page.locator("vv-diagram animateMotion")).to_have_count(0)


def test_the_chosen_theme_is_part_of_the_permalink(page: Page, server_url: str) -> None:
    page.emulate_media(color_scheme="dark")
    page.goto(f"{server_url}/?scenario=qemu-emulated&step=5")
    expect(page.locator("virtio-viz")).to_have_attribute("theme", "dark")
    page.get_by_role("button", name="light theme").click()
    expect(page.locator("virtio-viz")).to_have_attribute("theme", "light")
    assert re.search(r"[?&]theme=light\b", page.url)
    page.reload()
    expect(page.locator("virtio-viz")).to_have_attribute("theme", "light")
    expect(page.locator("vv-timeline .count")).to_contain_text("5 /")
