"""Every page passes axe-core (0 violations of any impact: WCAG 2.1 A and AA and axe's best
practices) in the light, dark and projector themes, at 390, 700, 1440 and 1920 px.

A view is a line of VIEWS: a path, and what to do once it shows (open a dialog, present
to a room, follow one). One browser page per size; each view is opened once and looked at
in each theme, switched in place. The dark theme differs from the light one in colours
only, so only axe's colour rules run again for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.axe import COLOUR_RULES, AxeClean
from tests.e2e.conftest import Console

SIZES = {"390": (390, 844), "700": (700, 900), "1440": (1440, 900), "1920": (1920, 1080)}
THEMES = ("light", "dark", "projector")
LECTURE = "/?scenario=qemu-emulated&step=5&open=lecture"
PANELS = "device,try,memory,log,addresses,lecture,host"


def present(page: Page) -> str:
    """Open a room from `page` (showing LECTURE); the room's join link."""
    page.get_by_role("button", name="present to a room").click()
    link = page.locator("vv-lecture a")
    expect(link).to_have_attribute("href", re.compile(r"\?room=[A-Z2-9]{6}$"))
    href = link.get_attribute("href")
    assert href is not None
    return href


def follow(page: Page) -> None:
    presenter = page.context.new_page()  # stays open while the follower is looked at
    presenter.goto(page.url)
    page.goto(present(presenter))
    expect(page.locator("header")).to_contain_text("following the presenter")


@dataclass(frozen=True)
class View:
    name: str
    path: str
    then: Callable[[Page], object] | None = None


VIEWS = [
    View("app", "/?scenario=vhost-net&step=246"),
    View("every panel", f"/?scenario=vdpa&step=200&open={PANELS}"),
    View("embed", "/embed?scenario=vhost-net&step=246"),
    View("ring lab", "/?scenario=ring-lab&step=5"),
    View("recording", "/?src=/api/recordings/qemu-split/trace&step=40&open=compare"),
    View("help dialog", "/?scenario=vhost-net&step=10", lambda p: p.keyboard.press("?")),
    View("share dialog", "/?scenario=vhost-net&step=10",
         lambda p: p.get_by_role("button", name="share or embed").click()),
    View("quiz", "/?scenario=qemu-emulated&quiz=1"),
    View("presenter", LECTURE, present),
    View("follower", LECTURE, follow),
]  # fmt: skip


def settled(page: Page) -> None:
    """Wait until the element has drawn its current state, wires included."""
    page.wait_for_function(
        """async () => {
          const viz = document.querySelector('virtio-viz');
          await viz.updateComplete;
          const diagram = viz.shadowRoot.querySelector('vv-diagram');
          if (diagram) await diagram.updateComplete;
          await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
          return !diagram || diagram.shadowRoot.querySelector('svg path.wire') !== null;
        }"""
    )


def in_theme(page: Page, theme: str) -> None:
    page.evaluate("(t) => { document.querySelector('virtio-viz').theme = t; }", theme)
    settled(page)


@pytest.mark.parametrize("size", list(SIZES))
def test_every_page_is_axe_clean_in_every_theme(
    browser: Browser, server_url: str, axe_clean: AxeClean, size: str
) -> None:
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.emulate_media(reduced_motion="reduce")  # colours settled, not half-way through a fade
    console = Console()
    page.on("console", console)
    for view in VIEWS:
        page.goto(f"{server_url}{view.path}&theme=light")
        expect(page.locator("vv-narration .text")).not_to_be_empty(timeout=30_000)  # a busy CI
        if view.then:
            view.then(page)
        for theme in THEMES:
            in_theme(page, theme)
            rules = COLOUR_RULES if theme == "dark" else None
            axe_clean.check(page, f"{view.name} at {size} px, {theme}", rules)
    context.close()
    assert console.errors == [], console.errors
