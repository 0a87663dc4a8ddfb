"""The real server in a thread, and Debian's Chromium driven by Playwright.

The browser is the system's `chromium` (scripts/setup installs it): Playwright never
downloads one. Screenshots land in tests/e2e/artifacts/ for people to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, ConsoleMessage, Page, expect, sync_playwright

from tests.e2e.axe import AxeClean
from tests.support.threaded_server import free_port, running_in_thread
from virtio_viz.api import Settings, create_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ARTIFACTS = Path(__file__).parent / "artifacts"

# What the page must come to show, it may take up to 15 s to show: CI shares two cores with
# other suites, and a fork there has taken 4.5 s (Playwright's default wait is 5 s). No test
# here times the page; benchmarks/frontend_actions does.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(create_app(Settings()), host="127.0.0.1", port=port,
                            log_level="warning")  # fmt: skip
    with running_in_thread(uvicorn.Server(config)):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")  # Playwright's sync API holds an event loop while open:
def browser() -> Iterator[Browser]:  # close it between modules, so others may use asyncio
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run scripts/setup (it installs it)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


class Console:
    """Everything the page logged; errors fail the test that opened the page."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def __call__(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    opened = context.new_page()
    console = Console()
    opened.on("console", console)
    opened.on("pageerror", lambda error: console.errors.append(str(error)))
    yield opened
    ARTIFACTS.mkdir(exist_ok=True)
    opened.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert console.errors == [], console.errors


@pytest.fixture
def axe_clean() -> Iterator[AxeClean]:
    """`axe_clean.check(page, "where")` for any page, size and theme; the test fails at its
    end on any violation of any impact found in any of them."""
    checker = AxeClean()
    yield checker
    assert checker.failures == [], "\n\n".join(checker.failures)
