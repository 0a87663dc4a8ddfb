from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from virtio_viz.api import Settings, create_app


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    static = tmp_path / "static"
    (static / "assets").mkdir(parents=True)
    (static / "index.html").write_text(
        '<!doctype html><title>virtio-viz</title><script type="module" crossorigin '
        'src="/assets/app-1a2b3c.js"></script><virtio-viz>'
    )
    (static / "assets" / "app-1a2b3c.js").write_text("console.log('hi');" * 200)
    (static / "assets" / "element-4d5e6f.js").write_text("customElements;" * 200)
    settings = Settings(static_dir=static, rate_per_second=1000, rate_burst=1000)
    with TestClient(create_app(settings)) as test_client:
        yield test_client
