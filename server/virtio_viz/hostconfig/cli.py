"""`virtio-viz host SCENARIO`: print the QEMU command line and libvirt domain XML that
build the scenario on a real host, with the notes that go with them."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from virtio_viz.hostconfig import HostConfig

FORMATS = ("text", "qemu", "libvirt", "json")


def add_host_command(commands: Any) -> None:
    host = commands.add_parser(
        "host", help="the QEMU command line and libvirt XML that build a scenario for real"
    )
    host.add_argument("scenario", help="a scenario id (see `virtio-viz scenarios`)")
    host.add_argument("--transport", choices=["pci", "mmio", "ccw"])
    host.add_argument("--ring", choices=["split", "packed"])
    host.add_argument("--queue-size", type=int, help="the device's queue size (default 16)")
    host.add_argument("--no-event-idx", action="store_true", help="turn VIRTIO_F_EVENT_IDX off")
    host.add_argument("--format", choices=FORMATS, default="text",
                      help="text: both, with notes (default); qemu or libvirt: that one alone; "
                      "json: what GET /api/host/SCENARIO answers")  # fmt: skip
    host.set_defaults(handler=_host)


def _host(args: argparse.Namespace) -> int:
    from virtio_viz.hostconfig import HostConfigError, host_config  # noqa: PLC0415 (the model)

    raw: dict[str, object] = {}
    for name in ("transport", "ring", "queue_size"):
        if getattr(args, name) is not None:
            raw[name] = getattr(args, name)
    if args.no_event_idx:
        raw["event_idx"] = False
    try:
        config = host_config(args.scenario, raw)
    except HostConfigError as error:
        print(f"virtio-viz: {error.message}", file=sys.stderr)
        return 2
    sys.stdout.write(render(config, args.format))
    return 0


def render(config: HostConfig, fmt: str) -> str:
    if fmt == "qemu":
        return config.qemu_text + "\n"
    if fmt == "libvirt":
        return config.xml
    if fmt == "json":
        return json.dumps(config.to_json(), indent=2) + "\n"
    parts = ["# QEMU", config.qemu_text, "", "# libvirt domain XML", config.xml]
    if config.guest:
        parts += ["# inside the guest", *config.guest, ""]
    for note in config.notes:
        parts.append(f"note ({note.kind}): {note.text}")
    return "\n".join(parts) + "\n"
