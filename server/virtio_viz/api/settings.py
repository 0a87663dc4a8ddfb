"""The server's limits and places, with defaults, from flags or VIRTIO_VIZ_* variables.

docs/server.md ("Limits" and "Security") says what each one bounds and which attack it
answers."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # virtio_viz/
CHECKOUT_ROOT = PACKAGE_DIR.parents[1]  # server/virtio_viz/.. /..: the repository
LISTS = {"allowed_origins", "embed_ancestors"}  # comma-separated in the environment


def default_static_dir() -> Path:
    """The build shipped inside the package (a wheel), else the checkout's static/."""
    shipped = PACKAGE_DIR / "static"
    return shipped if (shipped / "index.html").is_file() else CHECKOUT_ROOT / "static"


class Settings(BaseModel):
    """Every limit of the server (docs/server.md explains each one)."""

    model_config = ConfigDict(frozen=True)

    # -- websocket messages ------------------------------------------------------------------
    max_message_bytes: int = Field(default=64 * 1024, ge=256)
    rate_per_second: float = Field(default=40, gt=0)
    rate_burst: int = Field(default=80, ge=1)
    abuse_strikes: int = Field(default=200, ge=1)
    max_outbox: int = Field(default=1024, ge=8, description="replies queued for a slow reader")
    frames_ahead: int = Field(default=32, ge=1, le=1024)
    frames_ahead_playing: int = Field(default=128, ge=1, le=4096)
    # -- connections ---------------------------------------------------------------------------
    max_connections: int = Field(default=1000, ge=1, description="websockets at once")
    max_connections_per_client: int = Field(default=250, ge=1)
    header_seconds: float = Field(default=10, gt=0, description="to send a request's head")
    keep_alive_seconds: int = Field(default=5, ge=1)
    http_concurrency: int = Field(default=256, ge=1, description="HTTP requests at once")
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    # -- sessions --------------------------------------------------------------------------------
    max_sessions: int = Field(default=1000, ge=1)
    max_sessions_per_client: int = Field(default=250, ge=1)
    idle_seconds: float = Field(default=30 * 60, gt=0)
    grace_seconds: float = Field(default=120, gt=0)
    # -- building timelines ------------------------------------------------------------------
    max_steps: int = Field(default=50_000, ge=100)
    max_upload_bytes: int = Field(default=256 * 1024, ge=1024)
    build_workers: int = Field(default=2, ge=1, le=64)
    build_seconds: float = Field(default=10, gt=0, description="CPU time one build may take")
    max_builds: int = Field(default=8, ge=1, description="builds running or waiting, in all")
    max_builds_per_client: int = Field(default=2, ge=1)
    timeline_cache: int = Field(default=32, ge=0, description="built timelines kept to share")
    # -- rooms -------------------------------------------------------------------------------
    max_rooms: int = Field(default=250, ge=1)
    rooms_per_hour: int = Field(default=20, ge=1, description="rooms one client may create")
    room_unjoined_seconds: float = Field(default=600, gt=0)
    room_idle_seconds: float = Field(default=4 * 3600, gt=0)
    max_join_failures: int = Field(default=20, ge=1, description="wrong codes or tokens")
    lockout_seconds: float = Field(default=600, gt=0)
    # -- several workers -----------------------------------------------------------------------
    redis_url: str | None = Field(default=None, description="Redis shared by every worker",
                                  pattern=r"^(redis|rediss|unix)://")  # fmt: skip
    # -- sites ----------------------------------------------------------------------------------
    allowed_origins: tuple[str, ...] = ()
    embed_ancestors: tuple[str, ...] = ("*",)
    static_dir: Path = Field(default_factory=default_static_dir)

    @model_validator(mode="after")
    def _body_holds_an_upload(self) -> Settings:
        if self.max_body_bytes < self.max_upload_bytes:
            raise ValueError("max_body_bytes must be at least max_upload_bytes")
        return self

    @property
    def close_message_bytes(self) -> int:
        """The largest message that can be valid (an `open` carrying a whole scenario file):
        anything larger closes the socket (1009), here and in uvicorn (`ws_max_size`)."""
        return self.max_message_bytes + self.max_upload_bytes

    def as_environ(self) -> dict[str, str]:
        """These settings as VIRTIO_VIZ_* variables: what `from_env` reads back (uvicorn's
        worker processes are started afresh and read their settings this way)."""
        environ = {}
        for name, value in self.model_dump().items():
            if value is None:
                continue
            text = ",".join(value) if name in LISTS else str(value)
            environ[f"VIRTIO_VIZ_{name.upper()}"] = text
        return environ

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Defaults, then VIRTIO_VIZ_<NAME> variables, then `overrides` (CLI flags)."""
        environ = dict(os.environ if environ is None else environ)
        values: dict[str, object] = {}
        for name in cls.model_fields:
            raw = environ.get(f"VIRTIO_VIZ_{name.upper()}")
            if raw is None:
                continue
            if name in LISTS:
                values[name] = tuple(o.strip() for o in raw.split(",") if o.strip())
            else:
                values[name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.model_validate(values)
