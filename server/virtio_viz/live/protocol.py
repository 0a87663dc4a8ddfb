"""The back-end's side of the vhost-user protocol, as a state machine (no sockets, no fds).

How this works (the h11 style): `BackendProtocol.receive(message, fds)` takes one decoded
front-end message and the file descriptors that came with it (plain numbers here: this
module never opens, maps or closes anything) and returns an `Outcome`: the reply to send,
if any, and what the I/O layer must do (map a memory table, start or stop a ring, close
descriptors the message replaced). A message this back-end must not accept raises
`ProtocolViolation` naming what was wrong, and leaves the state exactly as it was; the
caller then drops the connection, so one bad front-end only ever ends its own VM.

The rules come from QEMU's docs/interop/vhost-user.rst:
- every message carries the descriptors its request implies, no more and no fewer;
- the front-end claims the session (SET_OWNER) before it touches a ring;
- feature and protocol-feature words may only hold bits the back-end offered;
- a ring is *started* by SET_VRING_KICK (it needs its size, its addresses, the
  features and the memory table by then) and *stopped* by GET_VRING_BASE, whose reply
  carries where the back-end stopped; SET_VRING_NUM/ADDR/BASE only while it is stopped;
- a ring is *enabled* apart from that: by SET_VRING_ENABLE once protocol features are
  in use, or from the start when the front-end turns VHOST_USER_F_PROTOCOL_FEATURES off;
- with REPLY_ACK agreed, a message with NEED_REPLY gets a u64 0 back.
Requests outside what a virtio-net back-end without extras needs are refused by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from virtio_viz.model.errors import ConfigError
from virtio_viz.model.spec import MAX_QUEUE_SIZE
from virtio_viz.model.vhost import user
from virtio_viz.model.vhost.structs import VringAddr, VringState
from virtio_viz.model.vhost.user import Message
from virtio_viz.model.vhost.user_payloads import MemTablePayload, U64Payload, VringFdPayload
from virtio_viz.model.vhost.user_requests import (
    VHOST_USER_F_PROTOCOL_FEATURES,
    ProtocolFeature,
    Request,
    protocol_feature_names,
)

R = Request
PROTOCOL_BIT = 1 << VHOST_USER_F_PROTOCOL_FEATURES
RING_PACKED = 1 << 34  # VIRTIO_F_RING_PACKED, virtio-1.2 §6
SUPPORTED = frozenset({
    R.GET_FEATURES, R.SET_FEATURES, R.SET_OWNER, R.RESET_OWNER, R.SET_MEM_TABLE,
    R.SET_VRING_NUM, R.SET_VRING_ADDR, R.SET_VRING_BASE, R.GET_VRING_BASE, R.SET_VRING_KICK,
    R.SET_VRING_CALL, R.SET_VRING_ERR, R.GET_PROTOCOL_FEATURES, R.SET_PROTOCOL_FEATURES,
    R.SET_VRING_ENABLE,
})  # fmt: skip
_BEFORE_OWNER = frozenset(
    {R.GET_FEATURES, R.GET_PROTOCOL_FEATURES, R.SET_PROTOCOL_FEATURES, R.SET_OWNER}
)


class ProtocolViolation(ConfigError):
    """The front-end sent something this back-end must refuse; the state is unchanged."""


@dataclass(slots=True)
class Vring:
    """What the front-end told the back-end about one ring."""

    index: int
    num: int = 0
    base: int = 0  # SET_VRING_BASE; split: last_avail_idx, packed: the base word
    addr: VringAddr | None = None
    kick: int | None = None
    call: int | None = None
    err: int | None = None
    enabled: bool = False
    started: bool = False


@dataclass(frozen=True, slots=True)
class MapTable:
    """Map these regions, region i from fds[i], in place of any earlier table."""

    table: MemTablePayload
    fds: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class StartRing:
    index: int


@dataclass(frozen=True, slots=True)
class StopRing:
    """Stop the ring and answer GET_VRING_BASE with where the device stopped."""

    index: int


@dataclass(frozen=True, slots=True)
class EnableRing:
    index: int
    enabled: bool


Effect = MapTable | StartRing | StopRing | EnableRing


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one message leads to: a reply (None: none, or the caller builds it for
    StopRing), effects for the I/O layer, and descriptors that are no longer needed."""

    reply: Message | None = None
    effects: tuple[Effect, ...] = ()
    release: tuple[int, ...] = ()


@dataclass(slots=True)
class BackendProtocol:
    """One connection's protocol state (see the module docstring)."""

    offered: int  # the virtio feature bits GET_FEATURES answers, bit 30 included
    offered_protocol: int
    queue_count: int = 2
    owned: bool = False
    features: int | None = None  # SET_FEATURES, once sent
    protocol: int = 0
    table: MemTablePayload | None = None
    table_fds: tuple[int, ...] = ()
    vrings: list[Vring] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.vrings = [Vring(i) for i in range(self.queue_count)]

    @property
    def packed(self) -> bool:
        return bool((self.features or 0) & RING_PACKED)

    def held_fds(self) -> tuple[int, ...]:
        """Every descriptor the state refers to (closed by the caller at the end)."""
        rings = (fd for v in self.vrings for fd in (v.kick, v.call, v.err) if fd is not None)
        return (*self.table_fds, *rings)

    # -- the one entry point ----------------------------------------------------------------
    def receive(self, message: Message, fds: tuple[int, ...]) -> Outcome:
        name = message.request.full_name
        if message.is_reply:
            raise ProtocolViolation(f"{name} comes with the REPLY flag: a front-end sends requests")
        if message.request not in SUPPORTED:
            raise ProtocolViolation(f"{name} is not supported by this back-end")
        expected = message.fds(self.protocol)
        if len(fds) != expected:
            raise ProtocolViolation(f"{name} must carry {expected} fd(s), got {len(fds)}")
        if not self.owned and message.request not in _BEFORE_OWNER:
            raise ProtocolViolation(f"{name} before VHOST_USER_SET_OWNER: nobody owns the session")
        outcome = self._handle(message, fds)
        answered_later = message.request == R.GET_VRING_BASE  # by the caller (StopRing)
        if outcome.reply is None and message.expects_reply(self.protocol) and not answered_later:
            outcome = replace(outcome, reply=user.u64_reply(message.request, 0))
        return outcome

    def _handle(self, message: Message, fds: tuple[int, ...]) -> Outcome:
        request, payload = message.request, message.payload
        if request == R.GET_FEATURES:
            return Outcome(user.u64_reply(request, self.offered))
        if request == R.GET_PROTOCOL_FEATURES:
            return Outcome(user.u64_reply(request, self.offered_protocol))
        if request == R.SET_OWNER:
            self.owned = True
            return Outcome()
        if request == R.RESET_OWNER:
            return self._reset_owner()
        if isinstance(payload, U64Payload):
            return self._u64(request, payload.value)
        if isinstance(payload, MemTablePayload):
            return self._mem_table(payload, fds)
        if isinstance(payload, VringFdPayload):
            return self._vring_fd(request, payload, fds)
        if isinstance(payload, VringAddr):
            return self._vring_addr(payload)
        assert isinstance(payload, VringState)  # every other supported request carries one
        return self._vring_state(request, payload)

    # -- features ---------------------------------------------------------------------------
    def _u64(self, request: Request, value: int) -> Outcome:
        if request == R.SET_PROTOCOL_FEATURES:
            extra = value & ~self.offered_protocol
            if extra:
                raise ProtocolViolation(
                    f"SET_PROTOCOL_FEATURES turns on {protocol_feature_names(extra)}, which "
                    "the back-end did not offer"
                )
            self.protocol = value
            return Outcome()
        extra = value & ~self.offered
        if extra:
            raise ProtocolViolation(
                f"SET_FEATURES turns on bits 0x{extra:x}, which the back-end did not offer"
            )
        self.features = value
        if value & PROTOCOL_BIT:
            return Outcome()
        # without protocol features every ring is enabled from the start (vhost-user.rst)
        effects = tuple(EnableRing(v.index, True) for v in self.vrings if not v.enabled)
        for vring in self.vrings:
            vring.enabled = True
        return Outcome(effects=effects)

    def _reset_owner(self) -> Outcome:
        stops = tuple(StopRing(v.index) for v in self.vrings if v.started)
        released = self.held_fds()
        self.owned, self.features, self.table, self.table_fds = False, None, None, ()
        self.vrings = [Vring(i) for i in range(self.queue_count)]
        return Outcome(effects=stops, release=released)

    # -- memory -----------------------------------------------------------------------------
    def _mem_table(self, table: MemTablePayload, fds: tuple[int, ...]) -> Outcome:
        if not table.regions:
            raise ProtocolViolation("SET_MEM_TABLE holds no region: the rings could live nowhere")
        for number, region in enumerate(table.regions):
            if region.memory_size == 0:
                raise ProtocolViolation(f"SET_MEM_TABLE region {number} is 0 bytes long")
        released = self.table_fds
        self.table, self.table_fds = table, fds
        return Outcome(effects=(MapTable(table, fds),), release=released)

    # -- rings ------------------------------------------------------------------------------
    def _ring(self, request: Request, index: int) -> Vring:
        if not 0 <= index < self.queue_count:
            raise ProtocolViolation(
                f"{request.full_name} names vring {index}; this back-end has vrings "
                f"0..{self.queue_count - 1} (receiveq1, transmitq1)"
            )
        return self.vrings[index]

    def _stopped(self, request: Request, vring: Vring) -> None:
        if vring.started:
            raise ProtocolViolation(
                f"{request.full_name} for vring {vring.index} while it runs: stop it first "
                "(GET_VRING_BASE)"
            )

    def _vring_state(self, request: Request, state: VringState) -> Outcome:
        vring = self._ring(request, state.index)
        if request == R.SET_VRING_ENABLE:
            vring.enabled = bool(state.num)
            return Outcome(effects=(EnableRing(vring.index, vring.enabled),))
        if request == R.GET_VRING_BASE:
            if not vring.started:
                return Outcome(user.vring_base_reply(vring.index, vring.base))
            vring.started = False
            return Outcome(effects=(StopRing(vring.index),))
        self._stopped(request, vring)
        if request == R.SET_VRING_NUM:
            if not 1 <= state.num <= MAX_QUEUE_SIZE:
                raise ProtocolViolation(
                    f"SET_VRING_NUM gives vring {vring.index} {state.num} entries; a ring holds "
                    f"1 to {MAX_QUEUE_SIZE} (virtio-1.2 §2.6)"
                )
            vring.num = state.num
        else:  # SET_VRING_BASE
            vring.base = state.num
        return Outcome()

    def _vring_addr(self, addr: VringAddr) -> Outcome:
        vring = self._ring(R.SET_VRING_ADDR, addr.index)
        self._stopped(R.SET_VRING_ADDR, vring)
        if self.table is None:
            raise ProtocolViolation(
                "SET_VRING_ADDR before SET_MEM_TABLE: the ring addresses cannot be translated"
            )
        if addr.logging:
            raise ProtocolViolation("SET_VRING_ADDR asks for dirty logging, which was not offered")
        vring.addr = addr
        return Outcome()

    def _vring_fd(self, request: Request, payload: VringFdPayload, fds: tuple[int, ...]) -> Outcome:
        vring = self._ring(request, payload.index)
        fd = fds[0] if fds else None
        if request == R.SET_VRING_CALL:
            old, vring.call = vring.call, fd
        elif request == R.SET_VRING_ERR:
            old, vring.err = vring.err, fd
        else:
            return self._kick(vring, fd)
        return Outcome(release=() if old is None else (old,))

    def _kick(self, vring: Vring, fd: int | None) -> Outcome:
        """SET_VRING_KICK hands over the kick eventfd and starts the ring."""
        missing = [what for what, there in (
            ("SET_FEATURES", self.features is not None), ("SET_MEM_TABLE", self.table is not None),
            ("SET_VRING_NUM", vring.num > 0), ("SET_VRING_ADDR", vring.addr is not None),
        ) if not there]  # fmt: skip
        if missing:
            raise ProtocolViolation(
                f"SET_VRING_KICK starts vring {vring.index}, but it lacks {', '.join(missing)}"
            )
        if fd is None:
            raise ProtocolViolation(
                f"SET_VRING_KICK for vring {vring.index} has no eventfd: this back-end does not "
                "poll rings"
            )
        if not self.packed and vring.num & (vring.num - 1):
            raise ProtocolViolation(
                f"vring {vring.index} has {vring.num} entries: a split ring's size is a power "
                "of 2 (virtio-1.2 §2.7)"
            )
        released = () if vring.kick is None else (vring.kick,)
        vring.kick, vring.started = fd, True
        return Outcome(effects=(StartRing(vring.index),), release=released)


def offered_protocol_features() -> int:
    """REPLY_ACK only: the front-end may ask for acknowledgements; nothing else is needed."""
    return ProtocolFeature.REPLY_ACK.mask
