"""A trace file of format 1 (whole queues in every frame) still opens, and shows at every
step what format 2 and the live server show."""

from __future__ import annotations

import json

from playwright.sync_api import Browser, Route, expect

from tests.support.trace_versions import version_1
from virtio_viz.scenarios.stories import STORIES
from virtio_viz.timeline import Timeline
from virtio_viz.trace import export_trace

# What the ring view draws: its elements with their attributes and text, through the
# shadow roots of the components inside it.
DRAWN = """(root) => {
  const drawn = (node) => [...(node.shadowRoot ?? node).childNodes].map((child) => {
    if (child.nodeType === Node.TEXT_NODE) return child.textContent.trim();
    if (child.nodeType !== Node.ELEMENT_NODE) return "";
    const attrs = [...child.attributes].map((a) => `${a.name}=${a.value}`).sort().join(" ");
    return `<${child.localName} ${attrs}>${drawn(child)}</${child.localName}>`;
  }).join("");
  return drawn(root);
}"""


def test_a_version_1_trace_shows_what_version_2_and_the_server_show(
    browser: Browser, server_url: str
) -> None:
    current = export_trace(Timeline(STORIES["qemu-emulated"]))
    files = {"/t/2.json": json.dumps(current), "/t/1.json": json.dumps(version_1(current))}
    page = browser.new_page(viewport={"width": 1440, "height": 900})

    def serve(route: Route) -> None:
        path = route.request.url.removeprefix(server_url)
        route.fulfill(body=files[path], content_type="application/json")

    page.route(f"{server_url}/t/*.json", serve)
    for step in (300, 500):  # past the keyframe at 256: frames applied after it
        shown = []
        at = f"step={step + 1}"  # the address counts steps from 1
        for query in (f"scenario=qemu-emulated&{at}", f"src=/t/2.json&{at}", f"src=/t/1.json&{at}"):
            page.goto(f"{server_url}/?{query}")
            narration = page.locator("vv-narration .text")
            expect(narration).to_have_text(current["steps"][step]["narration"])
            shown.append(page.locator("vv-rings").evaluate(DRAWN))
        assert "num_free" in shown[0]
        assert shown[1] == shown[0] and shown[2] == shown[0]
    page.close()
