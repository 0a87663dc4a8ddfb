"""A live page opens its socket before the element's code has loaded (store/early-socket.ts):
the element then uses that socket, so a page still makes one connection, says hello once,
and everything after works as before (a follower follows, explores on its own, an embed
keeps its range)."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Browser, Page, WebSocket, expect

from tests.e2e.test_visualizer import trace

# Notes, for each websocket the page makes, whether <virtio-viz> was defined by then.
ELEMENT_AT_SOCKET = """() => {
  window.__elementAtSocket = [];
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      window.__elementAtSocket.push(!!customElements.get('virtio-viz'));
    }
  };
}"""


def watch_sockets(page: Page) -> list[list[dict[str, object]]]:
    """The messages each websocket of the page sent, one list per socket."""
    sockets: list[list[dict[str, object]]] = []
    page.add_init_script(f"({ELEMENT_AT_SOCKET})()")

    def opened(socket: WebSocket) -> None:
        sent: list[dict[str, object]] = []
        sockets.append(sent)
        socket.on("framesent", lambda payload: sent.append(json.loads(payload)))

    page.on("websocket", opened)
    return sockets


def test_a_join_link_says_hello_once_and_the_follower_follows(
    browser: Browser, server_url: str
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    presenter, student = context.new_page(), context.new_page()
    told = trace(server_url, "qemu-emulated")
    presenter.goto(f"{server_url}/?scenario=qemu-emulated&step=5&open=lecture")
    presenter.get_by_role("button", name="present to a room").click()
    link = presenter.locator("vv-lecture a")
    expect(link).to_have_attribute("href", re.compile(r"\?room=[A-Z2-9]{6}$"))
    room = str(link.get_attribute("href")).rsplit("=", 1)[1]

    sockets = watch_sockets(student)
    student.goto(f"{server_url}/?room={room}")
    expect(student.locator("vv-narration .text")).to_have_text(told["steps"][4]["narration"])
    assert len(sockets) == 1
    assert sockets[0] == [{"type": "join", "version": 2, "room": room, "token": None}]
    assert student.evaluate("() => window.__elementAtSocket") == [False]  # opened before it

    presenter.keyboard.press("ArrowRight")
    expect(student.locator("vv-narration .text")).to_have_text(told["steps"][5]["narration"])
    assert len(sockets) == 1 and len(sockets[0]) == 1  # a follower sends no moves

    student.get_by_role("button", name="explore on my own").click()  # a socket of its own
    expect(student.locator("header")).not_to_contain_text("following the presenter")
    student.keyboard.press("ArrowRight")
    expect(student.locator("vv-narration .text")).to_have_text(told["steps"][6]["narration"])
    assert len(sockets) == 2 and sockets[1][0]["type"] == "open"
    assert student.evaluate("() => window.__elementAtSocket") == [False, True]
    context.close()


def test_an_embedded_range_opens_once_at_its_first_step(page: Page, server_url: str) -> None:
    told = trace(server_url, "vhost-net")
    sockets = watch_sockets(page)
    page.goto(f"{server_url}/embed?scenario=vhost-net&step=2&from=10&to=20")
    expect(page.locator("vv-narration .text")).to_have_text(told["steps"][9]["narration"])
    assert len(sockets) == 1
    assert sockets[0][0] == {"type": "open", "version": 2, "scenario": "vhost-net", "options": {},
                             "step": 9, "actions": [], "seed": 0}  # fmt: skip
    assert page.evaluate("() => window.__elementAtSocket") == [False]
    page.keyboard.press("End")  # the range still holds
    expect(page.locator("vv-timeline .count")).to_have_text(re.compile(r"^20 /"))
