"""What a reader waits for in Chromium when they act: a fork, and a room's join link.

* fork   the qemu-emulated story (516 steps) opened at a step with its "try it" panel; the
         reader reads the step for `--read-ms` (1 s), then clicks "send a frame": the
         time from the click until the frame that shows the reader's action on the page
         (the narration's "Your action: send a frame"), by the page's clock. Each sample
         acts at another step, so no fork comes from an earlier sample. The same with no
         time to read ("at once": the click comes before the page asks the server to
         build the forks ahead, docs/server.md) is reported beside it.
         Baseline, same run: a key press to the painted next step (frontend_speed's).
* join   a presenter opens a room; each sample opens its join link in a fresh page: ms
         from navigation until the diagram's boxes are drawn and the presenter's step is
         told. Baseline, same run: the same story opened at the same step with no room.

    .venv/bin/python -m benchmarks.frontend_actions               # 15 forks, 10 joins
    .venv/bin/python -m benchmarks.frontend_actions --forks 2 --joins 2     # a smoke run
    .venv/bin/python -m benchmarks.frontend_actions --read-ms 0   # every click at once
    .venv/bin/python -m benchmarks.frontend_actions --forks 0     # the joins alone
    .venv/bin/python -m benchmarks.frontend_actions --static /tmp/before/static  # another build

Goals (issue 20): fork painted p50 <= 150 ms, p95 <= 300 ms; join p50 <= 400 ms.
"""

from __future__ import annotations

import argparse
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

from benchmarks import stage_geometry as stage
from benchmarks.frontend_speed import CHROMIUM, FLAGS, STATIC, STEP_TO_PAINT, serving

STORY = "qemu-emulated"
JOIN_STEP = 5
# The click's time, then each animation frame until the narration names the action; the
# frame after that is the one that shows it.
FORK_TO_PAINT = """(name) => new Promise((done) => {
  const strong = () => document.querySelector('virtio-viz').shadowRoot
    .querySelector('vv-narration').shadowRoot.querySelector('.chapter strong');
  let clicked = null;
  const note = (e) => { clicked = e.timeStamp; };
  window.addEventListener('click', note, { capture: true, once: true });
  const check = () => {
    const text = strong()?.textContent ?? '';
    if (clicked !== null && text === 'Your action: ' + name) {
      requestAnimationFrame(() => done(performance.now() - clicked));
    } else requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})"""


@dataclass(frozen=True)
class Result:
    fork_ms: tuple[float, ...]  # after reading the step
    at_once_ms: tuple[float, ...]  # clicked as soon as the button was there
    step_ms: tuple[float, ...]  # baseline: a key press to the painted step
    join_ms: tuple[float, ...]
    open_ms: tuple[float, ...]  # baseline: the same step opened with no room


def p(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def fork_once(page: Page, url: str, step: int, read_ms: int) -> float:
    page.goto(f"{url}/?scenario={STORY}&step={step}&open=try")
    page.locator("vv-timeline .count").filter(has_text=re.compile(rf"^{step} /")).wait_for()
    button = page.get_by_role("button", name="send a frame")
    button.wait_for()
    page.wait_for_timeout(read_ms)  # the reader reads the step before they act
    page.evaluate(f"() => {{ window.__fork = ({FORK_TO_PAINT})('send a frame'); }}")
    button.click()
    page.locator("vv-narration .chapter strong").filter(has_text="Your action").wait_for()
    return float(page.evaluate("() => window.__fork"))


def join_once(browser: Browser, link: str, step_text: str) -> float:
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    boxes, _ = stage.open_stage(page, link)
    page.locator("vv-narration .text").filter(has_text=step_text).wait_for()
    page.close()
    return boxes


def open_room(browser: Browser, url: str) -> tuple[Page, str]:
    presenter = browser.new_page(viewport={"width": 1440, "height": 900})
    presenter.goto(f"{url}/?scenario={STORY}&step={JOIN_STEP}&open=lecture")
    presenter.get_by_role("button", name="present to a room").click()
    link = presenter.locator("vv-lecture a")
    link.and_(presenter.locator("[href*='room=']")).wait_for()
    href = link.get_attribute("href")
    if href is None:
        raise RuntimeError("the room has no join link")
    return presenter, href


def measure(forks: int = 15, joins: int = 10, read_ms: int = 1000, static: Path = STATIC) -> Result:
    with serving(static) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.set_default_timeout(60_000)
        steps = [200 + 15 * n for n in range(2 * forks)]  # the device is live; each another
        fork_ms = tuple(fork_once(page, url, step, read_ms) for step in steps[::2])
        at_once_ms = tuple(fork_once(page, url, step, 0) for step in steps[1::2])
        stage.open_stage(page, f"{url}/?scenario={STORY}&step=200")
        step_ms = tuple(float(page.evaluate(STEP_TO_PAINT)) for _ in range(forks))
        presenter, link = open_room(browser, url)
        told = presenter.locator("vv-narration .text").inner_text()
        join_ms, open_ms = [], []
        for _ in range(joins):  # interleaved with the baseline
            join_ms.append(join_once(browser, link, told))
            alone = browser.new_page(viewport={"width": 1440, "height": 900})
            boxes, _ = stage.open_stage(alone, f"{url}/?scenario={STORY}&step={JOIN_STEP}")
            alone.close()
            open_ms.append(boxes)
        browser.close()
    return Result(fork_ms, at_once_ms, step_ms, tuple(join_ms), tuple(open_ms))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forks", type=int, default=15)
    parser.add_argument("--joins", type=int, default=10)
    parser.add_argument("--read-ms", type=int, default=1000, help="the reader reads this long")
    parser.add_argument("--static", type=Path, default=STATIC, help="serve this build")
    args = parser.parse_args(argv)
    r = measure(args.forks, args.joins, args.read_ms, args.static)
    med = statistics.median
    if r.fork_ms:
        print_forks(r, args.read_ms)
    if r.join_ms:
        print(f"join link to diagram: p50 {med(r.join_ms):.0f} ms, min {min(r.join_ms):.0f}, "
              f"max {max(r.join_ms):.0f} (goal p50 400); the same step with no room p50 "
              f"{med(r.open_ms):.0f} ms -> {med(r.join_ms) / med(r.open_ms):.2f}x")  # fmt: skip
    return 0


def print_forks(r: Result, read_ms: int) -> None:
    med = statistics.median
    print(f"fork clicked at once: p50 {med(r.at_once_ms):.0f} ms, p95 {p(r.at_once_ms, 0.95):.0f}"
          f" ms -> {med(r.at_once_ms) / med(r.step_ms):.1f}x the key press")  # fmt: skip
    print(f"fork painted after {read_ms} ms of reading: p50 {med(r.fork_ms):.0f} ms, "
          f"p95 {p(r.fork_ms, 0.95):.0f} ms, "
          f"min {min(r.fork_ms):.0f}, max {max(r.fork_ms):.0f} (goal p50 150, p95 300); "
          f"key press to painted step p50 {med(r.step_ms):.0f} ms -> "
          f"{med(r.fork_ms) / med(r.step_ms):.1f}x")  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
