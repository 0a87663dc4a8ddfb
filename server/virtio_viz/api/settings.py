"""The server's limits and places, with defaults, from flags or VIRTIO_VIZ_* variables."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # virtio_viz/
CHECKOUT_ROOT = PACKAGE_DIR.parents[1]  # server/virtio_viz/.. /..: the repository


def default_static_dir() -> Path:
    """The build shipped inside the package (a wheel), else the checkout's static/."""
    shipped = PACKAGE_DIR / "static"
    return shipped if (shipped / "index.html").is_file() else CHECKOUT_ROOT / "static"


class Settings(BaseModel):
    """Every limit of the server (docs/server.md explains each one)."""

    model_config = ConfigDict(frozen=True)

    max_message_bytes: int = Field(default=64 * 1024, ge=256)
    close_message_bytes: int = Field(
        default=1024 * 1024, ge=256, description="a message this large closes the socket (1009)"
    )
    max_sessions: int = Field(default=1000, ge=1)
    idle_seconds: float = Field(default=30 * 60, gt=0)
    grace_seconds: float = Field(default=120, gt=0)
    rate_per_second: float = Field(default=40, gt=0)
    rate_burst: int = Field(default=80, ge=1)
    abuse_strikes: int = Field(default=200, ge=1)
    max_steps: int = Field(default=50_000, ge=100)
    max_upload_bytes: int = Field(default=256 * 1024, ge=1024)
    allowed_origins: tuple[str, ...] = ()
    frames_ahead: int = Field(default=32, ge=1, le=1024)
    frames_ahead_playing: int = Field(default=128, ge=1, le=4096)
    max_outbox: int = Field(default=1024, ge=8, description="replies queued for a slow reader")
    timeline_cache: int = Field(default=32, ge=0, description="built timelines kept to share")
    max_rooms: int = Field(default=250, ge=1)
    static_dir: Path = Field(default_factory=default_static_dir)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Defaults, then VIRTIO_VIZ_<NAME> variables, then `overrides` (CLI flags)."""
        environ = dict(os.environ if environ is None else environ)
        values: dict[str, object] = {}
        for name in cls.model_fields:
            raw = environ.get(f"VIRTIO_VIZ_{name.upper()}")
            if raw is None:
                continue
            if name == "allowed_origins":
                values[name] = tuple(o.strip() for o in raw.split(",") if o.strip())
            else:
                values[name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.model_validate(values)
