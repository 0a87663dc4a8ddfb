"""The web layer (the only package that imports FastAPI): app factory, REST, websocket.

`create_app` and `Settings` load on first use, so a command line that only needs a
submodule (`virtio_viz.api.cli` for `virtio-viz --help`) does not import FastAPI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from virtio_viz.api.app import create_app
    from virtio_viz.api.settings import Settings

__all__ = ["Settings", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from virtio_viz.api.app import create_app  # noqa: PLC0415

        return create_app
    if name == "Settings":
        from virtio_viz.api.settings import Settings  # noqa: PLC0415

        return Settings
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
