"""The vhost-user socket: whole messages in, with their file descriptors; replies out.

How this works: the front-end writes each message as one `sendmsg()`: the 12-byte header,
the payload, and any descriptors as SCM_RIGHTS ancillary data, which the kernel attaches
to the first byte. So the header is read with `recvmsg()` (collecting descriptors), the
payload with plain reads, both on a non-blocking socket the event loop watches. A header
that announces more than `MAX_PAYLOAD` bytes, more descriptors than the ancillary buffer
holds (MSG_CTRUNC), or a connection that ends inside a message is a `ChannelError`.
Descriptors that arrive with a message the reader refuses are closed here: nothing leaks.
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import os
import socket

from virtio_viz.model.vhost.user import HEADER, Header

MAX_PAYLOAD = 4096  # SET_MEM_TABLE, the largest message this back-end takes, is 264 bytes
MAX_FDS = 8  # one per memory region at most (vhost-user.rst: VHOST_MEMORY_BASELINE_NREGIONS)
_FD_SPACE = socket.CMSG_SPACE(MAX_FDS * array.array("i").itemsize)


class ChannelError(Exception):
    """The byte stream itself is broken: the connection cannot go on."""


class Closed(Exception):
    """The front-end closed the connection between two messages, or went away."""


class Channel:
    def __init__(self, sock: socket.socket) -> None:
        sock.setblocking(False)
        self.sock = sock
        self._loop = asyncio.get_running_loop()

    async def receive(self) -> tuple[bytes, tuple[int, ...]]:
        """The next whole message (header + payload) and its descriptors."""
        fds: list[int] = []
        try:
            head = await self._read(HEADER.size, fds, first=True)
            size = Header.decode(head).size
            if size > MAX_PAYLOAD:
                raise ChannelError(
                    f"a message header announces {size} payload bytes; the largest message "
                    f"this back-end takes has {MAX_PAYLOAD}"
                )
            body = await self._read(size, fds, first=False) if size else b""
        except BaseException:
            close_all(fds)
            raise
        return head + body, tuple(fds)

    async def _read(self, count: int, fds: list[int], *, first: bool) -> bytes:
        data = b""
        while len(data) < count:
            await self._readable()
            try:
                chunk, ancillary, flags, _ = self.sock.recvmsg(count - len(data), _FD_SPACE)
            except (BlockingIOError, InterruptedError):
                continue
            except ConnectionResetError:
                raise Closed from None  # the front-end died (QEMU killed): it hung up
            except OSError as error:
                raise ChannelError(f"reading the socket failed: {error}") from None
            fds.extend(_descriptors(ancillary))
            if flags & socket.MSG_CTRUNC:
                raise ChannelError(f"a message carries more than {MAX_FDS} file descriptors")
            if not chunk:
                if first and not data:
                    raise Closed
                raise ChannelError(
                    f"the connection ended inside a message ({len(data)} of {count} bytes)"
                )
            data += chunk
        return data

    async def _readable(self) -> None:
        waiter: asyncio.Future[None] = self._loop.create_future()
        fileno = self.sock.fileno()
        self._loop.add_reader(fileno, _wake, waiter)
        try:
            await waiter
        finally:
            self._loop.remove_reader(fileno)

    async def send(self, data: bytes) -> None:
        try:
            await self._loop.sock_sendall(self.sock, data)
        except OSError as error:
            raise ChannelError(f"writing the socket failed: {error}") from None

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


def _descriptors(ancillary: list[tuple[int, int, bytes]]) -> list[int]:
    found: list[int] = []
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array("i")
            fds.frombytes(data[: len(data) - len(data) % fds.itemsize])
            found.extend(fds)
    return found


def close_all(fds: list[int] | tuple[int, ...]) -> None:
    for fd in fds:
        with contextlib.suppress(OSError):
            os.close(fd)
