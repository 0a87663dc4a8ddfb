"""A key press in the live console, to the kick it causes on screen (Chromium, a real VM).

A page follows a live VM (the server boots one as `virtio-viz live` does). Each round,
Enter is pressed in the console's line with `ping -c 1 10.0.2.2` typed in it, and the
page itself times, from the keydown to the first animation frame that shows it:

- the step of the command (the server records it and streams it: the baseline, which
  the guest plays no part in), and
- the kick of transmitq1 the ping causes (the line crosses QEMU's serial port, the guest's
  shell runs ping, Linux's virtio_net writes the notify register, QEMU's TCG signals the
  eventfd, the back-end runs the model, and the step comes to the page).

    .venv/bin/python -m benchmarks.live_vm_keys --rounds 10
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from playwright.sync_api import Page, sync_playwright

from virtio_viz.api import Settings, create_app
from virtio_viz.api.live import install_live
from virtio_viz.live.manager import LiveSettings, LiveVMs
from virtio_viz.live.vm import VmOptions

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
COMMAND_STEP = "You type `ping -c 1 10.0.2.2`"
KICK_STEP = "The kick eventfd of vring 1 fires"
ARM = """
([commandText, kickText]) => {
  const page = document.querySelector("virtio-viz"), store = page.store;
  const first = store.length;  // only steps made after this
  const input = page.shadowRoot.querySelector("vv-live-vm").shadowRoot.querySelector("input");
  const shown = (text) => {
    for (let i = first; i <= store.step; i++) {
      if (store.frame(i)?.narration.includes(text)) return true;
    }
    return false;
  };
  window.__timing = new Promise((resolve) => {
    input.addEventListener("keydown", () => {
      const pressed = performance.now(), seen = {};
      const look = () => {  // an animation frame: what the page shows now
        const now = performance.now() - pressed;
        if (seen.command === undefined && shown(commandText)) seen.command = now;
        if (seen.kick === undefined && shown(kickText)) seen.kick = now;
        if (seen.command !== undefined && seen.kick !== undefined) resolve(seen);
        else requestAnimationFrame(look);
      };
      requestAnimationFrame(look);
    }, { once: true, capture: true });
  });
}
"""


@contextmanager
def live_server() -> Iterator[str]:
    app = create_app(Settings())
    install_live(app, LiveVMs(LiveSettings()), boot=VmOptions())
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def console_text(page: Page) -> str:
    return page.locator("vv-live-vm pre").inner_text()


def one_round(page: Page) -> tuple[float, float]:
    """(ms to the command's step, ms to the kick's step) for one Enter."""
    line = page.locator("vv-live-vm input")
    line.fill("ping -c 1 10.0.2.2")
    replies = console_text(page).count("packets received")
    page.evaluate(ARM, [COMMAND_STEP, KICK_STEP])
    line.press("Enter")
    seen = page.evaluate("() => window.__timing")
    deadline = time.monotonic() + 60
    while console_text(page).count("packets received") == replies:  # the ping finishes
        assert time.monotonic() < deadline, "the ping did not finish"
        page.wait_for_timeout(100)
    return float(seen["command"]), float(seen["kick"])


def measure(rounds: int) -> list[tuple[float, float]]:
    with live_server() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(url + "/?scenario=live")
        page.locator("vv-live-vm pre").filter(has_text="guest# ").wait_for(timeout=180_000)
        one_round(page)  # warm-up: the ARP exchange happens once
        timings = [one_round(page) for _ in range(rounds)]
        browser.close()
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args(argv)
    timings = measure(args.rounds)
    command = statistics.median(t[0] for t in timings)
    kick = statistics.median(t[1] for t in timings)
    print("| figure | median (ms) | worst (ms) |\n|---|---:|---:|")
    print(f"| key press to the command's step on screen (baseline) | {command:.0f} "
          f"| {max(t[0] for t in timings):.0f} |")  # fmt: skip
    print(f"| key press to the kick of transmitq1 on screen | {kick:.0f} "
          f"| {max(t[1] for t in timings):.0f} |")  # fmt: skip
    print(f"\n{len(timings)} rounds; kick / command: {kick / command:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
