"""The live VM on the web: start one, type into its console, export its trace.

How this works: `install_live()` hooks a `LiveVMs` into an app, and only `virtio-viz live`
calls it (a plain `serve` has no VM). It adds
- `GET /api/live`: whether this host can run a VM, and the VMs running;
- `POST /api/live`: start a VM (or claim the one `virtio-viz live` booted), answering its
  id and a secret token; whoever holds the token may type into it and stop it;
- `DELETE /api/live/{vm}` (token): stop it; `GET /api/live/{vm}/trace`: its timeline as a
  trace document, while it runs or after;
- the websocket `/ws/live/{vm}` (`?token=` to type): the console's output as it comes,
  the VM's state, and lines, keys and the panel's commands going in;
- the scenario source "live": an `open` with `options.vm` gets the VM's growing timeline,
  so sessions, rooms and the views work on it as on any story.
A VM that goes wrong ends alone: every handler here answers with a structured error.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator
from typing import Any, Literal

from fastapi import APIRouter, FastAPI, Header, Request, WebSocket
from fastapi.responses import Response
from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from starlette.websockets import WebSocketDisconnect

from virtio_viz.api import protocol as p
from virtio_viz.api.errors import ProtocolError
from virtio_viz.api.limits import origin_allowed
from virtio_viz.api.timelines import ScenarioSource
from virtio_viz.api.websocket import (
    POLICY_VIOLATION,
    TRY_AGAIN_LATER,
    TokenBucket,
    client_address,
    connection_slot,
)
from virtio_viz.live.export import export_live
from virtio_viz.live.guest import check_command
from virtio_viz.live.live_vm import COMMANDS, LiveVM, StartError
from virtio_viz.live.manager import Busy, LiveVMs
from virtio_viz.live.topology import TOPOLOGY
from virtio_viz.live.vm import VmOptions
from virtio_viz.qemu_record.errors import RecordError
from virtio_viz.timeline import Timeline

router = APIRouter()
log = logging.getLogger(__name__)
ERROR: dict[str, Any] = {"model": p.ErrorOut}
OUTBOX = 256  # console messages queued for one socket at most


class StartRequest(BaseModel):
    ring: Literal["split", "packed"] = "split"
    event_idx: bool = True
    memory_mib: int = Field(default=256, ge=128, le=1024)


class VmSummary(BaseModel):
    id: str
    state: str
    ring: str
    event_idx: bool
    memory_mib: int
    reason: str | None
    steps: int
    claimed: bool = Field(description="somebody holds its token")


class LiveStatus(BaseModel):
    available: bool
    reason: str | None
    max_vms: int
    vms: list[VmSummary]
    commands: dict[str, str]


class Started(BaseModel):
    vm: str
    token: str = Field(description="secret: whoever holds it may type into the VM and stop it")
    options: dict[str, Any]


def _summary(vm: LiveVM) -> VmSummary:
    o = vm.options
    return VmSummary(id=vm.id, state=vm.state, ring=o.ring, event_idx=o.event_idx,
                     memory_mib=o.memory_mib, reason=vm.reason, steps=len(vm.timeline),
                     claimed=vm.claimed)  # fmt: skip


def _vms(request: Request | WebSocket) -> LiveVMs:
    vms: LiveVMs = request.app.state.live_vms
    return vms


def _vm(vms: LiveVMs, vm_id: str) -> LiveVM:
    vm = vms.get(vm_id)
    if vm is None:
        raise ProtocolError("unknown_vm", "no such live VM (it may have stopped)", "vm", status=404)
    return vm


def _check_token(vm: LiveVM, token: str | None) -> None:
    if token is None or not secrets.compare_digest(token, vm.token):
        raise ProtocolError("token", "that is not this VM's token", "token", status=403)


@router.get("/api/live")
async def live_status(request: Request) -> LiveStatus:
    """Whether this server can run a live VM, and the VMs it runs."""
    vms = _vms(request)
    why = vms.unavailable
    return LiveStatus(available=why is None, reason=why, max_vms=vms.settings.max_vms,
                      vms=[_summary(vm) for vm in vms.running()], commands=COMMANDS)  # fmt: skip


@router.post("/api/live", status_code=201, responses={503: {**ERROR, "description": "busy"}})
async def start_vm(request: Request, body: StartRequest) -> Started:
    """Start a VM, or take the one `virtio-viz live` booted if nobody took it yet."""
    vms = _vms(request)
    options = VmOptions(ring=body.ring, event_idx=body.event_idx, memory_mib=body.memory_mib)
    unclaimed = next((vm for vm in vms.running() if not vm.claimed), None)
    if unclaimed is not None:
        vm = unclaimed
    else:
        try:
            vm = await vms.start(options)
        except Busy as error:
            raise ProtocolError("busy", str(error), status=503) from None
        except (RecordError, StartError) as error:
            raise ProtocolError("vm_failed", str(error), status=503) from None
    vm.claimed = True
    return Started(vm=vm.id, token=vm.token, options=vm.timeline.options.to_json())


@router.delete("/api/live/{vm_id}", status_code=204, responses={403: ERROR, 404: ERROR})
async def stop_vm(
    request: Request, vm_id: str, x_live_token: str | None = Header(default=None)
) -> Response:
    vm = _vm(_vms(request), vm_id)
    _check_token(vm, x_live_token)
    await vm.stop("its owner powered it off")
    return Response(status_code=204)


@router.get("/api/live/{vm_id}/trace", responses={404: ERROR})
async def vm_trace(request: Request, vm_id: str) -> dict[str, Any]:
    """The VM's timeline so far as a trace document (docs/trace-format.md)."""
    return await export_live(_vm(_vms(request), vm_id).timeline)


# -- the console -----------------------------------------------------------------------------
class LineIn(BaseModel):
    type: Literal["line"]
    text: str = Field(max_length=1000)


class KeysIn(BaseModel):
    type: Literal["keys"]
    text: str = Field(min_length=1, max_length=16)


class CommandIn(BaseModel):
    type: Literal["command"]
    name: str = Field(max_length=32)


CONSOLE_IN: TypeAdapter[LineIn | KeysIn | CommandIn] = TypeAdapter(LineIn | KeysIn | CommandIn)


@router.websocket("/ws/live/{vm_id}")
async def console_socket(websocket: WebSocket, vm_id: str, token: str | None = None) -> None:
    settings = websocket.app.state.viz.settings
    vms = _vms(websocket)
    vm = vms.get(vm_id)
    allowed = origin_allowed(websocket.headers.get("origin"), websocket.headers.get("host"),
                             settings.allowed_origins)  # fmt: skip
    if vm is None or not allowed:
        await websocket.close(code=POLICY_VIOLATION, reason="no such VM" if allowed else "origin")
        return
    async with connection_slot(websocket.app.state.viz.counters, settings,
                               client_address(websocket)) as refused:  # fmt: skip
        if refused:  # a console counts among the client's connections like any socket
            await websocket.accept()  # so that the client hears why
            await websocket.close(code=TRY_AGAIN_LATER, reason=refused)
            return
        await _serve_console(websocket, vms, vm, token, settings.rate_per_second)


async def _serve_console(
    websocket: WebSocket, vms: LiveVMs, vm: LiveVM, token: str | None, rate: float
) -> None:
    await websocket.accept()
    control = token is not None and secrets.compare_digest(token, vm.token)
    vms.console_watchers[vm.id] = vms.console_watchers.get(vm.id, 0) + 1
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()  # bounded by OUTBOX, but see `changed`
    sender = asyncio.create_task(_send_console(websocket, vm, outbox, control))
    try:
        await _read_console(websocket, vm, control, outbox, rate)
    finally:
        vms.console_watchers[vm.id] -= 1
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await sender
        with contextlib.suppress(Exception):
            await websocket.close()


async def _send_console(
    websocket: WebSocket, vm: LiveVM, outbox: asyncio.Queue[dict[str, Any]], control: bool
) -> None:
    """The scrollback first, then output as it comes, and the VM's state when it changes."""
    text = vm.console.decoded()
    await websocket.send_json({"type": "hello", "vm": vm.id, "control": control,
                               "state": vm.state, "reason": vm.reason, "commands": COMMANDS,
                               "output": text})  # fmt: skip

    def heard(data: bytes) -> None:
        if outbox.qsize() < OUTBOX:  # a reader that fell behind misses output, not the socket
            outbox.put_nowait({"type": "output", "text": data.decode("utf-8", "replace")})

    def changed() -> None:  # a state change is never dropped: it is what the panel shows
        outbox.put_nowait({"type": "state", "state": vm.state, "reason": vm.reason})

    vm.console.listeners.append(heard)
    vm.state_listeners.append(changed)
    try:
        while True:
            await websocket.send_json(await outbox.get())
    finally:
        vm.console.listeners.remove(heard)
        vm.state_listeners.remove(changed)


async def _read_console(
    websocket: WebSocket, vm: LiveVM, control: bool, outbox: asyncio.Queue[dict[str, Any]],
    rate: float,
) -> None:  # fmt: skip
    bucket = TokenBucket(rate, int(rate * 2))
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            raw = await websocket.receive_text()
            try:
                if not bucket.take():
                    raise ProtocolError("rate_limited", "slow down: too many messages per second")
                _console_input(vm, control, raw)
            except ProtocolError as error:
                if outbox.qsize() < OUTBOX:
                    outbox.put_nowait(error.reply.model_dump())


def _console_input(vm: LiveVM, control: bool, raw: str) -> None:
    if not control:
        raise ProtocolError("watch_only", "only the VM's owner types into it (no token)")
    try:
        message = CONSOLE_IN.validate_json(raw)
    except ValidationError as error:
        first = error.errors()[0]
        raise ProtocolError("invalid", first["msg"], ".".join(map(str, first["loc"]))) from None
    if isinstance(message, KeysIn):
        sent = vm.keys(message.text.encode())
    else:
        text = message.text if isinstance(message, LineIn) else COMMANDS.get(message.name, "")
        if not text:
            raise ProtocolError("invalid", f"known commands: {', '.join(COMMANDS)}", "name")
        try:
            check_command(text)
        except RecordError as error:
            raise ProtocolError("invalid", str(error), "text") from None
        sent = vm.command(text)
    if not sent:
        raise ProtocolError("not_ready", f"the VM is {vm.state}: it takes no input now")


# -- installing --------------------------------------------------------------------------
def install_live(app: FastAPI, vms: LiveVMs, *, boot: VmOptions | None = None) -> None:
    """Serve live VMs from `app`; with `boot`, start one when the server starts."""
    app.state.live_vms = vms
    if vms.unavailable is None:  # the menu offers a live VM only where one can run
        app.state.viz.sources[TOPOLOGY.id] = ScenarioSource(
            TOPOLOGY.id,
            "Live VM: a real Linux guest drives virtio-viz",
            TOPOLOGY.summary,
            lambda message: _open_live(vms, message),
        )
    known = len(app.router.routes)
    app.include_router(router)
    added = app.router.routes[known:]
    del app.router.routes[known:]
    app.router.routes[0:0] = added  # ahead of the frontend's catch-all mount at "/"
    previous = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        async with previous(app) as state:
            booting = asyncio.create_task(_boot(vms, boot)) if boot is not None else None
            try:
                yield state
            finally:
                if booting is not None:
                    booting.cancel()
                await vms.shutdown()

    app.router.lifespan_context = lifespan


async def _boot(vms: LiveVMs, options: VmOptions) -> None:
    try:
        vm = await vms.start(options)
    except (Busy, RecordError, StartError) as error:
        log.warning("virtio-viz live: the VM did not start: %s", error)
        return
    print(f"virtio-viz live: VM {vm.id} is booting ({options.describe()}); open the page and "
          "pick 'Live VM'", flush=True)  # fmt: skip


async def _open_live(vms: LiveVMs, message: p.Open) -> Timeline:
    vm_id = message.options.get("vm")
    if not isinstance(vm_id, str) or not vm_id:
        raise ProtocolError("unknown_vm", "a live session needs options.vm (POST /api/live)",
                            "options.vm")  # fmt: skip
    vm = vms.get(vm_id)
    if vm is None:
        raise ProtocolError("unknown_vm", "no such live VM (it may have stopped)", "options.vm")
    return vm.timeline
