"""model/ is sans-IO: stdlib only, and no clock, randomness, threads or I/O."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

MODEL = Path(__file__).resolve().parents[2] / "server" / "virtio_viz" / "model"

# stdlib modules that would give the model I/O, time, nondeterminism or concurrency
FORBIDDEN = {
    "asyncio", "datetime", "io", "multiprocessing", "os", "pathlib", "random", "secrets",
    "select", "selectors", "shutil", "socket", "subprocess", "sys", "tempfile", "threading",
    "time", "urllib", "uuid",
}  # fmt: skip


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_model_sources_exist() -> None:
    assert len(list(MODEL.rglob("*.py"))) >= 8


def test_model_imports_only_the_standard_library_and_itself() -> None:
    offenders: dict[str, set[str]] = {}
    for path in MODEL.rglob("*.py"):
        roots = imported_roots(path) - {"__future__", "virtio_viz"}
        bad = {r for r in roots if r not in sys.stdlib_module_names or r in FORBIDDEN}
        if bad:
            offenders[str(path.relative_to(MODEL))] = bad
    assert offenders == {}


def test_model_imports_nothing_outside_the_model_package() -> None:
    """But the package's __init__ imports virtio_viz.pure_model, which only picks the
    compiled modules or the sources (it reads VIRTIO_VIZ_PURE_MODEL) before any is loaded."""
    for path in MODEL.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                is_ours = node.module.startswith("virtio_viz")
                if path == MODEL / "__init__.py" and node.module == "virtio_viz.pure_model":
                    continue
                assert not is_ours or node.module.startswith("virtio_viz.model"), path
