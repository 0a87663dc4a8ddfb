"""Just enough of a vhost-user back-end for QEMU to finish starting: it listens on a unix
socket, answers VHOST_USER_GET_FEATURES with the vhost-user story's back-end features
(less VHOST_USER_F_PROTOCOL_FEATURES, which would open a longer conversation) and reads
everything else, closing the file descriptors that come along. It speaks through the
model's own vhost-user codec, so the messages are the ones the story shows."""

from __future__ import annotations

import array
import os
import socket
import threading
from pathlib import Path
from types import TracebackType

from virtio_viz.model.vhost import user
from virtio_viz.model.vhost.user_requests import Request
from virtio_viz.scenarios.stories.vhost_user import BACKEND_FEATURES

PROTOCOL_FEATURES_BIT = 30
FEATURES = BACKEND_FEATURES & ~(1 << PROTOCOL_FEATURES_BIT)


class Responder:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.requests: list[str] = []
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(str(path))
        self.server.listen(1)
        self.server.settimeout(60)
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> Responder:
        self.thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:  # fmt: skip
        self.server.close()
        self.thread.join(timeout=10)

    def _serve(self) -> None:
        try:
            connection, _ = self.server.accept()
        except OSError:
            return
        with connection:
            while (message := self._receive(connection)) is not None:
                self.requests.append(message.request.full_name)
                if message.request == Request.GET_FEATURES:
                    connection.sendall(user.u64_reply(Request.GET_FEATURES, FEATURES).encode())

    @staticmethod
    def _receive(connection: socket.socket) -> user.Message | None:
        fds = array.array("i")
        header, ancillary, _, _ = connection.recvmsg(
            user.HEADER.size, socket.CMSG_SPACE(8 * fds.itemsize)
        )
        if len(header) < user.HEADER.size:
            return None
        for level, kind, data in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(data[: len(data) - len(data) % fds.itemsize])
        for fd in fds:
            os.close(fd)
        size = user.HEADER.unpack(header)[2]
        payload = b""
        while len(payload) < size:
            chunk = connection.recv(size - len(payload))
            if not chunk:
                return None
            payload += chunk
        return user.decode(header + payload)
