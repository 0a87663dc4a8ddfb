"""`virtio-viz serve`: run the app with uvicorn (kept light: FastAPI loads on use)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

    from virtio_viz.api.settings import Settings


def add_serve_command(commands: Any) -> None:
    serve = commands.add_parser("serve", help="serve the visualizer in the browser")
    serve_arguments(serve)
    serve.set_defaults(handler=_serve)


def serve_arguments(serve: argparse.ArgumentParser) -> None:
    """The flags of `virtio-viz serve` (`virtio-viz live` takes them too)."""
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--max-sessions", type=int)
    serve.add_argument("--max-steps", type=int, help="the longest timeline a session may build")
    serve.add_argument("--max-message-bytes", type=int)
    serve.add_argument("--max-upload-bytes", type=int, help="the largest scenario file")
    serve.add_argument("--rate", type=float, dest="rate_per_second",
                       help="websocket messages per second per connection")  # fmt: skip
    serve.add_argument("--idle-seconds", type=float, help="evict sessions silent this long")
    serve.add_argument("--grace-seconds", type=float, help="keep dropped sessions this long")
    serve.add_argument("--static-dir", help="the built frontend (default: the shipped one)")
    serve.add_argument(
        "--allow-origin",
        action="append",
        dest="allowed_origins",
        help="a site allowed to embed the live view (repeatable; * for any)",
    )


def _serve(args: argparse.Namespace) -> int:
    from virtio_viz.api import create_app  # noqa: PLC0415

    return serve(args, create_app(settings_from(args)))


def serve(args: argparse.Namespace, app: FastAPI) -> int:
    """Run `app` with uvicorn on the host and port the flags name."""
    import uvicorn  # noqa: PLC0415

    settings: Settings = app.state.viz.settings
    shown = "localhost" if args.host in {"127.0.0.1", "0.0.0.0"} else args.host
    print(f"virtio-viz is serving at http://{shown}:{args.port}/", flush=True)
    uvicorn.run(
        app, host=args.host, port=args.port, log_level="warning",
        ws_max_size=max(settings.close_message_bytes,
                        settings.max_message_bytes + settings.max_upload_bytes),
    )  # fmt: skip
    return 0


def settings_from(args: argparse.Namespace, environ: dict[str, str] | None = None) -> Settings:
    """Defaults, then VIRTIO_VIZ_* variables, then the flags given."""
    from virtio_viz.api.settings import Settings  # noqa: PLC0415

    return Settings.from_env(
        environ,
        max_sessions=args.max_sessions, max_steps=args.max_steps,
        max_message_bytes=args.max_message_bytes, max_upload_bytes=args.max_upload_bytes,
        rate_per_second=args.rate_per_second, idle_seconds=args.idle_seconds,
        grace_seconds=args.grace_seconds, static_dir=args.static_dir,
        allowed_origins=tuple(args.allowed_origins) if args.allowed_origins else None,
    )  # fmt: skip
