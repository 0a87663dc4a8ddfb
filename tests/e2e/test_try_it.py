"""The "Try it" panel as a reader on a phone meets it: its toggle shows the actions at once
(no second fold to open), and an action the model refuses at that step says why beside the
button the reader pressed, not in the header far above it."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from tests.e2e.test_stage_room import assert_on_screen, phone_page
from tests.support.steps import first_step
from virtio_viz.scenarios.stories import story
from virtio_viz.timeline import Timeline


def test_on_a_phone_try_it_shows_its_actions_and_says_beside_them_why_one_was_refused(
    browser: Browser, server_url: str
) -> None:
    timeline = Timeline(story("qemu-emulated"))
    fault = first_step(timeline, "device_needs_reset")
    shown = fault + 2  # the interrupt that tells the driver: DEVICE_NEEDS_RESET is still set
    context, page = phone_page(browser)
    page.goto(f"{server_url}/?scenario=qemu-emulated&step={shown}")
    count = page.locator("vv-timeline .count")
    expect(count).to_have_text(re.compile(rf"^{shown} /"))
    page.locator("nav.toggles button", has_text="Try it").click()
    send = page.get_by_role("button", name="send a frame")
    expect(send).to_be_visible()
    send.click()
    refusal = page.get_by_role("region", name="Try it").get_by_role("alert")
    expect(refusal).to_contain_text("Not taken: the device is not live")
    expect(refusal).to_contain_text("DEVICE_NEEDS_RESET")
    assert_on_screen(page, refusal, "the refusal")
    expect(count).to_have_text(re.compile(rf"^{shown} /"))  # the story stays where it was
    expect(page.locator("header .error")).to_have_count(0)  # said once, where it was asked
    page.keyboard.press("ArrowRight")  # another step: the refusal was about the last one
    expect(refusal).to_have_count(0)
    context.close()
