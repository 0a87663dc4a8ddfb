"""Say in an imported trace how it was recorded.

The importer draws every QEMU trace on the `qemu-emulated` diagram, whose host side is
the usual production setup: KVM runs the guest's CPU and a tap device carries its
frames. A recording from `virtio-viz record` runs on TCG (QEMU's software CPU) with
slirp (QEMU's user-mode network) instead, so those two boxes say what stood in for
them, and the title and summary name the options and the software versions.
"""

from __future__ import annotations

from typing import Any

STAND_INS = {
    "kvm": "TCG stands in here: QEMU's software CPU runs the guest and these paths",
    "tap": "slirp stands in here: QEMU's user-mode network answers the guest",
}


def describe_recording(document: dict[str, Any], manifest: dict[str, Any]) -> None:
    """Change `document` (an imported trace) in place to name its recording."""
    options = manifest["options"]
    scenario = document["scenario"]
    scenario["title"] = f"A fresh recording: {options['description']}"
    scenario["summary"] = (
        f"{scenario['summary']} Recorded by virtio-viz record: {manifest['qemu']} with TCG, "
        f"Linux {manifest['kernel']['release']}, {manifest['busybox'].split(' (')[0]}."
    )
    for topology in [document["topology"], *(document.get("topologies") or {}).values()]:
        for box in topology["boxes"]:
            if box["id"] in STAND_INS:
                box["sublabel"] = STAND_INS[box["id"]]
