"""`virtio-viz serve`: run the app with uvicorn (kept light: FastAPI loads on use)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from virtio_viz.api.settings import Settings

# (flag, type, help): each sets the Settings field of the same name (docs/server.md)
LIMIT_FLAGS: tuple[tuple[str, type, str], ...] = (
    ("--max-message-bytes", int, "the largest websocket message"),
    ("--rate", float, "websocket messages per second per connection"),
    ("--max-connections", int, "websockets at once"),
    ("--max-connections-per-client", int, "websockets at once from one address"),
    ("--header-seconds", float, "time to send a request's head"),
    ("--keep-alive-seconds", int, "idle time between HTTP requests on one connection"),
    ("--http-concurrency", int, "HTTP requests at once (besides the websockets)"),
    ("--max-body-bytes", int, "the largest HTTP request body"),
    ("--max-sessions", int, "live sessions"),
    ("--max-sessions-per-client", int, "live sessions of one address"),
    ("--idle-seconds", float, "evict sessions silent this long"),
    ("--grace-seconds", float, "keep dropped sessions this long"),
    ("--max-steps", int, "the longest timeline a session may build"),
    ("--max-upload-bytes", int, "the largest scenario file or QEMU trace"),
    ("--build-workers", int, "processes that build timelines"),
    ("--build-seconds", float, "CPU time one build may take"),
    ("--max-builds", int, "builds running or waiting, in all"),
    ("--max-builds-per-client", int, "builds running or waiting for one address"),
    ("--max-rooms", int, "follow-me rooms"),
    ("--rooms-per-hour", int, "rooms one address may create an hour"),
)
FIELD_OF = {"--rate": "rate_per_second"}


def _field(flag: str) -> str:
    return FIELD_OF.get(flag, flag.removeprefix("--").replace("-", "_"))


def add_serve_command(commands: Any) -> None:
    serve = commands.add_parser("serve", help="serve the visualizer in the browser")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    for flag, kind, text in LIMIT_FLAGS:
        serve.add_argument(flag, type=kind, dest=_field(flag), help=text)
    serve.add_argument("--static-dir", help="the built frontend (default: the shipped one)")
    serve.add_argument(
        "--redis",
        dest="redis_url",
        metavar="URL",
        help="share rooms, sessions and limits with every worker through this "
        "Redis (redis://host:6379/0; default: everything in this process)",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="uvicorn worker processes on this host (more than one needs --redis)",
    )
    serve.add_argument(
        "--allow-origin",
        action="append",
        dest="allowed_origins",
        help="a site allowed to open the live view and create rooms (repeatable; * for any)",
    )
    serve.add_argument(
        "--embed-ancestor",
        action="append",
        dest="embed_ancestors",
        help="a site allowed to frame /embed (repeatable; default: any)",
    )
    serve.set_defaults(handler=_serve)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn  # noqa: PLC0415

    from virtio_viz.api import create_app  # noqa: PLC0415
    from virtio_viz.api.serving import run_workers, uvicorn_config  # noqa: PLC0415

    settings = settings_from(args)
    if args.workers < 1 or (args.workers > 1 and not settings.redis_url):
        print("virtio-viz serve: --workers above 1 needs --redis (or VIRTIO_VIZ_REDIS_URL): "
              "each worker would hold its own rooms and sessions", file=sys.stderr)  # fmt: skip
        return 2
    shown = "localhost" if args.host in {"127.0.0.1", "0.0.0.0"} else args.host
    print(f"virtio-viz is serving at http://{shown}:{args.port}/", flush=True)
    if args.workers > 1:
        run_workers(settings, args.workers, host=args.host, port=args.port, log_level="warning")
        return 0
    config = uvicorn_config(create_app(settings), settings, host=args.host, port=args.port,
                            log_level="warning")  # fmt: skip
    uvicorn.Server(config).run()
    return 0


def settings_from(args: argparse.Namespace, environ: dict[str, str] | None = None) -> Settings:
    """Defaults, then VIRTIO_VIZ_* variables, then the flags given."""
    from virtio_viz.api.settings import Settings  # noqa: PLC0415

    given = {_field(flag): getattr(args, _field(flag)) for flag, _, _ in LIMIT_FLAGS}
    lists = {name: tuple(getattr(args, name)) if getattr(args, name) else None
             for name in ("allowed_origins", "embed_ancestors")}  # fmt: skip
    return Settings.from_env(environ, static_dir=args.static_dir, redis_url=args.redis_url,
                             **given, **lists)  # fmt: skip
