"""Recordings that ship with virtio-viz, made by `virtio-viz record` and replayed in the app.

Each folder under `virtio_viz/recordings/` holds what the recorder wrote (the cut QEMU
log, the QMP replies, `recording.json`, the console) except `trace.json`: the trace is
imported from the log when first asked for and kept for the life of the process, so it
always matches the importer of this version.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from virtio_viz.qemu_record.annotate import describe_recording
from virtio_viz.qemu_record.machine import TRACE_FILE

SHELF = Path(__file__).resolve().parents[1] / "recordings"
_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,40}")


@dataclass(frozen=True, slots=True)
class Shelved:
    id: str
    title: str
    summary: str

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "title": self.title, "summary": self.summary,
                "trace_url": f"/api/recordings/{self.id}/trace"}  # fmt: skip


@lru_cache(maxsize=4)
def shelf(folder: Path = SHELF) -> tuple[Shelved, ...]:
    """The shipped recordings (id: the folder's name), QEMU's defaults first. They are
    package data, so they are read once."""
    manifests = {path.parent.name: json.loads(path.read_text())
                 for path in folder.glob("*/recording.json")}  # fmt: skip

    def split_first(name: str) -> tuple[bool, str]:
        return manifests[name]["options"]["ring"] != "split", name

    order = sorted(manifests, key=split_first)
    return tuple(_shelved(name, manifests[name]) for name in order)


def _shelved(name: str, manifest: dict[str, Any]) -> Shelved:
    qemu = str(manifest["qemu"]).removeprefix("QEMU emulator version ").split(" ")[0]
    return Shelved(
        id=name,
        title=f"Real recording: {manifest['options']['description']}",
        summary=f"QEMU {qemu} (TCG) running Linux {manifest['kernel']['release']}",
    )


@lru_cache(maxsize=8)
def shelved_trace(recording_id: str, folder: Path = SHELF) -> bytes:
    """The recording imported as a virtio-viz trace, JSON-encoded. KeyError if unknown."""
    from virtio_viz.qemu_trace.cli import import_files  # noqa: PLC0415 (runs the model)

    if not _ID.fullmatch(recording_id) or not (folder / recording_id / TRACE_FILE).is_file():
        raise KeyError(recording_id)
    where = folder / recording_id
    manifest: dict[str, Any] = json.loads((where / "recording.json").read_text())
    document = import_files(where / TRACE_FILE, sorted(where.glob("qmp-*.json")))
    describe_recording(document, manifest)
    return json.dumps(document, separators=(",", ":")).encode()
