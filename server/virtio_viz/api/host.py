"""GET /api/host/{scenario}: the host configuration of a scenario (hostconfig/), for the
page's "run it yourself" panel. The answer is a pure function of its query, built off the
event loop and kept for the next reader asking the same."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Query
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from virtio_viz.api import protocol as p
from virtio_viz.api.errors import ProtocolError
from virtio_viz.hostconfig import HostConfigError, catalog, host_config

QueueSize = Annotated[int, Query(ge=1, le=32768, description="entries per queue (a power of 2)")]
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": p.ErrorOut, "description": "no such scenario"},
    422: {"model": p.ErrorOut, "description": "options this scenario cannot be built with"},
}


@lru_cache(maxsize=256)
def _answer(scenario: str, transport: str, ring: str, queue_size: int, event_idx: bool) -> str:
    options = {"transport": transport, "ring": ring, "queue_size": queue_size,
               "event_idx": event_idx}  # fmt: skip
    return json.dumps(host_config(scenario, options).to_json(), separators=(",", ":"))


def add_host_routes(app: FastAPI) -> None:
    @app.get("/api/host")
    async def hosts() -> dict[str, list[str]]:
        """The scenarios that have a host configuration, each with the transports it runs
        on (so a page asks only for configurations that exist)."""
        return {scenario: list(transports) for scenario, transports in catalog().items()}

    @app.get("/api/host/{scenario_id}", responses=ERRORS)
    async def host(
        scenario_id: str,
        transport: Literal["pci", "mmio", "ccw"] = "pci",
        ring: Literal["split", "packed"] = "split",
        queue_size: QueueSize = 16,
        event_idx: bool = True,
    ) -> Response:
        """The QEMU command line and libvirt domain XML that build this scenario on a real
        host, the marks saying which step lights which part, and notes
        (docs/host-configs.md)."""
        try:
            text = await run_in_threadpool(
                _answer, scenario_id, transport, ring, queue_size, event_idx
            )
        except HostConfigError as error:
            status = 404 if error.field == "scenario" and "unknown" in error.message else 422
            raise ProtocolError("host", error.message, error.field, status=status) from None
        return Response(text, media_type="application/json")
