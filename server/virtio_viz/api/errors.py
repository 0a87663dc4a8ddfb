"""The one error type of the web layer: a code, a message, and the field at fault."""

from __future__ import annotations

from virtio_viz.api.protocol import ErrorOut


class ProtocolError(Exception):
    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.field = code, message, field

    @property
    def reply(self) -> ErrorOut:
        return ErrorOut(code=self.code, message=self.message, field=self.field)
