"""The page asks the server to build the forks of its "try it" buttons once the reader
rests on a step (`prepare`, docs/server.md "Forks built ahead"), and never while playing."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, WebSocket, expect

UNTOUCHED = [  # what the first three buttons of qemu-emulated send with their fields as shown
    {"kind": "send_frame", "params": {"frame": "icmp_echo"}},
    {"kind": "receive_frame", "params": {"frame": "icmp_echo_reply"}},
    {"kind": "decline_feature", "params": {"name": "VIRTIO_NET_F_CTRL_GUEST_OFFLOADS"}},
]


def sent_messages(page: Page) -> list[dict[str, Any]]:
    """Every message the page sends over its websockets, as it sends them."""
    sent: list[dict[str, Any]] = []

    def watch(ws: WebSocket) -> None:
        ws.on("framesent", lambda payload: sent.append(json.loads(payload)))

    page.on("websocket", watch)
    return sent


def wait_until(page: Page, condition: Callable[[], bool]) -> None:
    for _ in range(300):  # 15 s at most
        if condition():
            return
        page.wait_for_timeout(50)
    raise AssertionError("the page never sent that")


def prepares(sent: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for m in sent if m["type"] == "prepare"]


def test_resting_with_try_it_open_prepares_what_its_buttons_would_send(
    page: Page, server_url: str
) -> None:
    sent = sent_messages(page)
    page.goto(f"{server_url}/?scenario=qemu-emulated&step=200&open=try")
    expect(page.locator("vv-timeline .count")).to_have_text(re.compile(r"^200 /"))
    wait_until(page, lambda: len(prepares(sent)) == 1)
    assert prepares(sent)[0]["actions"] == UNTOUCHED
    page.get_by_role("button", name="send a frame").click()
    expect(page.locator("vv-narration .chapter strong")).to_have_text("Your action: send a frame")
    wait_until(page, lambda: len(prepares(sent)) == 2)  # the reader rests on the fork too
    acted = next(i for i, m in enumerate(sent) if m["type"] == "act")
    assert sent[acted]["action"] == UNTOUCHED[0]  # the click sent what was prepared


def test_no_forks_are_prepared_while_playing_or_with_try_it_closed(
    page: Page, server_url: str
) -> None:
    sent = sent_messages(page)
    page.goto(f"{server_url}/?scenario=qemu-emulated&step=200")  # try it is not open
    expect(page.locator("vv-timeline .count")).to_have_text(re.compile(r"^200 /"))
    page.keyboard.press("ArrowRight")
    expect(page.locator("vv-timeline .count")).to_have_text(re.compile(r"^201 /"))
    page.wait_for_timeout(1000)  # four times the rest before a prepare (PREPARE_AFTER_MS)
    assert prepares(sent) == []
    page.keyboard.press("t")  # open try it: the reader rests on 201
    expect(page.get_by_role("button", name="send a frame")).to_be_visible()
    wait_until(page, lambda: len(prepares(sent)) == 1)
    page.keyboard.press(" ")  # play
    expect(page.locator("vv-timeline .count")).not_to_have_text(re.compile(r"^201 /"))
    page.wait_for_timeout(1500)  # many steps, none rested on
    assert len(prepares(sent)) == 1
