"""`virtio-viz live`: boot a real Linux guest whose virtio-net virtio-viz serves, and show it.

Without `--headless` it serves the page (the flags of `virtio-viz serve` apply) with a
"Live VM" entry in the scenario menu, and boots a VM right away so it is ready when the
page opens. With `--headless --run CMD -o OUT` it boots the guest, runs CMD in it, writes
the trace and exits with CMD's exit status. Errors are one line and exit status 2.
See docs/live.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from virtio_viz.api.cli import serve_arguments
from virtio_viz.live import MEMORY_CHOICES


def add_live_command(commands: Any) -> None:
    live = commands.add_parser(
        "live",
        help="boot a Linux guest whose virtio-net virtio-viz serves over vhost-user",
        description="Boot a Debian kernel in QEMU (TCG) with a busybox guest whose virtio-net "
        "device is served by virtio-viz's own vhost-user back-end, and show every ring byte "
        "as Linux writes it. Needs qemu-system-x86 and busybox-static. See docs/live.md.",
    )
    serve_arguments(live)
    live.add_argument("--ring", choices=("split", "packed"), default="split")
    live.add_argument("--event-idx", choices=("on", "off"), default="on")
    live.add_argument(
        "--vm-memory",
        type=int,
        choices=MEMORY_CHOICES,
        default=256,
        metavar="MIB",
        help="guest RAM in MiB (128, 256, 512 or 1024)",
    )
    live.add_argument(
        "--max-vm-memory",
        type=int,
        default=512,
        metavar="MIB",
        help="the most RAM the page may ask for one VM (default 512)",
    )
    live.add_argument("--max-vms", type=int, default=1, help="VMs at a time (default 1)")
    live.add_argument(
        "--vm-idle",
        type=float,
        default=15 * 60,
        metavar="SECONDS",
        help="stop a VM nobody typed into for this long (default 900)",
    )
    live.add_argument(
        "--vm-steps",
        type=int,
        default=20_000,
        metavar="N",
        help="the longest live timeline; the VM stops there (default 20000)",
    )
    live.add_argument(
        "--no-boot", action="store_true", help="boot no VM at start: the page starts one when asked"
    )
    live.add_argument("--cache", metavar="DIR", help="where the Debian kernel is kept")
    live.add_argument("--headless", action="store_true", help="no page: run --run, write -o")
    live.add_argument("--run", metavar="CMD", help="(headless) a command line for the guest")
    live.add_argument("-o", "--output", metavar="TRACE", help="(headless) the trace to write")
    live.add_argument(
        "--timeout",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="(headless) give up if the guest has not finished by then",
    )
    live.set_defaults(handler=run_live)


def run_live(args: argparse.Namespace) -> int:
    from virtio_viz.live.live_vm import StartError  # noqa: PLC0415
    from virtio_viz.live.manager import Busy  # noqa: PLC0415
    from virtio_viz.qemu_record.errors import RecordError  # noqa: PLC0415

    try:
        if args.headless:
            return _headless(args)
        return _serve_live(args)
    except (RecordError, StartError, Busy) as error:
        print(f"virtio-viz: {error}", file=sys.stderr)
        return 2


def _settings(args: argparse.Namespace) -> Any:
    from virtio_viz.live.manager import LiveSettings  # noqa: PLC0415
    from virtio_viz.qemu_record.errors import RecordError  # noqa: PLC0415

    if args.max_vms < 1 or args.vm_steps < 100 or args.vm_idle <= 0:
        raise RecordError("--max-vms must be at least 1, --vm-steps at least 100, --vm-idle > 0")
    return LiveSettings(
        max_vms=args.max_vms,
        memory_mib=args.vm_memory,
        max_memory_mib=max(args.max_vm_memory, args.vm_memory),
        idle_seconds=args.vm_idle,
        max_steps=args.vm_steps,
        kernel_cache=Path(args.cache) if args.cache else None,
    )


def _options(args: argparse.Namespace) -> Any:
    from virtio_viz.live.vm import VmOptions  # noqa: PLC0415

    return VmOptions(ring=args.ring, event_idx=args.event_idx == "on", memory_mib=args.vm_memory)


def _headless(args: argparse.Namespace) -> int:
    import asyncio  # noqa: PLC0415

    from virtio_viz.live.headless import run_headless, write_trace  # noqa: PLC0415
    from virtio_viz.qemu_record.errors import RecordError  # noqa: PLC0415

    if not args.run or not args.output:
        raise RecordError("--headless needs --run CMD and -o TRACE")
    options, settings = _options(args), _settings(args)
    print(f"virtio-viz live: booting ({options.describe()}) to run: {args.run}", file=sys.stderr)

    async def go() -> tuple[int | None, int, str]:
        run = await run_headless(options, args.run, timeout=args.timeout, settings=settings)
        steps = await write_trace(run.timeline, Path(args.output))
        return run.status, steps, run.console

    status, steps, console = asyncio.run(go())
    sys.stdout.write(console)
    print(f"virtio-viz live: wrote {steps} steps to {args.output}", file=sys.stderr)
    if status is None:
        raise RecordError("the guest never said how the command ended; its console is above")
    return status


def _serve_live(args: argparse.Namespace) -> int:
    from virtio_viz.api import create_app  # noqa: PLC0415
    from virtio_viz.api.cli import serve, settings_from  # noqa: PLC0415
    from virtio_viz.api.live import install_live  # noqa: PLC0415
    from virtio_viz.live.manager import LiveVMs  # noqa: PLC0415

    vms = LiveVMs(_settings(args))
    if vms.unavailable is not None:
        print(f"virtio-viz: live VMs are not available: {vms.unavailable}", file=sys.stderr)
    app = create_app(settings_from(args))
    install_live(app, vms, boot=None if args.no_boot else _options(args))
    return serve(args, app)
