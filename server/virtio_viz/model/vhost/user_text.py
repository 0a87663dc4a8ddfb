"""What each vhost-user message says, in the project's own words, with its values.

`describe_payload()` is the narration a story shows next to a message; `Message.describe()`
adds the message name and direction in front.
"""

from __future__ import annotations

from virtio_viz.model.vhost.structs import VringAddr, VringState
from virtio_viz.model.vhost.user_payloads import (
    MemTablePayload,
    Payload,
    RawPayload,
    U64Payload,
    VringFdPayload,
)
from virtio_viz.model.vhost.user_requests import (
    VHOST_USER_F_PROTOCOL_FEATURES,
    Request,
    protocol_feature_names,
)

R = Request

_PLAIN = {  # requests whose payload is empty
    R.GET_FEATURES: "the front-end asks which feature bits the back-end supports",
    R.SET_OWNER: "the front-end claims the back-end: a session starts",
    R.RESET_OWNER: "the front-end asks the back-end to drop its session (deprecated)",
    R.SET_LOG_FD: "the front-end hands over the eventfd to signal after dirty-page logging",
    R.GET_PROTOCOL_FEATURES: "the front-end asks which protocol extensions the back-end has",
    R.GET_QUEUE_NUM: "the front-end asks how many queues the back-end can serve",
    R.SET_BACKEND_REQ_FD: "the front-end hands over a socket for the back-end's own requests",
    R.RESET_DEVICE: "the front-end asks the back-end to reset the device and disable its rings",
    R.GET_MAX_MEM_SLOTS: "the front-end asks how many memory regions the back-end can map",
    R.GET_STATUS: "the front-end asks for the device status byte",
}

_FD_TEXT = {  # (with an eventfd, with bit 8 set: no eventfd)
    R.SET_VRING_KICK: (
        "the front-end hands over the eventfd that carries guest kicks for vring {i}",
        "no kick eventfd for vring {i}: the back-end polls the ring instead",
    ),
    R.SET_VRING_CALL: (
        "the front-end hands over the eventfd the back-end signals to interrupt the guest "
        "for vring {i}",
        "no call eventfd for vring {i}: the front-end polls for used buffers instead",
    ),
    R.SET_VRING_ERR: (
        "the front-end hands over the eventfd the back-end signals if vring {i} fails",
        "no error eventfd for vring {i}",
    ),
}


def _features(value: int) -> str:
    extra = " (protocol features in use)" if value >> VHOST_USER_F_PROTOCOL_FEATURES & 1 else ""
    return f"0x{value:x}{extra}"


def _u64_request(request: Request, value: int) -> str:
    if request == R.SET_FEATURES:
        return f"the front-end turns on feature bits {_features(value)}"
    if request == R.SET_PROTOCOL_FEATURES:
        names = protocol_feature_names(value)
        return f"the front-end turns on protocol extensions 0x{value:x} ({names})"
    if request == R.SET_STATUS:
        return f"the front-end writes device status 0x{value:x}"
    if request == R.NET_SET_MTU:
        return f"the front-end tells the back-end the host MTU is {value}"
    if request == R.SEND_RARP:
        mac = value.to_bytes(8, "little")[:6].hex(":")
        return f"the front-end asks the back-end to announce guest MAC {mac} after migration"
    return f"u64 0x{value:x}"


def _state_request(request: Request, state: VringState) -> str:
    i, num = state.index, state.num
    if request == R.SET_VRING_NUM:
        return f"vring {i} gets {num} entries"
    if request == R.SET_VRING_BASE:
        return f"vring {i} starts at available index {num}"
    if request == R.GET_VRING_BASE:
        return f"the front-end stops vring {i} and asks which available index it reached"
    if request == R.SET_VRING_ENABLE:
        return f"vring {i} is {'enabled' if num else 'disabled'}"
    if request == R.VRING_KICK:
        return f"an in-band kick for vring {i}"
    return f"vring {i}, num {num}"


def _addr_request(addr: VringAddr) -> str:
    log = f", used-ring writes logged at 0x{addr.log_guest_addr:x}" if addr.logging else ""
    return (
        f"vring {addr.index} lives at descriptors 0x{addr.desc_user_addr:x}, "
        f"available ring 0x{addr.avail_user_addr:x}, used ring 0x{addr.used_user_addr:x} "
        f"(front-end virtual addresses){log}"
    )


def _mem_table(table: MemTablePayload) -> str:
    parts = [
        f"guest 0x{r.guest_phys_addr:x}+0x{r.memory_size:x} at front-end 0x{r.userspace_addr:x}"
        f" (fd offset 0x{r.mmap_offset:x})"
        for r in table.regions
    ]
    count = len(table.regions)
    return f"the front-end shares {count} memory region(s), one fd each: " + "; ".join(parts)


def _reply(request: Request, payload: Payload) -> str:
    if isinstance(payload, VringState):
        return f"vring {payload.index} stopped at available index {payload.num}"
    if not isinstance(payload, U64Payload):
        return f"{len(payload.encode())} payload bytes"
    value = payload.value
    if request == R.GET_FEATURES:
        return f"the back-end supports feature bits {_features(value)}"
    if request == R.GET_PROTOCOL_FEATURES:
        names = protocol_feature_names(value)
        return f"the back-end supports protocol extensions 0x{value:x} ({names})"
    if request == R.GET_QUEUE_NUM:
        return f"the back-end can serve {value} queues"
    if request == R.GET_MAX_MEM_SLOTS:
        return f"the back-end can map {value} memory regions"
    if request == R.GET_STATUS:
        return f"the device status is 0x{value:x}"
    return "success" if value == 0 else f"failure (status {value})"


def describe_payload(request: Request, payload: Payload, reply: bool) -> str:
    if reply:
        return _reply(request, payload)
    if request in _PLAIN:
        return _PLAIN[request]
    if isinstance(payload, U64Payload):
        return _u64_request(request, payload.value)
    if isinstance(payload, VringState):
        return _state_request(request, payload)
    if isinstance(payload, VringAddr):
        return _addr_request(payload)
    if isinstance(payload, MemTablePayload):
        return _mem_table(payload)
    if isinstance(payload, VringFdPayload):
        with_fd, without_fd = _FD_TEXT[request]
        return (without_fd if payload.no_fd else with_fd).format(i=payload.index)
    if isinstance(payload, RawPayload):
        return f"{len(payload.data)} payload bytes (not modelled)"
    return "no payload"
