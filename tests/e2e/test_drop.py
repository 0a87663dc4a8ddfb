"""Dropping a file on the page: a QEMU recording is imported, a trace replays, a scenario
file opens as a live session."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Page, expect

from virtio_viz.cli import main

ROOT = Path(__file__).resolve().parents[2]
RECORDING = ROOT.parent / "shared" / "traces" / "qemu-split" / "trace-virtio.log"


def drop(page: Page, name: str, text: str) -> None:
    files = page.evaluate_handle(
        "([name, text]) => { const t = new DataTransfer();"
        " t.items.add(new File([text], name)); return t; }",
        [name, text],
    )
    page.locator("virtio-viz .page").dispatch_event("drop", {"dataTransfer": files})


def test_a_dropped_qemu_recording_is_imported_and_replayed(page: Page, server_url: str) -> None:
    page.goto(f"{server_url}/?scenario=qemu-emulated")
    expect(page.locator("vv-timeline .count")).to_contain_text("1 /")
    drop(page, "trace-virtio.log", RECORDING.read_text())
    # imported on the server (a whole QEMU log parsed and compared): a busy CI takes a while
    expect(page.locator("vv-narration .chapter")).to_contain_text("Firmware", timeout=30_000)
    expect(page.locator("vv-narration .text")).not_to_have_text("")
    expect(page.get_by_label("architecture diagram", exact=True)).to_be_visible()
    assert "scenario=qemu-emulated" in page.url  # a dropped file does not rewrite the link
    page.keyboard.press("End")
    expect(page.locator("vv-narration .chapter")).not_to_contain_text("Step 1 of ")
    compared = page.get_by_label("virtio-blk: recording and model")
    expect(compared).to_contain_text("0x0 → 0x3")  # the firmware's two-bit write, called out
    expect(page.get_by_label("virtio-net: recording and model")).to_contain_text("differs")
    page.keyboard.press("Home")
    for _ in range(5):  # to the ping chapter, when every queue is set up
        page.keyboard.press("]")
    expect(page.locator("vv-narration .chapter")).to_contain_text("Pinging")
    rings = page.locator("vv-rings")  # no ring bytes in a trace: none are drawn, counts are
    expect(rings).to_contain_text("not in the recording, so none are drawn")
    expect(rings.get_by_label("Counted from the log")).to_contain_text("popped")
    expect(rings.get_by_label("Ring areas")).to_contain_text("descriptor table")
    expect(rings.locator("table[aria-label='Descriptor table']")).to_have_count(0)


def test_a_dropped_trace_and_a_dropped_scenario_file(
    page: Page, server_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "blk.json"
    assert main(["export", "virtio-blk", "-o", str(out)]) == 0
    told = json.loads(out.read_text())
    page.goto(f"{server_url}/?scenario=qemu-emulated")
    expect(page.locator("vv-timeline .count")).to_contain_text("1 /")
    drop(page, "blk.json", out.read_text())
    expect(page.locator("vv-timeline .count")).to_have_text(f"1 / {told['step_count']}")
    example = ROOT / "examples" / "scenarios" / "ring-lab-wraparound.yaml"
    drop(page, example.name, example.read_text())
    expect(page.locator("vv-narration .text")).not_to_have_text(told["steps"][0]["narration"])
    expect(page.locator('vv-diagram g[data-box="virtqueue"]')).to_contain_text("virtqueue")
