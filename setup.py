"""Packaging hooks: the built frontend goes inside the wheel, and the model is compiled.

The committed frontend build lives in `static/` beside the package (where Vite writes it
and FastAPI serves it from a checkout). A wheel must carry it inside the package, so
building copies it to `virtio_viz/static/`, where `default_static_dir()` looks first.

The model's data path (`virtio_viz/model/`, stdlib-only and mypy-strict; pyproject.toml's
`[tool.virtio-viz] compiled` lists the modules) is compiled to C extension modules with
mypyc, which makes its round trips faster (docs/BENCHMARKS.md).
The extensions sit beside the sources and win the import. Where they cannot be built (no
C compiler, no mypy, or `VIRTIO_VIZ_PURE_MODEL=1`), nothing is compiled and the same
sources run as plain Python; `VIRTIO_VIZ_PURE_MODEL=1` at run time also makes the package
ignore extensions that were built (`virtio_viz/pure_model.py`).
Everything else about the package is declared in pyproject.toml.
"""

from __future__ import annotations

import os
import shutil
import sysconfig
import tomllib
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).parent
BUILD = HERE / "static"
MODEL = Path("server") / "virtio_viz" / "model"


class BuildWithFrontend(build_py):
    def run(self) -> None:
        super().run()
        if not (BUILD / "index.html").is_file():
            raise SystemExit("static/ holds no frontend build: run `npm run build` in frontend/")
        shutil.copytree(BUILD, Path(self.build_lib) / "virtio_viz" / "static", dirs_exist_ok=True)


def compiled_model() -> list[Extension]:
    """The model's modules as mypyc extensions, or none when they cannot be built."""
    if os.environ.get("VIRTIO_VIZ_PURE_MODEL") == "1":
        return []
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(os.environ.get("CC", compiler).split()[0]) is None:
        print("virtio-viz: no C compiler, so the model stays pure Python")
        return []
    try:
        from mypyc.build import mypycify  # noqa: PLC0415 (needed only to compile)
    except ImportError:
        print("virtio-viz: mypyc is not installed, so the model stays pure Python")
        return []
    listed = tomllib.loads((HERE / "pyproject.toml").read_text())["tool"]["virtio-viz"]
    old = os.getcwd()
    os.chdir(HERE)  # mypyc names modules by their paths from here
    try:
        sources = sorted(str(path) for glob in listed["compiled"] for path in MODEL.glob(glob))
        extensions = mypycify(
            ["--config-file", "pyproject.toml", *sources], group_name="virtio_viz_model"
        )
    finally:
        os.chdir(old)
    return extensions


setup(cmdclass={"build_py": BuildWithFrontend}, ext_modules=compiled_model())
