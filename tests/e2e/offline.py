"""A page that may reach one origin and nothing else: every other request is refused
and remembered, so a test can assert that nothing tried to leave."""

from __future__ import annotations

from playwright.sync_api import Page, Route


def only_from(page: Page, *allowed: str) -> list[str]:
    """Refuse every request of `page` whose URL starts with none of `allowed`; the list
    returned fills with the refused URLs."""
    refused: list[str] = []

    def route(request: Route) -> None:
        if request.request.url.startswith(allowed):
            request.continue_()
        else:
            refused.append(request.request.url)
            request.abort()

    page.route("**/*", route)
    return refused
