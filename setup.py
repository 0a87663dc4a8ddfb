"""Packaging hook: the built frontend goes inside the wheel.

The committed frontend build lives in `static/` beside the package (where Vite writes it
and FastAPI serves it from a checkout). A wheel must carry it inside the package, so
building copies it to `virtio_viz/static/`, where `default_static_dir()` looks first.
Everything else about the package is declared in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

BUILD = Path(__file__).parent / "static"


class BuildWithFrontend(build_py):
    def run(self) -> None:
        super().run()
        if not (BUILD / "index.html").is_file():
            raise SystemExit("static/ holds no frontend build: run `npm run build` in frontend/")
        shutil.copytree(BUILD, Path(self.build_lib) / "virtio_viz" / "static", dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildWithFrontend})
