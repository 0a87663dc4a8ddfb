"""The visualizer's speed in headless Chromium, against the real server.

* bundle      JS + CSS the page loads, gzipped (goal: at most 150 KB).
* first paint time from navigation until the architecture diagram is drawn (goal: 1 s).
* playing     the page plays at 20 steps per second with queue size 256 for `--seconds`;
              frame times are the gaps between animation frames while it plays (goal:
              median at most 17 ms), against the same measurement on a blank page in the
              same browser (the baseline: what the machine gives an idle page).
* step        from a key press to the next painted frame showing the new step (goal: 50 ms).

    .venv/bin/python -m benchmarks.frontend_speed                 # 10 s of playing
    .venv/bin/python -m benchmarks.frontend_speed --seconds 2     # a smoke run
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import threading
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from playwright.sync_api import Page, sync_playwright

from virtio_viz.api import Settings, create_app

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
class Result:
    bundle_kb: float
    first_paint_ms: float
    frame_median_ms: float
    frame_p95_ms: float
    blank_median_ms: float
    step_to_paint_ms: float
    steps_played: int


@contextmanager
def serving() -> Iterator[str]:
    app = create_app(Settings())
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


def bundle_kb() -> float:
    assets = [p for p in (STATIC / "assets").iterdir() if p.suffix in {".js", ".css"}]
    return sum(len(gzip.compress(p.read_bytes())) for p in assets) / 1024


def measure(seconds: float) -> Result:
    with serving() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page: Page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto("about:blank")
        blank = page.evaluate(FRAME_GAPS, 2000)
        start = time.perf_counter()
        page.goto(f"{url}/?scenario=qemu-emulated&queue_size=256")
        page.locator("vv-diagram svg g[data-box]").first.wait_for()
        first_paint = (time.perf_counter() - start) * 1000
        page.locator("vv-timeline select").select_option("20")
        page.keyboard.press(" ")
        gaps = page.evaluate(FRAME_GAPS, int(seconds * 1000))
        page.keyboard.press(" ")
        played = int(page.locator("vv-timeline .count").inner_text().split("/")[0])
        steps = [page.evaluate(STEP_TO_PAINT) for _ in range(20)]
        browser.close()
    urllib.request.urlcleanup()
    return Result(
        bundle_kb=bundle_kb(), first_paint_ms=first_paint,
        frame_median_ms=statistics.median(gaps), frame_p95_ms=sorted(gaps)[int(0.95 * len(gaps))],
        blank_median_ms=statistics.median(blank), step_to_paint_ms=statistics.median(steps),
        steps_played=played,
    )  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="the visualizer's speed in headless Chromium")
    parser.add_argument("--seconds", type=float, default=10)
    r = measure(parser.parse_args(argv).seconds)
    print(f"bundle: {r.bundle_kb:.1f} KB gzipped (goal 150)")
    print(f"diagram drawn {r.first_paint_ms:.0f} ms after navigation (goal 1000)")
    ratio = r.frame_median_ms / r.blank_median_ms
    print(f"playing at 20 steps/s, queue size 256: {r.steps_played} steps; frame time median "
          f"{r.frame_median_ms:.1f} ms, p95 {r.frame_p95_ms:.1f} ms; blank page median "
          f"{r.blank_median_ms:.1f} ms -> {ratio:.2f}x")  # fmt: skip
    print(f"key press to painted step: median {r.step_to_paint_ms:.1f} ms (goal 50)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
