"""The one error type of the web layer: a code, a message, and the field at fault."""

from __future__ import annotations

from virtio_viz.api.protocol import ErrorOut


class ProtocolError(Exception):
    """Bad input, told to the client; `status` is the HTTP status when it comes over REST."""

    def __init__(
        self, code: str, message: str, field: str | None = None, *, status: int = 422
    ) -> None:
        super().__init__(message)
        self.code, self.message, self.field, self.status = code, message, field, status

    @property
    def reply(self) -> ErrorOut:
        return ErrorOut(code=self.code, message=self.message, field=self.field)
