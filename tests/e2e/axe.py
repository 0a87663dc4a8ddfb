"""axe-core, the accessibility engine of the browsers' own dev tools, run in a page.

axe-core is a dev dependency of the frontend (frontend/package.json, installed by
scripts/setup); `audit` injects it from node_modules into the page as it is and returns
every violation of any impact, shadow roots included, each with the nodes it found.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = Path(__file__).parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"

# WCAG 2.0, 2.1 A and AA, and axe's best practices (landmarks, one h1, ...).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


# The rules whose outcome depends on colours alone: a theme that changes only colours (not
# sizes or layout) needs only these run again.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]


def audit(page: Page, rules: list[str] | None = None) -> list[dict[str, Any]]:
    """Every violation axe-core finds in the page as it is now (of `rules` only, if given)."""
    if not page.evaluate("() => 'axe' in window"):
        # through the debugger: the page's CSP allows no inline script
        page.evaluate(AXE.read_text() + "\n;0")
    found: list[dict[str, Any]] = page.evaluate(
        """async ([tags, rules]) => {
          const runOnly = rules ? { type: "rule", values: rules } : { type: "tag", values: tags };
          const result = await axe.run(document, { runOnly, resultTypes: ["violations"] });
          return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map((n) => ({ target: n.target, summary: n.failureSummary })) }));
        }""",
        [TAGS, rules],
    )
    return found


def described(violations: list[dict[str, Any]]) -> str:
    """The violations, one line per node, for an assertion message."""
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {n['target']}: {n['summary']}"
        for v in violations
        for n in v["nodes"]
    )


class AxeClean:
    """Checks pages with axe-core, gathering every violation with where it was found, so a
    test looks at many pages, sizes and themes and fails once with all of them."""

    def __init__(self) -> None:
        self.failures: list[str] = []

    def check(self, page: Page, where: str, rules: list[str] | None = None) -> None:
        found = audit(page, rules)
        if found:
            self.failures.append(f"{where}:\n{described(found)}")
