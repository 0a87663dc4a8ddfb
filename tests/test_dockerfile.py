"""Docker cannot run here, so the Dockerfile is checked against the real project:
its entry point, port, health path and static directory are the ones that exist."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from fastapi.testclient import TestClient

from virtio_viz.api import Settings, create_app
from virtio_viz.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def test_it_runs_the_console_script_the_package_installs() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert 'CMD ["virtio-viz", "serve", "--host", "0.0.0.0", "--port", "8000"]' in DOCKERFILE
    assert "virtio-viz" in scripts
    args = build_parser().parse_args(["serve", "--host", "0.0.0.0", "--port", "8000"])
    assert (args.host, args.port) == ("0.0.0.0", 8000)


def test_it_exposes_that_port_and_checks_a_health_path_that_answers() -> None:
    assert re.search(r"^EXPOSE 8000$", DOCKERFILE, re.MULTILINE)
    health = re.search(r"HEALTHCHECK .*http://127\.0\.0\.1:8000(/\w+)", DOCKERFILE, re.DOTALL)
    assert health is not None
    assert TestClient(create_app(Settings())).get(health.group(1)).status_code == 200


def test_it_runs_as_a_non_root_user_from_a_slim_base_with_the_built_frontend() -> None:
    assert DOCKERFILE.startswith("# virtio-viz") and "FROM python:3.11-slim" in DOCKERFILE
    user = re.search(r"^USER (\w+)$", DOCKERFILE, re.MULTILINE)
    assert user is not None and user.group(1) != "root"
    # the wheel carries the frontend: no static directory beside it, no override
    assert "pip wheel --no-deps --wheel-dir /dist ." in DOCKERFILE
    assert "pip install /dist/*.whl" in DOCKERFILE
    assert "VIRTIO_VIZ_STATIC_DIR" not in DOCKERFILE


def test_every_file_the_wheel_build_needs_is_copied_into_the_build_stage() -> None:
    """setup.py copies static/ into the package; pyproject names README and LICENSE."""
    build = DOCKERFILE.split("FROM python:3.11-slim\n")[0]
    copied = {name for line in re.findall(r"^COPY (.+) \S+$", build, re.MULTILINE)
              for name in line.split()}  # fmt: skip
    assert {"pyproject.toml", "setup.py", "MANIFEST.in", "LICENSE", "README.md", "server",
            "static"} <= copied  # fmt: skip
    assert all((ROOT / name).exists() for name in copied)
