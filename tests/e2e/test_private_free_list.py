"""The split ring view draws the driver's free list from the driver's private state.

Linux keeps its free list out of the ring (desc_extra[].next), so after a chain comes
back its descriptor still holds the old bytes; the view must mark it free because the
driver's state says so, and say that this list is not guest memory."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from playwright.sync_api import Page, expect

from tests.qemu_trace.helpers import state_at


def test_a_reclaimed_descriptor_is_on_the_private_free_list_with_its_old_bytes(
    page: Page, server_url: str
) -> None:
    with urllib.request.urlopen(f"{server_url}/api/scenarios/qemu-emulated/trace") as reply:
        told: dict[str, Any] = json.load(reply)
    step = next(i for i, f in enumerate(told["steps"]) if f["event"]["kind"] == "chain_detach")
    event = told["steps"][step]["event"]
    assert any(q["index"] == event["queue"] for q in told["steps"][step]["changes"]["queues"])
    queue = next(q for q in state_at(told, step)["queues"] if q["index"] == event["queue"])
    free = queue["driver"]["free_list"]
    head = event["values"]["head"]
    assert head in free and len(free) == queue["driver"]["num_free"]
    page.goto(f"{server_url}/?scenario=qemu-emulated&step={step + 1}")
    expect(page.locator("vv-rings .tabs button[aria-pressed=true]")).to_contain_text(queue["name"])
    expect(page.locator("vv-rings .legend")).to_contain_text("driver's private free list")
    expect(page.locator("vv-rings .legend")).to_contain_text("(not in guest memory)")
    rows = page.locator("vv-rings table[aria-label='Descriptor table'] tbody tr.free")
    expect(rows).to_have_count(len(free))
    reclaimed = page.locator(
        f"vv-rings table[aria-label='Descriptor table'] tbody tr.free[data-index='{head}']"
    )
    expect(reclaimed.locator("td").nth(0)).not_to_have_text("0x0")  # the chain's old addr
