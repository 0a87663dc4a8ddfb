"""vhost-user front-end messages, byte for byte (QEMU docs/interop/vhost-user.rst).

How this works: a message is a 12-byte header {u32 request, u32 flags, u32 size} and
then `size` bytes of payload, all in the CPU's native byte order (little-endian on
x86_64, the host the model describes). A `Message` pairs a `Request` with a typed
payload. Which payload type a request carries, and which type its reply carries, comes
from two tables, so `decode()` refuses a message whose size or contents do not fit its
request, with a ConfigError that says what was wrong. Requests no story uses keep
their bytes as a `RawPayload`. File descriptors never appear in the bytes: they travel
beside them as SCM_RIGHTS ancillary data, and `Message.fds()` says how many.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, replace
from typing import Self

from virtio_viz.model.errors import ConfigError
from virtio_viz.model.vhost.structs import VringAddr, VringState
from virtio_viz.model.vhost.user_payloads import (
    MemTablePayload,
    NoPayload,
    Payload,
    PayloadClass,
    RawPayload,
    U64Payload,
    UserMemoryRegion,
    VringFdPayload,
)
from virtio_viz.model.vhost.user_requests import (
    CARRIES_FDS,
    FDS_WITH,
    KNOWN_FLAGS,
    NEED_REPLY,
    REPLY,
    VERSION,
    VERSION_MASK,
    Request,
    expects_reply,
)
from virtio_viz.model.vhost.user_text import describe_payload

__all__ = [
    "HEADER", "Header", "MemTablePayload", "Message", "NoPayload", "Payload", "RawPayload",
    "U64Payload", "UserMemoryRegion", "VringAddr", "VringFdPayload", "VringState", "decode",
    "packed_vring_base", "payload_class", "reply", "request", "set_mem_table", "set_vring_addr",
    "split_packed_vring_base", "u64_reply", "u64_request", "vring_base_reply", "vring_fd",
    "vring_state",
]  # fmt: skip

HEADER = struct.Struct("<III")  # request, flags, size


@dataclass(frozen=True, slots=True)
class Header:
    request: int
    flags: int
    size: int

    @classmethod
    def decode(cls, data: bytes) -> Self:
        if len(data) < HEADER.size:
            raise ConfigError(
                f"a vhost-user message needs a {HEADER.size}-byte header, got {len(data)} bytes"
            )
        request, flags, size = HEADER.unpack_from(data)
        return cls(request, flags, size)


R = Request
_REQUEST_PAYLOAD: dict[Request, PayloadClass] = {
    R.GET_FEATURES: NoPayload, R.SET_FEATURES: U64Payload, R.SET_OWNER: NoPayload,
    R.RESET_OWNER: NoPayload, R.SET_MEM_TABLE: MemTablePayload, R.SET_LOG_FD: NoPayload,
    R.SET_VRING_NUM: VringState, R.SET_VRING_ADDR: VringAddr, R.SET_VRING_BASE: VringState,
    R.GET_VRING_BASE: VringState, R.SET_VRING_KICK: VringFdPayload,
    R.SET_VRING_CALL: VringFdPayload, R.SET_VRING_ERR: VringFdPayload,
    R.GET_PROTOCOL_FEATURES: NoPayload, R.SET_PROTOCOL_FEATURES: U64Payload,
    R.GET_QUEUE_NUM: NoPayload, R.SET_VRING_ENABLE: VringState, R.SEND_RARP: U64Payload,
    R.NET_SET_MTU: U64Payload, R.SET_BACKEND_REQ_FD: NoPayload, R.RESET_DEVICE: NoPayload,
    R.VRING_KICK: VringState, R.GET_MAX_MEM_SLOTS: NoPayload, R.SET_STATUS: U64Payload,
    R.GET_STATUS: NoPayload,
}  # fmt: skip
_REPLY_PAYLOAD: dict[Request, PayloadClass] = {
    R.GET_VRING_BASE: VringState,  # every other modelled request is answered with a u64
}


def payload_class(request: Request, reply: bool) -> PayloadClass:
    """The payload type of this request (or of its reply)."""
    if not reply:
        return _REQUEST_PAYLOAD.get(request, RawPayload)
    if request in _REPLY_PAYLOAD:
        return _REPLY_PAYLOAD[request]
    return U64Payload if request in _REQUEST_PAYLOAD else RawPayload


def _check_semantics(request: Request, payload: Payload) -> None:
    """Rules a payload must follow beyond its layout (vhost-user.rst, per message)."""
    if request == R.SET_VRING_ENABLE and isinstance(payload, VringState) and payload.num > 1:
        raise ConfigError(f"SET_VRING_ENABLE num must be 0 or 1, got {payload.num}")
    if request == R.VRING_KICK and isinstance(payload, VringState) and payload.num:
        raise ConfigError(f"VRING_KICK num is reserved and must be 0, got {payload.num}")


@dataclass(frozen=True, slots=True)
class Message:
    """One vhost-user message: request id, flags (version 1, REPLY, NEED_REPLY), payload."""

    request: Request
    payload: Payload
    flags: int = VERSION

    def __post_init__(self) -> None:
        name = self.request.full_name
        if self.flags & VERSION_MASK != VERSION:
            raise ConfigError(f"{name}: flags 0x{self.flags:x} do not carry version 1")
        if self.flags & ~KNOWN_FLAGS:
            raise ConfigError(f"{name}: flags 0x{self.flags:x} set undefined bits")
        expected = payload_class(self.request, self.is_reply)
        if type(self.payload) is not expected:
            side = "reply" if self.is_reply else "request"
            raise ConfigError(
                f"a {name} {side} carries {expected.__name__}, not {type(self.payload).__name__}"
            )
        if not self.is_reply:
            _check_semantics(self.request, self.payload)

    @property
    def is_reply(self) -> bool:
        return bool(self.flags & REPLY)

    @property
    def needs_reply(self) -> bool:
        return bool(self.flags & NEED_REPLY)

    def with_need_reply(self) -> Message:
        return replace(self, flags=self.flags | NEED_REPLY)

    def encode(self) -> bytes:
        body = self.payload.encode()
        return HEADER.pack(self.request, self.flags, len(body)) + body

    def expects_reply(self, protocol_features: int = 0) -> bool:
        return expects_reply(self.request, self.flags, protocol_features)

    def fds(self, protocol_features: int = 0) -> int:
        """How many file descriptors travel with this message (SCM_RIGHTS)."""
        if self.is_reply:
            return 0
        if isinstance(self.payload, MemTablePayload):
            return len(self.payload.regions)
        if isinstance(self.payload, VringFdPayload):
            return 0 if self.payload.no_fd else 1
        gate = FDS_WITH.get(self.request)
        if gate is not None:
            return 1 if protocol_features & gate.mask else 0
        return 1 if self.request in CARRIES_FDS else 0

    def describe(self) -> str:
        """One line in the project's words: the message, its direction and its values."""
        side = "back-end -> front-end reply" if self.is_reply else "front-end -> back-end"
        text = describe_payload(self.request, self.payload, self.is_reply)
        return f"{self.request.full_name} ({side}): {text}"


def decode(data: bytes) -> Message:
    """Parse one whole message; anything malformed raises ConfigError saying why."""
    header = Header.decode(data)
    body = data[HEADER.size :]
    if header.size != len(body):
        raise ConfigError(
            f"the header announces {header.size} payload bytes but {len(body)} follow it"
        )
    try:
        request = Request(header.request)
    except ValueError:
        raise ConfigError(f"{header.request} is not a vhost-user request id") from None
    try:
        payload = payload_class(request, bool(header.flags & REPLY)).decode(body)
    except ConfigError as error:
        raise ConfigError(f"{request.full_name}: {error}") from None
    return Message(request, payload, header.flags)


# -- building the messages a vhost-user story sends ---------------------------------------
def request(kind: Request, payload: Payload | None = None) -> Message:
    return Message(kind, NoPayload() if payload is None else payload)


def reply(kind: Request, payload: Payload) -> Message:
    return Message(kind, payload, VERSION | REPLY)


def u64_request(kind: Request, value: int) -> Message:
    """SET_FEATURES / SET_PROTOCOL_FEATURES / SET_STATUS / NET_SET_MTU ..."""
    return Message(kind, U64Payload(value))


def u64_reply(kind: Request, value: int) -> Message:
    """GET_FEATURES / GET_PROTOCOL_FEATURES replies, and REPLY_ACK (0 = success)."""
    return reply(kind, U64Payload(value))


def set_mem_table(regions: tuple[UserMemoryRegion, ...]) -> Message:
    return Message(R.SET_MEM_TABLE, MemTablePayload(regions))


def vring_state(kind: Request, index: int, num: int) -> Message:
    """SET_VRING_NUM / SET_VRING_BASE / GET_VRING_BASE / SET_VRING_ENABLE."""
    return Message(kind, VringState(index, num))


def set_vring_addr(addr: VringAddr) -> Message:
    return Message(R.SET_VRING_ADDR, addr)


def vring_fd(kind: Request, index: int, *, no_fd: bool = False) -> Message:
    """SET_VRING_KICK / SET_VRING_CALL / SET_VRING_ERR."""
    return Message(kind, VringFdPayload(index, no_fd))


def vring_base_reply(index: int, base: int) -> Message:
    return reply(R.GET_VRING_BASE, VringState(index, base))


def packed_vring_base(avail_idx: int, avail_wrap: bool, used_idx: int, used_wrap: bool) -> int:
    """SET/GET_VRING_BASE num for a packed ring: avail index in bits 0-14, its wrap
    counter in bit 15, used index in bits 16-30, its wrap counter in bit 31."""
    for what, index in (("avail", avail_idx), ("used", used_idx)):
        if not 0 <= index < 1 << 15:
            raise ConfigError(f"packed {what} index {index} does not fit in 15 bits")
    return avail_idx | int(avail_wrap) << 15 | used_idx << 16 | int(used_wrap) << 31


def split_packed_vring_base(num: int) -> tuple[int, bool, int, bool]:
    """(avail_idx, avail_wrap, used_idx, used_wrap) of a packed ring's base word."""
    return num & 0x7FFF, bool(num >> 15 & 1), num >> 16 & 0x7FFF, bool(num >> 31 & 1)
