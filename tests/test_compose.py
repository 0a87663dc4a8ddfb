"""Docker cannot run here (and this machine's docker client has no compose plugin), so
compose.yaml and its nginx configuration are read and checked against the real project:
the app's command line parses, its Redis URL is valid and names the Redis service's port,
the proxy reaches the port the app listens on, passes websockets and the reader's
address. (tests/test_dockerfile.py checks the image itself.)"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from virtio_viz.api import Settings
from virtio_viz.api.cli import settings_from
from virtio_viz.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
NGINX = (ROOT / "deploy" / "nginx.conf").read_text()


def test_the_app_is_the_dockerfile_image_serving_several_workers_on_redis() -> None:
    app = SERVICES["app"]
    assert app["build"] == "." and (ROOT / "Dockerfile").is_file()
    command = app["command"]
    assert command[0] == "virtio-viz"
    args = build_parser().parse_args(command[1:])
    settings = settings_from(args, environ=app["environment"])
    assert settings.redis_url == "redis://redis:6379/0"
    assert args.workers > 1 and args.host == "0.0.0.0"
    assert app["deploy"]["replicas"] > 1
    assert app["depends_on"]["redis"]["condition"] == "service_healthy"
    assert app["environment"]["FORWARDED_ALLOW_IPS"]  # uvicorn's variable for proxy headers


def test_redis_listens_where_the_app_looks_and_keeps_its_data() -> None:
    redis = SERVICES["redis"]
    command = redis["command"]
    assert command[0] == "redis-server" and "--port" not in command  # the default, 6379
    assert command[command.index("--appendonly") + 1] == "yes"
    assert any(volume.endswith(":/data") for volume in redis["volumes"])
    assert redis["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]


def test_the_proxy_reaches_the_apps_port_and_passes_websockets() -> None:
    proxy = SERVICES["proxy"]
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in proxy["volumes"]
    port = build_parser().parse_args(SERVICES["app"]["command"][1:]).port
    assert re.search(rf"server app:{port}\b", NGINX)
    listen = re.search(r"listen (\d+);", NGINX)
    assert listen is not None and proxy["ports"] == [f"8000:{listen.group(1)}"]
    for header in ("Upgrade $http_upgrade", "Connection $connection_upgrade", "Host $host",
                   "X-Forwarded-For $remote_addr"):  # fmt: skip
        assert f"proxy_set_header {header};" in NGINX
    assert "proxy_http_version 1.1;" in NGINX
    body = re.search(r"client_max_body_size (\d+)m;", NGINX)
    assert body is not None and int(body.group(1)) * 2**20 >= Settings().max_body_bytes
