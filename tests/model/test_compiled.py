"""The model runs compiled by mypyc where it was built, and the same as pure Python.

scripts/setup compiles the model when a C compiler is there (scripts/compile-model; setup.py
says which modules), as it always is where the tests run. A build that silently fell back to
Python would pass every other test, only slower, so the first test checks that the extension
modules are what is imported, and that none is older than its source. The second runs the
model's tests, the trace fingerprints and the determinism tests again in a child process with
VIRTIO_VIZ_PURE_MODEL=1, where the package ignores its extensions: the pure-Python model must
tell every story byte for byte as the compiled one does.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest

import virtio_viz.model

ROOT = Path(__file__).resolve().parents[2]
MODEL = Path(virtio_viz.model.__file__).parent
PURE_RUN = (
    "tests/model",
    "tests/timeline/test_trace_fingerprints.py",
    "tests/scenarios/test_pure.py",
)


def compiled_module_names() -> list[str]:
    """The modules pyproject.toml lists for setup.py to compile."""
    listed = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["virtio-viz"]
    names = []
    for source in sorted(path for glob in listed["compiled"] for path in MODEL.glob(glob)):
        parts = source.relative_to(MODEL.parents[1]).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def can_compile() -> bool:
    """What setup.py asks before it compiles: a C compiler and mypyc."""
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    return (
        shutil.which(os.environ.get("CC", compiler).split()[0]) is not None
        and importlib.util.find_spec("mypyc") is not None
    )


def test_the_model_is_imported_from_its_extensions_when_they_were_built() -> None:
    names = compiled_module_names()
    assert "virtio_viz.model.memory" in names and "virtio_viz.model.split" in names
    files = {name: Path(str(importlib.import_module(name).__file__)) for name in names}
    if virtio_viz.model.PURE:
        assert {path.suffix for path in files.values()} == {".py"}
        return
    assert can_compile(), "the tests' setup installs a C compiler and mypy"
    for name, path in files.items():
        assert path.name.endswith(tuple(EXTENSION_SUFFIXES)), (
            f"{name} runs as Python from {path}: scripts/compile-model says why"
        )
        source = path.with_name(path.name.split(".")[0] + ".py")
        assert path.stat().st_mtime >= source.stat().st_mtime, (
            f"{path.name} is older than {source.name}: run scripts/compile-model"
        )


def test_the_pure_python_model_tells_the_same_stories_byte_for_byte(
    request: pytest.FixtureRequest,
) -> None:
    this = request.node.nodeid  # the child runs every other test of tests/model
    child = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--deselect", this,
         *PURE_RUN],
        cwd=ROOT,
        env={**os.environ, "VIRTIO_VIZ_PURE_MODEL": "1"},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )  # fmt: skip
    assert child.returncode == 0, child.stdout[-4000:] + child.stderr[-2000:]
    assert " passed" in child.stdout and " skipped" not in child.stdout
