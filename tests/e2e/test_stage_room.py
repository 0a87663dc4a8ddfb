"""The stage keeps its room when panels are used, measured in Chromium (geometry, not
pixels): on a phone the quiz's question is on screen when it opens, every panel toggle is
whole and reachable and nothing scrolls sideways; on a laptop and a projector a panel open
in the dock leaves the diagram whole (no panning), at its legible type sizes.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

import pytest
from benchmarks.stage_geometry import SIZES, measure, open_stage, scenario_trace, stage_url
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.test_visualizer import trace
from virtio_viz.scenarios.stories import STORIES

PHONE = SIZES["phone"]

# The part of the window a reader sees: above the sticky timeline bar.
SEEN = """() => {
  const bar = document.querySelector('virtio-viz').shadowRoot.querySelector('footer.bar');
  return { width: innerWidth, bottom: bar ? bar.getBoundingClientRect().top : innerHeight };
}"""


def phone_page(browser: Browser) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport={"width": PHONE[0], "height": PHONE[1]})
    page = context.new_page()
    page.emulate_media(reduced_motion="reduce")
    return context, page


def assert_on_screen(page: Page, part: Locator, what: str) -> None:
    seen: dict[str, float] = page.evaluate(SEEN)
    box = part.bounding_box()
    assert box is not None, f"{what} is not drawn"
    assert box["x"] >= 0 and box["x"] + box["width"] <= seen["width"] + 0.5, (what, box, seen)
    assert box["y"] >= 0 and box["y"] + box["height"] <= seen["bottom"] + 0.5, (what, box, seen)


def assert_question_on_screen(page: Page, question: dict[str, Any]) -> None:
    card = page.locator("vv-quiz")
    expect(card.locator(".prompt")).to_have_text(question["prompt"])
    assert_on_screen(page, card.locator(".prompt"), "the question")
    for choice in card.locator(".options button").all():  # every answer can be tapped
        assert_on_screen(page, choice, f"the answer {choice.inner_text()!r}")


def test_on_a_phone_the_quiz_question_is_on_screen_when_it_opens(
    browser: Browser, server_url: str
) -> None:
    told = trace(server_url, "qemu-emulated")
    first, second = told["questions"][:2]
    context, page = phone_page(browser)
    page.goto(f"{server_url}/?scenario=qemu-emulated&quiz=1")  # quiz mode
    assert_question_on_screen(page, first)
    page.locator("vv-quiz .options button").first.click()  # answered: on to the next one
    page.get_by_role("button", name="next question →").click()
    assert_question_on_screen(page, second)
    page.goto(f"{server_url}/?scenario=qemu-emulated&step={first['step']}")  # 1-based: before it
    before = told["steps"][first["step"] - 1]["narration"]
    expect(page.locator("vv-narration .text")).to_have_text(before)
    page.keyboard.press("q")  # the quiz panel, from the keyboard
    assert_question_on_screen(page, first)
    context.close()


TOGGLES = """() => {
  const root = document.querySelector('virtio-viz').shadowRoot;
  const nav = root.querySelector('nav.toggles');
  return { nav: [nav.scrollWidth, nav.clientWidth],
    buttons: [...nav.querySelectorAll('button')].map((b) => {
      const r = b.getBoundingClientRect();
      return { name: b.textContent.trim(), left: r.left, right: r.right, width: r.width,
        height: r.height, cut: b.scrollWidth > b.clientWidth + 0.5 };
    }) };
}"""
SIDEWAYS = """() => {
  const host = document.querySelector('virtio-viz');
  return { page: [document.documentElement.scrollWidth, innerWidth],
    element: [host.scrollWidth, host.clientWidth] };
}"""


def assert_nothing_scrolls_sideways(page: Page) -> None:
    found: dict[str, list[float]] = page.evaluate(SIDEWAYS)
    assert found["page"][0] <= found["page"][1], found
    assert found["element"][0] <= found["element"][1], found


def test_on_a_phone_every_panel_toggle_is_whole_and_can_be_tapped(
    browser: Browser, server_url: str
) -> None:
    context, page = phone_page(browser)
    page.goto(f"{server_url}/?scenario=qemu-emulated&step=40")
    expect(page.locator("nav.toggles button", has_text="Run it yourself")).to_be_visible()
    found: dict[str, Any] = page.evaluate(TOGGLES)
    names = [b["name"] for b in found["buttons"]]
    assert {"Device", "Memory", "Log", "Lecture", "Quiz", "Run it yourself"} <= set(names), names
    assert found["nav"][0] <= found["nav"][1], found["nav"]  # the row does not scroll
    for button in found["buttons"]:
        assert button["left"] >= 0 and button["right"] <= PHONE[0], button  # on the screen
        assert button["width"] >= 24 and button["height"] >= 24, button  # WCAG 2.5.8
        assert not button["cut"], button
    heights = {round(b["height"]) for b in found["buttons"]}
    assert len(heights) == 1, found["buttons"]  # no name broken over two lines
    assert_nothing_scrolls_sideways(page)
    page.locator("nav.toggles button", has_text="Run it yourself").click()  # reachable: it opens
    expect(page.get_by_role("region", name="Run it yourself")).to_be_visible()
    assert_nothing_scrolls_sideways(page)
    context.close()


def test_a_blog_column_does_not_scroll_sideways(browser: Browser, server_url: str) -> None:
    context = browser.new_context(viewport={"width": SIZES["blog"][0], "height": SIZES["blog"][1]})
    page = context.new_page()
    for scenario in ("vhost-user", "vdpa"):
        open_stage(page, stage_url(server_url, "blog", scenario_trace(scenario)))
        assert_nothing_scrolls_sideways(page)
    context.close()


DIAGRAM_VIEW = """() => {
  const view = document.querySelector('virtio-viz').shadowRoot.querySelector('vv-diagram')
    .shadowRoot.querySelector('.viewport');
  return [view.scrollWidth, view.clientWidth, view.scrollHeight, view.clientHeight];
}"""


@pytest.mark.parametrize("size", ["laptop", "projector"])
def test_with_a_panel_open_the_diagram_is_shown_whole(
    browser: Browser, server_url: str, size: str
) -> None:
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.emulate_media(reduced_motion="reduce")
    view = f"({DIAGRAM_VIEW})()"
    whole = f"() => {{ const [w, a, t, d] = {view}; return a && w <= a + 1 && t <= d + 1; }}"
    smallest = 20 if size == "projector" else 11
    failures: list[str] = []
    for n, scenario in enumerate(sorted(STORIES)):
        panel = ("log", "memory")[n % 2]  # wide panels; the dock's width is the same for all
        open_stage(
            page, stage_url(server_url, size, scenario_trace(scenario)) + f"&step=40&open={panel}"
        )
        expect(page.get_by_role("region", name="open panels")).to_be_visible()
        with suppress(PlaywrightTimeout):  # the diagram is laid out again for its new column
            page.wait_for_function(whole, timeout=5000)
        wide, across, tall, down = page.evaluate(DIAGRAM_VIEW)
        found, where = measure(page), f"{scenario} with {panel}"
        if wide > across + 1 or tall > down + 1:
            failures.append(f"{where}: pans, {wide}x{tall} in {across}x{down}")
        if found["smallest"] < smallest - 0.01:
            failures.append(f"{where}: text of {found['smallest']:.1f} px")
        if found["rings"] is False:
            failures.append(f"{where}: the rings are out of view")
    context.close()
    assert failures == [], "\n".join(failures)
