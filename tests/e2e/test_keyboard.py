"""Keyboard only: a chapter told step by step to a screen reader, the dialogs that keep the
focus and give it back, every action reachable with Tab and Enter, a focus ring in every
theme. No mouse in any of these tests."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.test_visualizer import trace

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "scenarios"

# The element that has the focus (inside shadow roots): its name, its outline, its dialog.
FOCUSED = """() => {
  let el = document.activeElement;
  while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
  if (!el || el === document.body) return null;
  let dialog = null;
  for (let n = el; n && !dialog; n = n.parentNode || n.host) {
    if (n.getAttribute?.('role') === 'dialog') dialog = n.getAttribute('aria-label');
  }
  const s = getComputedStyle(el), box = el.getBoundingClientRect();
  const name = (el.getAttribute('aria-label') || el.textContent || '').trim().replace(/\\s+/g, ' ');
  return { tag: el.tagName, name: name.slice(0, 80),
    outline: s.outlineStyle, width: parseFloat(s.outlineWidth), colour: s.outlineColor, dialog,
    shown: box.width > 0 && box.height > 0 };
}"""

# Every text the live region says, in order (installed once the page shows a step).
LISTEN = """() => {
  const region = document.querySelector('virtio-viz').shadowRoot.querySelector('[data-announcer]');
  window.__said = [];
  new MutationObserver(() => {
    const text = region.textContent.trim();
    if (text && text !== window.__said[window.__said.length - 1]) window.__said.push(text);
  }).observe(region, { childList: true, characterData: true, subtree: true });
}"""


def said_for(frame: dict[str, Any], total: int) -> str:
    """What the page should say at a step: where it is, its caption, a MUST it breaks."""
    event = frame["event"]
    broken = (
        f" This breaks a MUST of the virtio spec, N{event['rule']}: {event['requirement']}"
        if event["rule"] is not None
        else ""
    )
    return f"Step {frame['index'] + 1} of {total}. {frame['narration']}{broken}"


def focused(page: Page) -> dict[str, Any] | None:
    found: dict[str, Any] | None = page.evaluate(FOCUSED)
    return found


def tab_to(page: Page, name: str, limit: int = 80) -> list[dict[str, Any]]:
    """Press Tab until the control named `name` has the focus; every control passed."""
    passed = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if now is not None:
            passed.append(now)
            if now["name"] == name:
                return passed
    raise AssertionError(f"{name!r} not reached by Tab; passed {[p['name'] for p in passed]}")


def test_a_chapter_by_keyboard_is_said_once_per_step(page: Page, server_url: str) -> None:
    told = trace(server_url, "vhost-net")
    total, chapter = (
        told["step_count"],
        told["chapters"][7],
    )  # transmit: a kick, a frame, an interrupt
    first, count = chapter["first_step"], chapter["step_count"]
    page.goto(f"{server_url}/?scenario=vhost-net")
    expect(page.locator("vv-narration .text")).to_have_text(told["steps"][0]["narration"])
    live = page.locator("[data-announcer]")
    expect(live).to_have_text(said_for(told["steps"][0], total))
    page.evaluate(LISTEN)
    for passed in told["chapters"][1:8]:  # to the chapter by its key
        page.keyboard.press("]")
        expect(page.locator("vv-timeline .count")).to_have_text(
            f"{passed['first_step'] + 1} / {total}"
        )
    expect(live).to_have_text(said_for(told["steps"][first], total))
    for step in range(first + 1, first + count):
        page.keyboard.press("ArrowRight")
        frame = told["steps"][step]
        expect(live).to_have_text(said_for(frame, total))
        if frame["route"] == "kick":  # the diagram's text alternative tells the path
            expect(
                page.get_by_role("img", name=re.compile("Architecture diagram"))
            ).to_have_attribute(
                "aria-label",
                re.compile(
                    r"This step: kick \(notification\): virtio-net driver → KVM → vhost-net;"
                ),
            )
    said: list[str] = page.evaluate("() => window.__said")
    start = said.index(said_for(told["steps"][first], total))
    chapter_starts = {said_for(told["steps"][c["first_step"]], total) for c in told["chapters"]}
    assert set(said[:start]) <= chapter_starts, said[:start]  # keys held down: only where it rested
    assert said[start:] == [said_for(told["steps"][s], total) for s in range(first, first + count)]

    page.evaluate("() => { window.__said = []; }")  # playing says no step, then where it stopped
    page.keyboard.press(" ")
    page.wait_for_function(
        f"() => document.querySelector('virtio-viz').store.step >= {first + count + 1}"
    )
    page.keyboard.press(" ")
    stopped = int(page.locator("vv-timeline .count").inner_text().split(" /")[0]) - 1
    expect(live).to_have_text(said_for(told["steps"][stopped], total))
    page.wait_for_timeout(500)  # nothing more comes
    said = page.evaluate("() => window.__said")
    titles = {f"Chapter {c['title']}." for c in told["chapters"]}
    assert said[-1] == said_for(told["steps"][stopped], total)
    assert set(said[:-1]) <= titles, said


def test_the_dialogs_keep_the_focus_and_give_it_back(page: Page, server_url: str) -> None:
    page.goto(f"{server_url}/?scenario=vhost-net&step=246")
    expect(page.locator("vv-narration .text")).not_to_be_empty()
    for opener, dialog in (
        ("share or embed", "share or embed"),
        ("keyboard help", "keyboard help"),
    ):
        tab_to(page, opener)
        page.keyboard.press("Enter")
        expect(page.get_by_role("dialog", name=dialog)).to_be_visible()
        page.wait_for_function(
            f"(name) => ({FOCUSED})()?.dialog === name", arg=dialog
        )  # focus moved in
        names = set()
        for key in ["Tab"] * 25 + ["Shift+Tab"] * 5:
            page.keyboard.press(key)
            now = focused(page)
            assert now is not None and now["dialog"] == dialog, (key, now)
            names.add(now["name"])
        assert len(names) > 1 if dialog == "share or embed" else names == {"close"}
        page.keyboard.press("Escape")
        expect(page.get_by_role("dialog")).to_have_count(0)
        back = focused(page)
        assert back is not None and back["name"] == opener, back


def test_every_action_works_from_the_keyboard(page: Page, server_url: str) -> None:
    # Playwright turns on Chromium's file-chooser interception when the first listener is added,
    # without waiting for the browser to confirm; a listener added only around the key press
    # races it (about half the runs saw no chooser). Listening from the start closes the race.
    page.on("filechooser", lambda _chooser: None)
    page.goto(f"{server_url}/?scenario=qemu-emulated&step=200")
    plain = trace(server_url, "qemu-emulated")["step_count"]
    expect(page.locator("vv-timeline .count")).to_have_text(f"200 / {plain}")
    page.keyboard.press("t")  # try it: send a frame
    tab_to(page, "send a frame")
    page.keyboard.press("Enter")
    expect(page.locator("vv-narration .chapter strong")).to_have_text("Your action: send a frame")
    tab_to(page, "save this step as SVG")  # export
    with page.expect_download() as saved:
        page.keyboard.press("Enter")
    assert saved.value.suggested_filename.endswith(".svg")
    page.keyboard.press("p")  # a room
    tab_to(page, "present to a room")
    page.keyboard.press("Enter")
    expect(page.locator("vv-lecture a")).to_have_attribute(
        "href", re.compile(r"\?room=[A-Z2-9]{6}$")
    )
    tab_to(page, "open file")  # what a drop does, without dragging
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Enter")
    chooser.value.set_files(EXAMPLES / "ring-lab-wraparound.yaml")
    expect(page.locator("header .title")).to_have_text("Crossing 65535")


def test_the_focus_ring_is_visible_in_every_theme(page: Page, server_url: str) -> None:
    for theme in ("light", "dark", "projector"):
        page.goto(f"{server_url}/?scenario=vhost-net&step=246&open=device,log,memory&theme={theme}")
        expect(page.locator("vv-narration .text")).not_to_be_empty()
        panel = page.evaluate(
            "() => getComputedStyle(document.querySelector('virtio-viz'))"
            ".getPropertyValue('--vv-panel')"
        )
        passed = []
        for _ in range(45):
            page.keyboard.press("Tab")
            passed.append(focused(page))
        assert len({p["name"] for p in passed if p}) > 20, passed  # the page's controls, in turn
        for now in passed:
            assert now is not None and now["shown"], (theme, now)
            assert now["outline"] == "solid" and now["width"] >= 2, (theme, now)
            assert contrast_of(now["colour"], panel) >= 3, (theme, now, panel)


def channels(colour: str) -> tuple[float, float, float]:
    """rgb(r, g, b) or #rrggbb as 0..1 channels."""
    colour = colour.strip()
    if colour.startswith("#"):
        return tuple(int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))  # type: ignore[return-value]
    r, g, b = (float(v) / 255 for v in re.findall(r"[\d.]+", colour)[:3])
    return r, g, b


def luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG 2.1's relative luminance of an sRGB colour."""
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast_of(a: str, b: str) -> float:
    hi, lo = sorted((luminance(channels(a)), luminance(channels(b))), reverse=True)
    return (hi + 0.05) / (lo + 0.05)
