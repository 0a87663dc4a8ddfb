"""The Live VM in a real browser: `virtio-viz live`'s server boots a Linux guest (TCG); the
page picks "Live VM", pings from the console panel and watches the kicks arrive; steps
back while the VM runs and jumps back to live; exports the trace and replays it with no
server; and a presenter puts the VM in a room that a student follows, watch-only."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect

from tests.support.threaded_server import free_port, running_in_thread
from virtio_viz.api import Settings, create_app
from virtio_viz.api.live import install_live
from virtio_viz.live.manager import LiveSettings, LiveVMs
from virtio_viz.live.vm import VmOptions

PANEL = "vv-live-vm"


@pytest.fixture(scope="module")
def live_url() -> Iterator[str]:
    """A server like `virtio-viz live`'s: it boots a VM as it starts."""
    port = free_port()
    app = create_app(Settings())
    install_live(app, LiveVMs(LiveSettings()), boot=VmOptions())
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    with running_in_thread(uvicorn.Server(config)):
        yield f"http://127.0.0.1:{port}"


def console_text(page: Page) -> str:
    return page.locator(f"{PANEL} pre").inner_text()


def position(page: Page) -> tuple[int, int]:
    """(step, total) as the timeline bar shows them, 1-based."""
    step, total = page.locator("vv-timeline .count").inner_text().split(" / ")
    return int(step), int(total)


def wait_until(check: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"waited {timeout} s in vain for {what}"
        time.sleep(0.2)


def test_the_live_vm_from_the_page(
    page: Page, live_url: str, browser: Browser, tmp_path: Path
) -> None:
    page.goto(live_url + "/")
    page.locator("select[aria-label=scenario]").select_option("scenario:live")
    expect(page.locator(f"{PANEL} pre")).to_contain_text("guest# ", timeout=120_000)
    expect(page.locator(f"{PANEL} [role=status]")).to_contain_text("running", timeout=30_000)

    page.locator(f"{PANEL} button", has_text="ping \u00d73").click()
    expect(page.locator(f"{PANEL} pre")).to_contain_text("3 packets received", timeout=60_000)
    page.locator("nav[aria-label=panels] button", has_text="Log").click()
    expect(page.locator("vv-log")).to_contain_text("The kick eventfd of vring 1 fires")
    wait_until(lambda: position(page)[0] == position(page)[1], "the page to follow the VM")

    page.keyboard.press("ArrowLeft")  # pause, by stepping back while the VM runs
    expect(page.locator(f"{PANEL} button", has_text="jump to live")).to_be_visible()
    held = position(page)
    page.locator(f"{PANEL} button", has_text="nslookup").click()  # a button goes live again
    expect(page.locator(f"{PANEL} pre")).to_contain_text("Address: 10.0.2.2", timeout=60_000)
    page.keyboard.press("Home")  # scrub back to the start while it runs
    wait_until(lambda: position(page)[0] == 1, "the first step")
    assert position(page)[1] > held[1]
    page.locator(f"{PANEL} button", has_text="jump to live").click()
    wait_until(lambda: position(page)[0] == position(page)[1], "the newest step")

    student = browser.new_page(viewport={"width": 700, "height": 900})
    page.locator("nav[aria-label=panels] button", has_text="Lecture").click()
    page.locator("vv-lecture button", has_text="present to a room").click()
    join = page.locator("vv-lecture a")
    expect(join).to_be_visible(timeout=30_000)
    student.goto(join.get_attribute("href") or "")
    expect(student.locator(PANEL)).to_contain_text("Watching", timeout=30_000)
    expect(student.locator(f"{PANEL} input")).to_have_count(0)  # only the owner types
    page.locator(f"{PANEL} input").fill("ping -c 2 10.0.2.2")
    page.locator(f"{PANEL} input").press("Enter")
    expect(student.locator(f"{PANEL} pre")).to_contain_text("2 packets received", timeout=60_000)
    wait_until(lambda: position(student) == position(page), "the student to follow")
    student.close()

    with page.expect_download() as downloaded:
        page.locator(f"{PANEL} button", has_text="export trace").click()
    saved = tmp_path / "live.json"
    downloaded.value.save_as(saved)
    trace = json.loads(saved.read_text())
    assert trace["scenario"]["id"] == "live" and trace["step_count"] == len(trace["steps"])
    offline = browser.new_page()  # the exported trace replays with no live server
    offline.route(lambda url: urlsplit(url).path.startswith(("/ws", "/api/")), lambda r: r.abort())
    offline.route(lambda url: urlsplit(url).path == "/saved/live.json",
                  lambda route: route.fulfill(path=str(saved)))  # fmt: skip
    offline.goto(live_url + "/?src=/saved/live.json")
    expect(offline.locator("vv-timeline .count")).to_have_text(f"1 / {trace['step_count']}")
    offline.keyboard.press("End")
    expect(offline.locator("vv-narration")).to_contain_text(trace["steps"][-1]["narration"][:40])
    offline.close()
