"""The stage's legibility, measured in Chromium on the page as drawn (not pixel diffs).

`MEASURE` (stage_geometry.js) runs in the page and reads the live DOM of `<virtio-viz>`:

* smallest    the smallest diagram text in CSS px (font size times the SVG's screen scale)
* overlaps    a wire's name over another name or over a box's text, or two box texts
              over each other (pairs, by glyph boxes from getBBox)
* crossings   a wire through a box it does not connect: the box is not one of its ends,
              an ancestor or descendant of an end, or a root band (host user space, ...)
* on_wires    a wire's name lying on another wire's path
* on_boxes    a wire's name across a box's border, or on a component, memory or hardware box
* active      the step's box fully inside the window, above the sticky timeline bar and
              inside the diagram's own view (not scrolled away), or, when the box is larger
              than the view, filling it; null if no box is lit
* rings       the active queue's rings (their panel and the index chips) inside the
              window; null when the stage shows the device instead

The browser tests assert on these for every scenario at 390, 700, 1440 and 1920 px;
`benchmarks/frontend_speed.py` reports them per size in docs/BENCHMARKS.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from weakref import WeakSet

from playwright.sync_api import Page

# the script, after its first line (a comment)
MEASURE = Path(__file__).with_name("stage_geometry.js").read_text().split("\n", 1)[1]


def measure(page: Page) -> dict[str, Any]:
    """The figures above for the step on screen."""
    found: dict[str, Any] | None = page.evaluate(MEASURE)
    if found is None:
        raise AssertionError("no diagram on the page")
    return found


SIZES = {"phone": (390, 844), "blog": (700, 900), "laptop": (1440, 900), "projector": (1920, 1080)}
"""The four places: a phone, a blog column (the /embed page), a laptop, a projector."""


def stage_url(server: str, size: str, trace: str) -> str:
    """The page a size is measured on, replaying `trace` (a path on the server): the app,
    /embed for the blog column, the projector theme for the projector."""
    page = "embed" if size == "blog" else ""
    theme = "&theme=projector" if size == "projector" else ""
    return f"{server}/{page}?src={trace}{theme}"


def scenario_trace(scenario: str) -> str:
    return f"/api/scenarios/{scenario}/trace"


# Notes, in the page's own clock, when the diagram's first box and first wire appear.
DRAWN = """() => {
  const seen = { boxes: null, wires: null };
  window.__stageDrawn = seen;
  const look = () => {
    const page = document.querySelector('virtio-viz')?.shadowRoot;
    const svg = page?.querySelector('vv-diagram')?.shadowRoot?.querySelector('svg');
    const now = performance.now();
    if (svg && seen.boxes === null && svg.querySelector('g[data-box]')) seen.boxes = now;
    if (svg && seen.wires === null && svg.querySelector('path.wire')) seen.wires = now;
    if (seen.wires === null) requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
}"""


_watched: WeakSet[Page] = WeakSet()


def open_stage(page: Page, url: str) -> tuple[float, float]:
    """Open a stage: ms from navigation until the frame that shows its boxes, and until the
    one that shows its wires (they follow), by the page's own clock."""
    if page not in _watched:
        page.add_init_script(f"({DRAWN})()")
        _watched.add(page)
    page.goto(url)
    page.locator("vv-diagram svg g[data-box]").first.wait_for()
    page.locator("vv-diagram svg path.wire").first.wait_for(state="attached")
    page.wait_for_function("() => window.__stageDrawn.wires !== null")
    drawn: dict[str, float] = page.evaluate("() => window.__stageDrawn")
    return drawn["boxes"], drawn["wires"]


def steps_to_check(told: dict[str, Any]) -> list[int]:
    """Each chapter's first step, and the first step of each distinct box, path and event
    kind (what the diagram draws differently)."""
    steps = {c["first_step"] for c in told["chapters"]}
    seen: set[tuple[Any, ...]] = set()
    for frame in told["steps"]:
        key = (frame["box"], tuple(frame["hops"]), frame["event"]["kind"])
        if frame["hops"] and key not in seen:
            seen.add(key)
            steps.add(frame["index"])
    return sorted(steps)


def show_step(page: Page, step: int) -> None:
    """Move the page to `step` (0-based) and wait until it shows it, settled."""
    page.evaluate("(s) => document.querySelector('virtio-viz').seek(s)", step)
    page.locator("vv-timeline .count").filter(has_text=f"{step + 1} /").wait_for()
    page.evaluate(
        "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
    )
