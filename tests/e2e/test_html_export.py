"""`virtio-viz export --html`: one file that works from disk with the network off."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.e2e.conftest import Console
from virtio_viz.cli import main


def test_the_exported_page_renders_and_steps_offline(browser: Browser, tmp_path: Path) -> None:
    page_file, trace_file = tmp_path / "story.html", tmp_path / "story.json"
    assert main(["export", "qemu-emulated", "--html", str(page_file), "-o", str(trace_file)]) == 0
    told = json.loads(trace_file.read_text())
    context = browser.new_context(offline=True)
    page = context.new_page()
    console = Console()
    page.on("console", console)
    page.on("pageerror", lambda error: console.errors.append(str(error)))
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(page_file.as_uri())
    expect(page.locator("vv-narration .text")).to_have_text(told["steps"][0]["narration"])
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(page.locator("vv-narration .text")).to_have_text(told["steps"][2]["narration"])
    page.keyboard.press("ArrowLeft")
    expect(page.locator("vv-narration .text")).to_have_text(told["steps"][1]["narration"])
    expect(page.locator("vv-diagram g[data-box]")).to_have_count(len(told["topology"]["boxes"]))
    assert requests == [page_file.as_uri()]  # no script, chunk or preload of the app's
    context.close()
    assert console.errors == []
