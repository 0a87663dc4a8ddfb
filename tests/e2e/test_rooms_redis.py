"""A follower's page in a room served by workers sharing Redis: it shows when the room
reaches only its own server (Redis away), and follows again after Redis comes back and
after its worker dies and another takes its place."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from websockets.sync.client import ClientConnection

from tests.api.redis_cluster import cluster, presented_room
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_visualizer import trace
from tests.support.cluster import App, receive_until, running, send

WIDTHS = (390, 700, 1440, 1920)


def shoot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"))
    page.set_viewport_size({"width": 1440, "height": 900})


def test_a_followers_page_through_redis_away_and_a_worker_dying(
    browser: Browser, tmp_path: Path
) -> None:
    redis, (app,) = cluster(tmp_path, 1, [])
    with running(redis, [app]):
        told = trace(app.http(""), "qemu-emulated")
        presenter, room = presented_room(app, step=5)
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        page = context.new_page()
        page.goto(app.http(f"/?room={room['code']}"))
        narration = page.locator("vv-narration .text")
        expect(narration).to_have_text(told["steps"][5]["narration"])
        notice = page.locator(".room-notice")  # in the page header, beside the room
        expect(notice).to_have_count(0)

        redis.kill()
        expect(notice).to_contain_text("only among the screens connected to this server")
        send(presenter, {"type": "step"})  # the same worker: the page still follows
        receive_until(presenter, "position")
        expect(narration).to_have_text(told["steps"][6]["narration"])
        shoot(page, "room-local-notice")
        redis.start()
        expect(notice).to_have_count(0)

        app.kill()  # the page's worker dies; another starts in its place (same address)
        expect(page.get_by_text("connecting again")).to_be_visible()
        app.start()
        expect(page.locator("header .room")).to_contain_text("following the presenter")
        again = rejoin_as_presenter(app, room)
        send(again, {"type": "step"})
        assert receive_until(again, "position")[-1]["step"] == 7
        expect(narration).to_have_text(told["steps"][7]["narration"])
        context.close()


def rejoin_as_presenter(app: App, room: dict[str, str]) -> ClientConnection:
    ws = app.connect()
    send(ws, {"type": "join", "version": 2, "room": room["code"], "token": room["presenter_token"]})
    assert receive_until(ws, "position")[-1]["step"] == 6
    return ws
