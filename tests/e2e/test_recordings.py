"""The shipped recordings in the scenario menu: one opens as a replay with a permalink,
and the menu leads back to the model."""

from __future__ import annotations

from urllib.parse import unquote

from playwright.sync_api import Page, expect


def test_a_real_recording_from_the_menu_and_back_to_the_model(page: Page, server_url: str) -> None:
    page.goto(f"{server_url}/?scenario=qemu-emulated")
    menu = page.get_by_label("scenario", exact=True)
    expect(menu).to_be_visible()
    menu.select_option(label="Real recording: packed rings, event_idx off, ioeventfd off")
    expect(page.locator("vv-narration .chapter")).to_contain_text("Firmware")
    assert "src=/api/recordings/qemu-packed/trace" in unquote(page.url)
    diagram = page.get_by_label("architecture diagram", exact=True)
    expect(diagram).to_contain_text("descriptor ring")  # a packed ring's parts
    expect(diagram).to_contain_text("TCG stands in here")
    page.reload()  # the address is a permalink to the recording
    expect(menu).to_have_value("src:/api/recordings/qemu-packed/trace")
    menu.select_option(label="Device emulated in QEMU")
    expect(page.locator("vv-narration .chapter")).not_to_contain_text("Firmware")
    expect(menu).to_have_value("scenario:qemu-emulated")
    assert "src=" not in page.url
