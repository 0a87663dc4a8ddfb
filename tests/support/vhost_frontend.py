"""A scripted vhost-user front-end: QEMU's side of the socket, in Python, for the back-end's
tests (no QEMU needed).

Guest RAM is a sealed memfd, as QEMU's memory-backend-memfd makes it; the model's driver
side (the Linux-like split or packed driver queue) writes real rings into it; messages
go over a socketpair with their fds as SCM_RIGHTS, exactly as QEMU sends them; kicks and
calls are real eventfds.

Memory map: 1 MiB of guest RAM at RAM_GPA, which "QEMU" says it has at FRONTEND_VA.
    RAM_GPA + 0x1_0000 * q   ring q
    RAM_GPA + 0x8_0000 + 0x800 * n   buffer n
"""

from __future__ import annotations

import asyncio
import fcntl
import functools
import mmap
import os
import socket
import struct
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from virtio_viz.model.events import EventLog
from virtio_viz.model.memory import GuestMemory
from virtio_viz.model.packed import PackedDriverQueue, PackedLayout
from virtio_viz.model.split import SplitDriverQueue, SplitLayout
from virtio_viz.model.vhost import user
from virtio_viz.model.vhost.structs import VringAddr
from virtio_viz.model.vhost.user import Message
from virtio_viz.model.vhost.user_payloads import UserMemoryRegion
from virtio_viz.model.vhost.user_requests import ProtocolFeature, Request
from virtio_viz.model.virtqueue import Buffer

R = Request
RAM_GPA = 0x4000_0000
RAM_SIZE = 0x10_0000
FRONTEND_VA = 0x7F00_0000_0000
BUFFERS = RAM_GPA + 0x8_0000
BUFFER_SIZE = 0x800
NET_HDR = bytes(12)
PROTOCOL_FEATURES = 1 << 30
FEATURES = {"version_1": 1 << 32, "mrg_rxbuf": 1 << 15, "event_idx": 1 << 29, "packed": 1 << 34}
ALL_SEALS = fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_SEAL


def sealed_memfd(size: int, seals: int = ALL_SEALS) -> int:
    fd = os.memfd_create("guest-ram", os.MFD_ALLOW_SEALING | os.MFD_CLOEXEC)
    os.ftruncate(fd, size)
    if seals:
        fcntl.fcntl(fd, fcntl.F_ADD_SEALS, seals)
    return fd


def frontend_va(gpa: int) -> int:
    return FRONTEND_VA + gpa - RAM_GPA


@dataclass
class ScriptedFrontend:
    packed: bool = False
    event_idx: bool = True
    size: int = 8
    memfd: int = field(init=False)
    sock: socket.socket = field(init=False)
    peer: socket.socket = field(init=False)  # the back-end's end

    def __post_init__(self) -> None:
        self.memfd = sealed_memfd(RAM_SIZE)
        self.mapping = mmap.mmap(self.memfd, RAM_SIZE)
        self.memory = GuestMemory()
        self.memory.map_region("ram", RAM_GPA, memoryview(self.mapping))
        self.log = EventLog(self.memory)
        self.sock, self.peer = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.setblocking(False)
        self.kicks = {q: os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC) for q in (0, 1)}
        self.calls = {q: os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC) for q in (0, 1)}
        self.errs = {q: os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC) for q in (0, 1)}
        self.drivers: dict[int, SplitDriverQueue | PackedDriverQueue] = {}
        self.next_buffer = 0

    @property
    def features(self) -> int:
        bits = FEATURES["version_1"] | FEATURES["mrg_rxbuf"] | PROTOCOL_FEATURES
        bits |= FEATURES["event_idx"] if self.event_idx else 0
        return bits | (FEATURES["packed"] if self.packed else 0)

    def close(self) -> None:
        for fd in (*self.kicks.values(), *self.calls.values(), *self.errs.values(), self.memfd):
            os.close(fd)
        self.memory.remove_region("ram")
        self.mapping.close()
        self.sock.close()

    # -- the socket ------------------------------------------------------------------------
    async def send(self, message: Message | bytes, fds: tuple[int, ...] = ()) -> None:
        data = message if isinstance(message, bytes) else message.encode()
        sent = socket.send_fds(self.sock, [data], list(fds)) if fds else self.sock.send(data)
        assert sent == len(data)

    async def receive(self) -> Message | None:
        """The back-end's next reply, or None when it closed the connection."""
        loop = asyncio.get_running_loop()
        head = await loop.sock_recv(self.sock, 12)
        if not head:
            return None
        size = struct.unpack("<III", head)[2]
        body = await loop.sock_recv(self.sock, size) if size else b""
        return user.decode(head + body)

    async def request(self, message: Message, fds: tuple[int, ...] = ()) -> Message | None:
        """Send, and read the reply if the back-end owes one (REPLY_ACK agreed)."""
        await self.send(message, fds)
        if message.expects_reply(ProtocolFeature.REPLY_ACK.mask):
            return await self.receive()
        return None

    # -- what QEMU sends, in QEMU's order ----------------------------------------------------
    async def connect(self) -> list[Message | None]:
        """vhost_user_backend_init() and vhost_dev_init(): before the guest runs."""
        replies = [
            await self.request(user.request(R.GET_FEATURES)),
            await self.request(user.request(R.GET_PROTOCOL_FEATURES)),
            await self.request(
                user.u64_request(R.SET_PROTOCOL_FEATURES, ProtocolFeature.REPLY_ACK.mask)
            ),
            await self.request(user.request(R.SET_OWNER)),
        ]
        for q in (0, 1):
            await self.request(user.vring_fd(R.SET_VRING_CALL, q), (self.calls[q],))
            await self.request(user.vring_fd(R.SET_VRING_ERR, q), (self.errs[q],))
        return replies

    def ring_place(self, q: int) -> tuple[int, int, int]:
        """(desc, driver area, device area) guest-physical addresses of ring q."""
        base = RAM_GPA + 0x1_0000 * q
        if self.packed:
            return base, base + 0x8000, base + 0x9000
        layout = SplitLayout.contiguous(self.memory, self.size, base)
        return layout.desc_addr, layout.avail_addr, layout.used_addr

    def make_drivers(self) -> None:
        """The guest's driver allocates and initializes both rings (before DRIVER_OK)."""
        for q in (0, 1):
            desc, driver, device = self.ring_place(q)
            if self.packed:
                layout = PackedLayout.checked(self.memory, self.size, desc, driver, device)
                self.drivers[q] = PackedDriverQueue(
                    self.memory, self.log, layout, queue_index=q, event_idx=self.event_idx
                )
            else:
                split = SplitLayout.checked(self.memory, self.size, desc, driver, device)
                self.drivers[q] = SplitDriverQueue(
                    self.memory, self.log, split, queue_index=q, event_idx=self.event_idx
                )

    async def start(self, features: int | None = None) -> list[Message | None]:
        """vhost_dev_start() at DRIVER_OK: features, memory table, both rings, enable."""
        self.make_drivers()
        region = UserMemoryRegion(RAM_GPA, RAM_SIZE, FRONTEND_VA, 0)
        replies = [
            await self.request(user.u64_request(R.SET_FEATURES, features or self.features)),
            await self.request(user.set_mem_table((region,)).with_need_reply(), (self.memfd,)),
        ]
        for q in (0, 1):
            desc, driver, device = self.ring_place(q)
            await self.request(user.vring_state(R.SET_VRING_NUM, q, self.size))
            base = user.packed_vring_base(0, True, 0, True) if self.packed else 0
            await self.request(user.vring_state(R.SET_VRING_BASE, q, base))
            addr = VringAddr(q, 0, frontend_va(desc), frontend_va(device), frontend_va(driver))
            await self.request(user.set_vring_addr(addr))
            await self.request(user.vring_fd(R.SET_VRING_KICK, q), (self.kicks[q],))
            await self.request(user.vring_fd(R.SET_VRING_CALL, q), (self.calls[q],))
        await self.request(user.vring_state(R.SET_VRING_ENABLE, 0, 1))
        # the acknowledgement says the back-end has taken every message before it
        replies.append(
            await self.request(user.vring_state(R.SET_VRING_ENABLE, 1, 1).with_need_reply())
        )
        return replies

    # -- the guest's driver ------------------------------------------------------------------
    def buffer(self, data: bytes = b"", length: int = BUFFER_SIZE) -> int:
        addr = BUFFERS + BUFFER_SIZE * self.next_buffer
        self.next_buffer += 1
        self.memory.write(addr, data.ljust(length, b"\0")[:length])
        return addr

    def post_receive_buffers(self, count: int) -> list[int]:
        addrs = [self.buffer() for _ in range(count)]
        for addr in addrs:
            self.drivers[0].add_buffer([], [Buffer(addr, BUFFER_SIZE, writable=True)], addr)
        return addrs

    def transmit(self, frame: bytes) -> None:
        data = NET_HDR + frame
        addr = self.buffer(data, len(data))
        self.drivers[1].add_buffer([Buffer(addr, len(data))], [], addr)

    def kick(self, q: int) -> None:
        os.eventfd_write(self.kicks[q], 1)

    def signalled(self, fds: dict[int, int], q: int) -> int:
        """How often the back-end wrote eventfd `fds[q]` since the last look."""
        try:
            return os.eventfd_read(fds[q])
        except BlockingIOError:
            return 0


async def until(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    """Let the event loop run (the back-end shares it) until `condition` holds."""
    try:
        async with asyncio.timeout(timeout):
            while not condition():
                await asyncio.sleep(0.001)
    except TimeoutError:
        raise AssertionError(f"waited {timeout} s in vain for {what}") from None


def on_loop(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async test on a fresh event loop (pytest sees the test's own parameters)."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run
