"""A static blog with no virtio-viz server: `export --site` copied into it, two elements
on one page, served by a plain static file server with every other request refused.
Both render their own scenario and step on their own."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.offline import only_from
from virtio_viz.cli import main

POST = """<!doctype html><meta charset="utf-8"><title>Two ways into the guest</title>
<link rel="icon" href="data:,">
<p>With vDPA the card itself reads the rings:</p>
<script type="module" src="/viz/virtio-viz.js"></script>
<virtio-viz id="vdpa" src="/viz/vdpa.json" step="40" style="display:block;height:640px">
</virtio-viz>
<p>And QEMU doing it all in user space:</p>
<script type="module" src="/viz/virtio-viz.js"></script>
<virtio-viz id="qemu" src="/viz/qemu-emulated.json" step="10" style="display:block;height:640px">
</virtio-viz>
"""


@pytest.fixture
def blog(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    site = tmp_path / "viz"
    assert main(["export", "--site", str(site), "vdpa", "qemu-emulated"]) == 0
    (tmp_path / "post.html").write_text(POST)
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", site
    httpd.shutdown()
    httpd.server_close()


def narration(site: Path, name: str, step: int) -> str:
    trace: dict[str, Any] = json.loads((site / f"{name}.json").read_text())
    text: str = trace["steps"][step]["narration"]
    return text


def test_the_site_folder_holds_the_element_the_traces_and_the_snippets(
    blog: tuple[str, Path],
) -> None:
    _, site = blog
    assert sorted(p.name for p in site.iterdir()) == [
        "README.md", "qemu-emulated.json", "vdpa.json", "virtio-viz.js",
    ]  # fmt: skip
    readme = (site / "README.md").read_text()
    assert '<script type="module" src="/viz/virtio-viz.js"></script>' in readme
    assert '<virtio-viz src="/viz/vdpa.json"></virtio-viz>' in readme


def test_two_elements_render_and_step_with_the_network_off(
    page: Page, blog: tuple[str, Path]
) -> None:
    origin, site = blog
    refused = only_from(page, origin)
    page.goto(f"{origin}/post.html")
    vdpa, qemu = page.locator("#vdpa"), page.locator("#qemu")
    expect(vdpa.locator("vv-narration .text")).to_have_text(narration(site, "vdpa", 40))
    expect(qemu.locator("vv-narration .text")).to_have_text(narration(site, "qemu-emulated", 10))
    expect(vdpa.get_by_label("architecture diagram", exact=True)).to_contain_text("IOMMU")
    vdpa.locator("vv-timeline").get_by_role("button", name="forward one step").click()
    expect(vdpa.locator("vv-narration .text")).to_have_text(narration(site, "vdpa", 41))
    expect(qemu.locator("vv-narration .text")).to_have_text(narration(site, "qemu-emulated", 10))
    qemu.locator("vv-timeline").get_by_role("button", name="forward one step").click()
    expect(qemu.locator("vv-narration .text")).to_have_text(narration(site, "qemu-emulated", 11))
    assert refused == []  # nothing tried to leave the site
