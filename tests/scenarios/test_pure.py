"""scenarios/ stays pure: the standard library, itself, the (equally pure) model and
`virtio_viz.frames` (which builds the stories' Ethernet frames, deterministically) only;
nothing from the web layer, the timeline or any other third party."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ALLOWED = ("virtio_viz.scenarios", "virtio_viz.model", "virtio_viz.frames")
SCENARIOS = Path(__file__).resolve().parents[2] / "server" / "virtio_viz" / "scenarios"


def test_scenarios_import_only_the_standard_library_the_model_and_themselves() -> None:
    offenders: dict[str, set[str]] = {}
    for path in SCENARIOS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [f"{node.module}.{alias.name}" for alias in node.names]
            bad = {
                n for n in names
                if not n.startswith(ALLOWED)
                and n.split(".")[0] not in sys.stdlib_module_names - {"os", "io", "pathlib"}
            }  # fmt: skip
            if bad:
                offenders.setdefault(path.name, set()).update(bad)
    assert len(list(SCENARIOS.rglob("*.py"))) >= 10
    assert offenders == {}
