"""virtio-blk requests as a story tells them: what the driver frames, what comes back.

How this works: `submit()` records the request the driver is about to build (header
type and sector, with the header's 16 bytes, the data buffer and the status byte), then
lets the model's Linux-like driver build it and kick (`BlkMachine.submit`); the device
serves it at once. `complete()` runs the driver's interrupt handler and records, for
every request it reaped, the status byte it read and the first bytes of any data.
"""

from __future__ import annotations

from virtio_viz.model.devices.blk import (
    REQ_HEADER_SIZE,
    REQUEST_NAMES,
    SECTOR_SIZE,
    STATUS_NAMES,
    VIRTIO_BLK_T_FLUSH,
    VIRTIO_BLK_T_GET_ID,
    VIRTIO_BLK_T_IN,
    VIRTIO_BLK_T_OUT,
    BlkRequestHeader,
)
from virtio_viz.model.machine import BlkMachine
from virtio_viz.scenarios.story import ActionSpec, ParamSpec

ID_LEN = 20  # virtio-1.2 §5.2.6: GET_ID answers 20 bytes
UAPI_NAMES = {VIRTIO_BLK_T_IN: "VIRTIO_BLK_T_IN", VIRTIO_BLK_T_OUT: "VIRTIO_BLK_T_OUT",
              VIRTIO_BLK_T_FLUSH: "VIRTIO_BLK_T_FLUSH",
              VIRTIO_BLK_T_GET_ID: "VIRTIO_BLK_T_GET_ID"}  # fmt: skip
MAX_SECTOR = 0xFFFF_FFFF  # what a reader may ask for; past capacity the device says IOERR


def type_name(kind: int) -> str:
    return UAPI_NAMES.get(kind, f"type {kind}")


def write_payload(sector: int) -> bytes:
    """One sector of recognisable text for a write."""
    return f"virtio-viz wrote this sector ({sector}) from the guest.\n".encode().ljust(
        SECTOR_SIZE, b"\0"
    )


def _printable(data: bytes) -> str:
    return "".join(chr(b) if 32 <= b < 127 else "." for b in data)


def submit(machine: BlkMachine, kind: int, sector: int, data: bytes = b"", *,
           read_len: int = 0) -> int:  # fmt: skip
    """Record the request's framing, then let the driver build it and kick."""
    header = BlkRequestHeader(kind, sector).pack()
    data_len = read_len or len(data)
    if data_len:
        way = "device-writable" if read_len else "device-readable"
        middle = f"a {data_len}-byte {way} data buffer"
    else:
        middle = "no data buffer"
    machine.log.record(
        "blk_request_framed", actor="driver", plane="data", spec="§5.2.6",
        analog="virtblk_setup_cmd() in Linux",
        summary=f"The driver frames a {type_name(kind)} ({kind}) request for sector "
        f"{sector}: a {REQ_HEADER_SIZE}-byte device-readable header {{type {kind}, reserved 0, "
        f"sector {sector}}} = {header.hex(' ')}, then {middle}, then one device-writable "
        "status byte for the answer.",
        queue=0,
        values={"type": kind, "type_name": type_name(kind), "sector": sector,
                "header": header.hex(" "), "data_len": data_len, "status_len": 1},
    )  # fmt: skip
    return machine.submit(kind, sector, data, read_len=read_len)


def complete(machine: BlkMachine) -> int:
    """The driver's interrupt handler; records each finished request. Returns how many."""
    before = len(machine.completed)
    machine.service_interrupts()
    done = machine.completed[before:]
    for request in done:
        status = STATUS_NAMES.get(request.status, f"unknown status {request.status}")
        shown = ""
        if request.data and request.status == 0:  # a failed request's data means nothing
            shown = (f"; the {len(request.data)} bytes read begin {request.data[:16].hex(' ')} "
                     f"('{_printable(request.data[:16])}') and end "
                     f"{request.data[-2:].hex(' ')}")  # fmt: skip
        machine.log.record(
            "blk_request_done", actor="driver", plane="data", spec="§5.2.6",
            analog="virtblk_done() / virtblk_request_done() in Linux",
            summary=f"The driver takes request {request.head} back "
            f"({REQUEST_NAMES.get(request.kind, type_name(request.kind))}, sector "
            f"{request.sector}) and reads its status byte: {request.status} = "
            f"VIRTIO_BLK_S_{status}{shown}.",
            queue=0,
            values={"head": request.head, "type": request.kind, "sector": request.sector,
                    "status": request.status, "status_name": status,
                    "data_len": len(request.data), "data_head": request.data[:16].hex(" ")},
        )  # fmt: skip
    return len(done)


def read(machine: BlkMachine, sector: int, sectors: int = 1) -> int:
    return submit(machine, VIRTIO_BLK_T_IN, sector, read_len=sectors * SECTOR_SIZE)


def write(machine: BlkMachine, sector: int) -> int:
    return submit(machine, VIRTIO_BLK_T_OUT, sector, write_payload(sector))


def flush(machine: BlkMachine) -> int:
    return submit(machine, VIRTIO_BLK_T_FLUSH, 0)  # §5.2.6: a flush carries sector 0


def get_id(machine: BlkMachine) -> int:
    return submit(machine, VIRTIO_BLK_T_GET_ID, 0, read_len=ID_LEN)


def _sector() -> tuple[ParamSpec, ...]:
    return (ParamSpec("sector", "int", "sector", minimum=0, maximum=MAX_SECTOR, default=0),)


ACTIONS = (
    ActionSpec("blk_read", "read a sector", "The guest reads one 512-byte sector.", _sector()),
    ActionSpec("blk_write", "write a sector", "The guest writes one 512-byte sector of text.",
               _sector()),
    ActionSpec("blk_flush", "flush", "The guest asks the device to make its writes durable."),
)  # fmt: skip


def perform(machine: BlkMachine, kind: str, sector: int) -> None:
    """A reader's blk action: submit the request and handle its interrupt."""
    if kind == "blk_read":
        read(machine, sector)
    elif kind == "blk_write":
        write(machine, sector)
    else:
        flush(machine)
    complete(machine)
