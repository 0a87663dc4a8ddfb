"""The web layer (the only package that imports FastAPI): app factory, REST, websocket."""

from __future__ import annotations

from virtio_viz.api.app import create_app
from virtio_viz.api.settings import Settings

__all__ = ["Settings", "create_app"]
