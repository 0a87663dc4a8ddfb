"""The stage is legible where it is used, measured in Chromium (geometry, not pixels).

For every scenario at a phone (390 px), a blog column (the /embed page, 700 px), a laptop
(1440x900) and a projector (1920x1080, theme=projector), at every chapter's first step and
at the first step of every distinct path the story draws: no diagram text below 11 px (20
px on the projector), no name over another name or a box's text, no wire through a box it
does not connect, no name on a wire it does not name or across a box, the step's box in
view, and on the laptop and the projector the active queue's rings in view; and the shipped
real recordings at each chapter's first step. One page per size.

Each scenario's picture at each size is saved as a JPEG in tests/e2e/artifacts/stage/, or
in $VIRTIO_VIZ_SCREENSHOTS (scripts/screenshots writes docs/screenshots/ that way).
"""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from benchmarks.stage_geometry import (
    SIZES,
    measure,
    open_stage,
    scenario_trace,
    show_step,
    stage_url,
    steps_to_check,
)
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import ARTIFACTS, Console
from tests.e2e.test_visualizer import trace
from virtio_viz.scenarios.stories import STORIES


def pictured_step(told: dict[str, Any]) -> int:
    """The step a screenshot shows: the device taking the first buffer of a request."""
    kinds = ("chain_pop", "desc_read")
    found = (int(f["index"]) for f in told["steps"] if f["event"]["kind"] in kinds)
    return next(found, int(told["step_count"]) - 1)


def problems(found: dict[str, Any], size: str) -> list[str]:
    smallest = 20 if size == "projector" else 11
    kinds = ("overlaps", "crossings", "on_wires", "on_boxes")
    out = [f"{kind}: {found[kind]}" for kind in kinds if found[kind]]
    if found["smallest"] < smallest - 0.01:
        out.append(f"text of {found['smallest']:.1f} px")
    if found["active"] is False:
        out.append("the step's box is out of view")
    if found["rings"] is False and size in ("laptop", "projector"):
        out.append("the rings are out of view")
    return out


@pytest.mark.parametrize("size", list(SIZES))
def test_the_stage_is_legible_at_every_size(browser: Browser, server_url: str, size: str) -> None:
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.emulate_media(reduced_motion="reduce")  # the same places, reached without waiting
    console = Console()
    page.on("console", console)
    shots = Path(os.environ.get("VIRTIO_VIZ_SCREENSHOTS") or ARTIFACTS / "stage")
    shots.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    for scenario in sorted(STORIES):
        told = trace(server_url, scenario)
        open_stage(page, stage_url(server_url, size, scenario_trace(scenario)))
        for step in steps_to_check(told):
            show_step(page, step)
            failures += [f"{scenario} step {step + 1}: {p}" for p in problems(measure(page), size)]
        show_step(page, pictured_step(told))
        page.screenshot(path=str(shots / f"{scenario}-{size}.jpg"), type="jpeg", quality=60)
    for recording in ("qemu-split", "qemu-packed"):  # the shipped recordings, by chapter
        src = f"/api/recordings/{recording}/trace"
        with urllib.request.urlopen(server_url + src) as reply:
            chapters = json.load(reply)["chapters"]
        open_stage(page, stage_url(server_url, size, src))
        for chapter in chapters:
            show_step(page, chapter["first_step"])
            failures += [f"{recording} step {chapter['first_step'] + 1}: {p}"
                         for p in problems(measure(page), size)]  # fmt: skip
    context.close()
    assert console.errors == [], console.errors
    assert failures == [], "\n".join(failures)


RING_ANIMATIONS = """() => {
  const page = document.querySelector('virtio-viz').shadowRoot;
  const rings = page.querySelector('vv-rings').shadowRoot;
  return rings.getAnimations().map((a) => ({
    delay: a.effect.getTiming().delay, target: a.effect.target.className || a.effect.target.tagName,
    mark: a.effect.target.dataset?.mark ?? null }));
}"""
TOKEN_MS = """() => {
  const d = document.querySelector('virtio-viz').shadowRoot.querySelector('vv-diagram').shadowRoot;
  const motion = d.querySelector('animateMotion');
  return motion ? parseFloat(motion.getAttribute('dur')) : null;
}"""


def test_ring_changes_move_in_step_with_the_token(page: Page, server_url: str) -> None:
    told = trace(server_url, "qemu-emulated")
    written = next(f["index"] for f in told["steps"] if f["event"]["kind"] == "used_elem_write")
    page.goto(f"{server_url}/?scenario=qemu-emulated&step={written}")  # the step before it
    expect(page.locator("vv-narration .text")).to_have_text(told["steps"][written - 1]["narration"])
    page.keyboard.press("ArrowRight")  # the device writes a used element
    expect(page.locator("vv-narration .text")).to_have_text(told["steps"][written]["narration"])
    # The narration can change a frame before the diagram draws the step's token: wait for
    # the token and the ring's animations together, then read both from that same moment.
    both = page.wait_for_function(
        f"() => {{ const token = ({TOKEN_MS})(), moving = ({RING_ANIMATIONS})();"
        " return token && moving.length ? {token, moving} : null; }"
    ).json_value()
    token, moving = both["token"], both["moving"]
    assert any("ghost" in m["target"] for m in moving)  # the used element travels back
    assert all(0.4 * token <= m["delay"] <= token for m in moving)  # once the token arrives
    page.keyboard.press("ArrowRight")  # used.idx moves on: its mark slides to the next slot
    expect(page.locator("vv-narration .text")).to_have_text(told["steps"][written + 1]["narration"])
    assert "used-idx" in {m["mark"] for m in page.evaluate(RING_ANIMATIONS)}


def test_under_reduced_motion_ring_changes_are_instant(page: Page, server_url: str) -> None:
    page.emulate_media(reduced_motion="reduce")
    told = trace(server_url, "qemu-emulated")
    written = next(f["index"] for f in told["steps"] if f["event"]["kind"] == "used_elem_write")
    page.goto(f"{server_url}/?scenario=qemu-emulated&step={written}")
    expect(page.locator("vv-narration .text")).to_have_text(told["steps"][written - 1]["narration"])
    page.keyboard.press("ArrowRight")
    expect(page.locator("vv-narration .text")).to_have_text(told["steps"][written]["narration"])
    expect(page.locator("vv-rings td.u.changed").first).to_be_visible()
    assert page.evaluate(RING_ANIMATIONS) == []
    assert page.evaluate(TOKEN_MS) is None  # the token rests at the end of its route


def test_a_projector_clicker_steps_the_stage(page: Page, server_url: str) -> None:
    page.set_viewport_size({"width": 1920, "height": 1080})
    told = trace(server_url, "vhost-net")
    page.goto(f"{server_url}/?scenario=vhost-net&step=40&theme=projector")
    expect(page.locator("vv-narration .text")).to_have_text(told["steps"][39]["narration"])
    expect(page.locator("virtio-viz")).to_have_attribute("place", "wide")
    page.keyboard.press("PageDown")
    expect(page.locator("vv-narration .text")).to_have_text(told["steps"][40]["narration"])
    page.keyboard.press("PageUp")
    page.keyboard.press("PageUp")
    expect(page.locator("vv-narration .text")).to_have_text(told["steps"][38]["narration"])
