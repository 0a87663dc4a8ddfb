"""The vhost-user back-end: one front-end connection served on the event loop.

How this works: `serve()` reads whole messages from the socket (`Channel`), decodes them
with the model's vhost-user codec, lets `BackendProtocol` decide, and carries out what it
decided: map the memory table, start a ring (translate its addresses, build the model's
device queue, watch its kick eventfd), stop a ring (answer GET_VRING_BASE with where the
device stopped), enable or disable one. Every message and reply is an event of the live
world. A kick eventfd becoming readable is a kick: the world runs the device on that
ring, and the device writes the call eventfd when the model says to interrupt.

Before each message and each kick, `before` runs: the VM uses it to read what QEMU's
trace has printed by then, so a status write Linux made before DRIVER_OK comes before
the messages QEMU sent because of it. Anything wrong with a message (its bytes, its
order, its descriptors, a region that cannot be mapped) ends this connection with a
`vhost_user_refused` event; `serve()` returns the reason and cleans up everything it
holds (readers, rings, descriptors, mappings) whatever happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import Callable

from virtio_viz.live.channel import Channel, ChannelError, Closed, close_all
from virtio_viz.live.mapping import MappingError
from virtio_viz.live.protocol import (
    BackendProtocol,
    EnableRing,
    MapTable,
    Outcome,
    ProtocolViolation,
    StartRing,
    StopRing,
    offered_protocol_features,
)
from virtio_viz.live.world import LiveWorld
from virtio_viz.model.errors import ModelError
from virtio_viz.model.vhost import user
from virtio_viz.model.vhost.user import Message
from virtio_viz.model.vhost.user_requests import VHOST_USER_F_PROTOCOL_FEATURES, Request

_EVENTFD_ONE = (1).to_bytes(8, "little")
# VERSION_1, MRG_RXBUF, INDIRECT_DESC, EVENT_IDX, RING_PACKED, ANY_LAYOUT and the
# vhost-user protocol features bit: what the model's device side serves.
FEATURE_BITS = (32, 15, 28, 29, 34, 27, VHOST_USER_F_PROTOCOL_FEATURES)
OFFERED = sum(1 << n for n in FEATURE_BITS)


class VhostUserBackend:
    def __init__(
        self, world: LiveWorld, *, before: Callable[[], None] = lambda: None,
        offered: int = OFFERED, offered_protocol: int | None = None,
    ) -> None:  # fmt: skip
        self.world = world
        self.before = before
        self.protocol = BackendProtocol(
            offered, offered_protocol_features() if offered_protocol is None else offered_protocol
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._watched: dict[int, int] = {}  # vring -> kick fd we read
        world.signal_call = self._call
        world.signal_error = self._error
        world.features(offered)
        self.messages = 0

    async def serve(self, sock: socket.socket) -> str | None:
        """Serve until the front-end hangs up (None) or must be refused (the reason)."""
        self._loop = asyncio.get_running_loop()
        channel = Channel(sock)
        self.world.connected()
        try:
            while True:
                raw, fds = await channel.receive()
                self.before()
                reply = self._handle(raw, fds)
                if reply is not None:
                    await channel.send(reply.encode())
                    self.world.reply(reply)
        except Closed:
            return None
        except (ChannelError, ProtocolViolation, MappingError, ModelError) as error:
            self.world.refused(str(error))
            return str(error)
        finally:
            self._release()
            channel.close()

    # -- one message ---------------------------------------------------------------------
    def _handle(self, raw: bytes, fds: tuple[int, ...]) -> Message | None:
        try:
            message = user.decode(raw)
        except ModelError as error:
            close_all(fds)
            raise ProtocolViolation(str(error)) from None
        self.messages += 1
        self.world.message(message, len(raw), fds)
        try:
            outcome = self.protocol.receive(message, fds)
        except ProtocolViolation:
            close_all(fds)
            raise
        self.world.vrings = self.protocol.vrings
        if message.request == Request.SET_FEATURES:
            self.world.features(self.protocol.offered, self.protocol.features)
        return self._carry_out(message, outcome)

    def _carry_out(self, message: Message, outcome: Outcome) -> Message | None:
        for fd in outcome.release:
            self._unwatch_fd(fd)
        close_all(outcome.release)
        reply = outcome.reply
        for effect in outcome.effects:
            if isinstance(effect, MapTable):
                self.world.map_table(effect.table, effect.fds)
            elif isinstance(effect, StartRing):
                self._start(effect.index)
            elif isinstance(effect, StopRing):
                self._unwatch(effect.index)
                base = self.world.stop_ring(effect.index)
                self.protocol.vrings[effect.index].base = base
                if message.request == Request.GET_VRING_BASE:
                    reply = user.vring_base_reply(effect.index, base)
            elif isinstance(effect, EnableRing):
                self.world.device.enabled[effect.index] = effect.enabled
        return reply

    def _start(self, index: int) -> None:
        vring = self.protocol.vrings[index]
        if index not in self.world.device.rings:
            self.world.start_ring(vring)
        assert vring.kick is not None and self._loop is not None
        self._unwatch(index)
        self._loop.add_reader(vring.kick, self._kicked, index, vring.kick)
        self._watched[index] = vring.kick

    # -- eventfds ------------------------------------------------------------------------
    def _kicked(self, index: int, fd: int) -> None:
        try:
            os.read(fd, 8)
        except BlockingIOError:
            return  # someone else drained it: no kick after all
        except OSError:
            self._unwatch(index)
            return
        self.before()
        self.world.kick(index)

    def _signal(self, fd: int | None) -> bool:
        if fd is None:
            return False
        try:
            os.write(fd, _EVENTFD_ONE)
        except OSError:
            return False
        return True

    def _call(self, index: int) -> bool:
        return self._signal(self.protocol.vrings[index].call)

    def _error(self, index: int) -> bool:
        return self._signal(self.protocol.vrings[index].err)

    def _unwatch(self, index: int) -> None:
        fd = self._watched.pop(index, None)
        if fd is not None and self._loop is not None:
            self._loop.remove_reader(fd)

    def _unwatch_fd(self, fd: int) -> None:
        for index, watched in list(self._watched.items()):
            if watched == fd:
                self._unwatch(index)

    def _release(self) -> None:
        for index in list(self._watched):
            self._unwatch(index)
        with contextlib.suppress(Exception):
            self.world.device.stop_all()
        close_all(self.protocol.held_fds())
        self.world.ram.unmap()
