"""The README's promise: exactly two commands, and CI runs the test one."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

import virtio_viz

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.S)
    return [
        line.split("#")[0].strip()
        for block in blocks
        for line in block.splitlines()
        if line.strip()
    ]


def test_readme_has_exactly_two_commands_and_both_scripts_exist() -> None:
    commands = readme_commands()
    assert commands == ["./scripts/run", "./scripts/test"]
    for command in commands:
        script = ROOT / command
        assert script.is_file() and os.access(script, os.X_OK), command


def test_ci_runs_the_readme_test_command_and_refuses_an_empty_run() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert "./scripts/test" in ci
    assert "no tests ran" in ci


def test_the_test_command_lints_type_checks_and_runs_pytest() -> None:
    script = (ROOT / "scripts" / "test").read_text()
    for tool in ("ruff check", "ruff format --check", "mypy", "pytest"):
        assert tool in script, tool


def test_the_package_says_the_version_pyproject_gives_it() -> None:
    """Traces name their maker from `virtio_viz.__version__` (no package metadata is read
    at start-up), so it must be the version the wheel is built with."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert virtio_viz.__version__ == project["version"]
    assert f"virtio-viz {project['version']}" == virtio_viz.GENERATOR
