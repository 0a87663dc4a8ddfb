"""The visualizer's speed in headless Chromium, against the real server.

* bundle      JS + CSS the page loads, gzipped (goal: at most 150 KB).
* first paint time from navigation until the architecture diagram is drawn (goal: 1 s): its
              boxes; the wires, routed round them, follow (the `stage` table says when).
* playing     the page plays at 20 steps per second with queue size 256 for `--seconds`;
              frame times are the gaps between animation frames while it plays (goal:
              median at most 17 ms), against the same measurement on a blank page in the
              same browser (the baseline: what the machine gives an idle page).
* step        from a key press to the next painted frame showing the new step (goal: 50 ms).
* stage       per size (phone 390, blog column 700, laptop 1440, projector 1920 px), over every
              scenario at the steps the browser tests check (stage_geometry.py), from a
              trace file (no session): when the boxes and when the wires are drawn, the
              smallest diagram text, names over names or box text, wires through boxes,
              names on other wires or across boxes, and how often the step's box (and, on a
              laptop and a projector, the active queue's rings) was in view.

    .venv/bin/python -m benchmarks.frontend_speed                 # 10 s of playing
    .venv/bin/python -m benchmarks.frontend_speed --seconds 2     # a smoke run
    git archive REV static | tar -x -C /tmp/before                # an earlier build, then
    .venv/bin/python -m benchmarks.frontend_speed --before /tmp/before/static
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import threading
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

from benchmarks import stage_geometry as stage
from virtio_viz.api import Settings, create_app
from virtio_viz.scenarios.stories import STORIES

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip
STATIC = Path(__file__).resolve().parents[1] / "static"

FRAME_GAPS = """(ms) => new Promise((done) => {
  const gaps = []; let last = performance.now(); const end = last + ms;
  const tick = (now) => {
    gaps.push(now - last); last = now;
    now < end ? requestAnimationFrame(tick) : done(gaps);
  };
  requestAnimationFrame(tick);
})"""
STEP_TO_PAINT = """() => new Promise((done) => {
  const bar = document.querySelector('virtio-viz').shadowRoot.querySelector('vv-timeline');
  const count = () => bar.shadowRoot.querySelector('.count').textContent;
  const before = count(); const start = performance.now();
  window.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight' }));
  const check = () => count() !== before
    ? requestAnimationFrame(() => done(performance.now() - start))
    : requestAnimationFrame(check);
  requestAnimationFrame(check);
})"""


@dataclass(frozen=True)
class StageFigures:
    size: str
    boxes_ms: float  # median over the scenarios: the boxes drawn
    wires_ms: float  # and the wires routed round them
    smallest_px: float
    overlaps: int
    crossings: int
    names_on_wires: int
    names_on_boxes: int
    box_in_view: tuple[int, int]
    rings_in_view: tuple[int, int]


@dataclass(frozen=True)
class Result:
    bundle_kb: float
    first_paint_ms: float
    wires_ms: float
    frame_median_ms: float
    frame_p95_ms: float
    blank_median_ms: float
    step_to_paint_ms: float
    steps_played: int
    stages: list[StageFigures]


@contextmanager
def serving(static: Path = STATIC) -> Iterator[str]:
    app = create_app(Settings(static_dir=static))
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def bundle_kb(static: Path = STATIC) -> float:
    """What the app's page loads (its entry, the element's chunk, any stylesheet), gzipped."""
    page = (static / "index.html").read_text()
    assets = [static / a for a in re.findall(r'(?:src|href)="/(assets/[^"]+\.(?:js|css))"', page)]
    return sum(len(gzip.compress(p.read_bytes())) for p in assets) / 1024


def measure(seconds: float, static: Path = STATIC, stages: bool = True) -> Result:
    """The figures for the build in `static` (the stage table only when `stages`)."""
    with serving(static) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page: Page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto("about:blank")
        blank = page.evaluate(FRAME_GAPS, 2000)
        first_paint, wired = stage.open_stage(page, f"{url}/?scenario=qemu-emulated&queue_size=256")
        page.locator("vv-timeline select").select_option("20")
        page.keyboard.press(" ")
        gaps = page.evaluate(FRAME_GAPS, int(seconds * 1000))
        page.keyboard.press(" ")
        played = int(page.locator("vv-timeline .count").inner_text().split("/")[0])
        steps = [page.evaluate(STEP_TO_PAINT) for _ in range(20)]
        sized = [stage_figures(browser, url, size) for size in stage.SIZES] if stages else []
        browser.close()
    urllib.request.urlcleanup()
    return Result(
        bundle_kb=bundle_kb(static), first_paint_ms=first_paint, wires_ms=wired,
        frame_median_ms=statistics.median(gaps), frame_p95_ms=sorted(gaps)[int(0.95 * len(gaps))],
        blank_median_ms=statistics.median(blank), step_to_paint_ms=statistics.median(steps),
        steps_played=played, stages=sized,
    )  # fmt: skip


def stage_figures(browser: Browser, url: str, size: str) -> StageFigures:
    width, height = stage.SIZES[size]
    page = browser.new_page(viewport={"width": width, "height": height})
    page.emulate_media(reduced_motion="reduce")
    drawn: list[tuple[float, float]] = []
    found: list[dict[str, Any]] = []
    for scenario in sorted(STORIES):
        with urllib.request.urlopen(f"{url}/api/scenarios/{scenario}/trace") as reply:
            told = json.load(reply)
        page_url = stage.stage_url(url, size, stage.scenario_trace(scenario))
        drawn.append(stage.open_stage(page, page_url))
        for step in stage.steps_to_check(told):
            stage.show_step(page, step)
            found.append(stage.measure(page))
    page.close()
    rings = [f["rings"] for f in found if f["rings"] is not None]
    return StageFigures(
        size=size, boxes_ms=statistics.median(d[0] for d in drawn),
        wires_ms=statistics.median(d[1] for d in drawn),
        smallest_px=min(f["smallest"] for f in found),
        overlaps=sum(len(f["overlaps"]) for f in found),
        crossings=sum(len(f["crossings"]) for f in found),
        names_on_wires=sum(len(f["on_wires"]) for f in found),
        names_on_boxes=sum(len(f["on_boxes"]) for f in found),
        box_in_view=(sum(f["active"] is True for f in found),
                     sum(f["active"] is not None for f in found)),
        rings_in_view=(sum(rings), len(rings)),
    )  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="the visualizer's speed in headless Chromium")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument(
        "--before", type=Path, help="another build's static/ to measure in the same run"
    )
    args = parser.parse_args(argv)
    r = measure(args.seconds)
    print(f"bundle: {r.bundle_kb:.1f} KB gzipped (goal 150)")
    print(
        f"diagram drawn {r.first_paint_ms:.0f} ms after navigation (goal 1000), "
        f"its wires {r.wires_ms:.0f} ms"
    )
    ratio = r.frame_median_ms / r.blank_median_ms
    print(f"playing at 20 steps/s, queue size 256: {r.steps_played} steps; frame time median "
          f"{r.frame_median_ms:.1f} ms, p95 {r.frame_p95_ms:.1f} ms; blank page median "
          f"{r.blank_median_ms:.1f} ms -> {ratio:.2f}x")  # fmt: skip
    print(f"key press to painted step: median {r.step_to_paint_ms:.1f} ms (goal 50)")
    print("| size | boxes drawn | wires drawn | smallest text | overlaps | wires through boxes "
          "| names on other wires | names across boxes | step's box in view "
          "| rings in view |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for f in r.stages:
        width, height = stage.SIZES[f.size]
        print(f"| {f.size} {width}x{height} | {f.boxes_ms:.0f} ms | {f.wires_ms:.0f} ms "
              f"| {f.smallest_px:.1f} px | {f.overlaps} | {f.crossings} | {f.names_on_wires} "
              f"| {f.names_on_boxes} "
              f"| {f.box_in_view[0]}/{f.box_in_view[1]} "
              f"| {f.rings_in_view[0]}/{f.rings_in_view[1]} |")  # fmt: skip
    if args.before:
        b = measure(args.seconds, args.before, stages=False)
        paint, key = r.first_paint_ms / b.first_paint_ms, r.step_to_paint_ms / b.step_to_paint_ms
        print(f"the build in {args.before}, in the same run: bundle {b.bundle_kb:.1f} KB; "
              f"diagram drawn {b.first_paint_ms:.0f} ms (this build {paint:.2f}x); frame time "
              f"median {b.frame_median_ms:.1f} ms, p95 {b.frame_p95_ms:.1f} ms; key press to "
              f"painted step {b.step_to_paint_ms:.1f} ms (this build {key:.2f}x); "
              f"{b.steps_played} steps played")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
