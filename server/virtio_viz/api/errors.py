"""The one error type of the web layer: a code, a message, and the field at fault; and
how a refused message becomes one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from virtio_viz.api.protocol import CLIENT_MESSAGE, ClientMessage, ErrorOut

TOO_DEEP_OR_LONG = ("recursion limit", "out of range")  # what the JSON reader refuses


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


def refusal(errors: Sequence[Any], *, skip: tuple[str, ...] = ()) -> ProtocolError:
    """The first of pydantic's errors as ours: text that is not JSON is `bad_json` (400
    over REST); JSON nested too deep or with too long a number, or a missing, unknown,
    wrong-typed or out-of-range field, is `invalid` (422), naming the field. `skip`:
    leading location parts that are not a field (FastAPI's "body", "query").
    """
    first = errors[0] if errors else {"type": "", "loc": (), "msg": "invalid input"}
    message = str(first.get("msg", "invalid input"))
    if first.get("type") == "json_invalid" and not any(w in message for w in TOO_DEEP_OR_LONG):
        return ProtocolError("bad_json", message, status=400)
    where = [str(part) for part in first.get("loc", ())]
    while where and where[0] in skip:
        where.pop(0)
    return ProtocolError("invalid", message, ".".join(where) or None)


def parse_client_message(raw: str) -> ClientMessage:
    """A client's message from its JSON text, strictly (ProtocolError if refused)."""
    try:
        return CLIENT_MESSAGE.validate_json(raw, strict=True)
    except ValidationError as error:
        raise refusal(error.errors()) from None
