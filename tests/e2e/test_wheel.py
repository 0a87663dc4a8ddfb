"""Installed like any Python tool: the wheel is built, installed into a fresh virtual
environment outside the checkout, and used from another directory, where only what the
wheel carries can be found (the frontend build, the recordings, the console script)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.offline import only_from
from tests.support.threaded_server import free_port

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, Path]]:
    """(the wheel, the venv's bin/, a working directory outside the checkout)."""
    dist, venv = tmp_path_factory.mktemp("dist"), tmp_path_factory.mktemp("venv")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
        check=True,
        timeout=900,
    )  # fmt: skip (mypyc compiles)
    wheel = next(dist.glob("virtio_viz-*.whl"))
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check",
                    str(wheel)], check=True, timeout=600)  # fmt: skip
    yield wheel, venv / "bin", tmp_path_factory.mktemp("elsewhere")


def run(installed: tuple[Path, Path, Path], *args: str) -> subprocess.CompletedProcess[str]:
    _, bin_dir, cwd = installed
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    return subprocess.run([str(bin_dir / args[0]), *args[1:]], cwd=cwd, env=env, text=True,
                          capture_output=True, check=True, timeout=120)  # fmt: skip


def test_the_wheel_carries_the_frontend_the_recordings_and_its_metadata(
    installed: tuple[Path, Path, Path],
) -> None:
    wheel = installed[0]
    names = zipfile.ZipFile(wheel).namelist()
    assert {"virtio_viz/static/index.html", "virtio_viz/static/embed.html",
            "virtio_viz/py.typed"} <= set(names)  # fmt: skip
    assert any(n.startswith("virtio_viz/static/assets/") and n.endswith(".js") for n in names)
    assert "virtio_viz/recordings/qemu-packed/trace-virtio.log" in names
    metadata = (
        zipfile.ZipFile(wheel)
        .read(next(n for n in names if n.endswith(".dist-info/METADATA")))
        .decode()
    )
    assert "License-File: LICENSE" in metadata
    assert "Classifier: License :: OSI Approved :: MIT License" in metadata
    assert "Description-Content-Type: text/markdown" in metadata and "# virtio-viz" in metadata


def test_version_and_python_dash_m(installed: tuple[Path, Path, Path]) -> None:
    from virtio_viz import __version__  # noqa: PLC0415

    assert run(installed, "virtio-viz", "--version").stdout.strip() == f"virtio-viz {__version__}"
    assert "vdpa" in run(installed, "python", "-m", "virtio_viz", "scenarios").stdout
    where = run(installed, "python", "-c", "import virtio_viz; print(virtio_viz.__file__)")
    assert not where.stdout.startswith(str(ROOT))  # the installed copy, not the checkout
    # setup.py compiled the model's data path with mypyc, and that is what runs
    model = run(
        installed, "python", "-c", "import virtio_viz.model.split.driver as m; print(m.__file__)"
    )
    assert model.stdout.strip().endswith(".so"), model.stdout


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        body: bytes = response.read()
        return body.decode()


def test_serve_gives_the_real_frontend_and_the_recordings(
    installed: tuple[Path, Path, Path],
) -> None:
    _, bin_dir, cwd = installed
    port = free_port()
    log = (cwd / "serve.log").open("w")
    server = subprocess.Popen([str(bin_dir / "virtio-viz"), "serve", "--port", str(port)],
                              cwd=cwd, stdout=log, stderr=log)  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                _get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                assert time.monotonic() < deadline, (cwd / "serve.log").read_text()
                time.sleep(0.2)
        for page in ("/", "/embed"):
            html = _get(f"http://127.0.0.1:{port}{page}")
            assert "<virtio-viz" in html and "has not been built" not in html
            scripts = re.findall(r'(?:src|href)="/(assets/[^"]+\.js)"', html)  # entry, chunk
            assert "customElements" in "".join(
                _get(f"http://127.0.0.1:{port}/{s}") for s in scripts
            )
        assert "customElements" in _get(f"http://127.0.0.1:{port}/virtio-viz.js")  # one file
        trace = _get(f"http://127.0.0.1:{port}/api/recordings/qemu-packed/trace")
        assert '"format":"virtio-viz-trace"' in trace
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def test_an_exported_page_opens_offline_and_a_site_folder_is_written(
    installed: tuple[Path, Path, Path], page: Page
) -> None:
    _, _, cwd = installed
    run(installed, "virtio-viz", "export", "vdpa", "--html", "vdpa.html")
    run(installed, "virtio-viz", "export", "--site", "site", "vdpa", "virtio-blk")
    assert sorted(p.name for p in (cwd / "site").iterdir()) == [
        "README.md", "vdpa.json", "virtio-blk.json", "virtio-viz.js",
    ]  # fmt: skip

    only_from(page, "file://")
    page.goto((cwd / "vdpa.html").as_uri())
    count = page.locator("vv-timeline .count")
    expect(count).to_contain_text("1 /")
    page.locator("vv-timeline").get_by_role("button", name="forward one step").click()
    expect(count).to_contain_text("2 /")


def test_a_wheel_built_from_the_sdist_carries_the_frontend_too(tmp_path: Path) -> None:
    """pip and pipx build a wheel from an sdist when they are given one; here on a machine
    with no C compiler (CC names none), where the model stays pure Python."""
    subprocess.run([sys.executable, "-m", "build", "--sdist", "--outdir", str(tmp_path),
                    str(ROOT)], check=True, timeout=300, capture_output=True)  # fmt: skip
    sdist = next(tmp_path.glob("virtio_viz-*.tar.gz"))
    with tarfile.open(sdist) as packed:
        assert not [n for n in packed.getnames() if n.endswith(".so")]
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                    str(tmp_path / "wheel"), str(sdist)], check=True, timeout=300,
                   env={**os.environ, "CC": "no-such-compiler"})  # fmt: skip
    names = zipfile.ZipFile(next((tmp_path / "wheel").glob("*.whl"))).namelist()
    assert "virtio_viz/static/index.html" in names
    assert "virtio_viz/recordings/qemu-split/trace-virtio.log" in names
    assert "virtio_viz/model/split/driver.py" in names
    assert not [n for n in names if n.endswith(".so")]
