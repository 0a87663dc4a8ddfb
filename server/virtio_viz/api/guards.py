"""Two guards every HTTP response passes: the size of what comes in, and the headers
that tell a browser what the page may do.

`BodyLimit` refuses a request body over `max_bytes` before reading it, by its
Content-Length, and stops reading a streamed (chunked) body once it passes the limit:
either way the answer is 413 with the usual error shape, and the body is never held
whole. `SecurityHeaders` sends a strict Content-Security-Policy, `nosniff` and a
referrer policy on everything; every page but `/embed` refuses to be framed (the app
page holds the presenter's controls), and `/embed` may be framed by `embed_ancestors`.
Both are plain ASGI middleware, so they cost nothing on the websocket.

`ReadOnlyCORS` lets any site read what this server publishes (GET), and no site read
the answer to anything that changes state (a room's presenter token).
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from virtio_viz.api.protocol import ErrorOut

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; media-src 'self' blob:; "
    "connect-src 'self' https:; object-src 'none'; base-uri 'none'; form-action 'self'"
)
API_POLICY = "default-src 'none'"
DOCS_POLICY = (  # FastAPI's /docs and /redoc load their scripts from a CDN
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https:; "
    "worker-src 'self' blob:; object-src 'none'; base-uri 'none'"
)
DOCS = ("/docs", "/redoc")


class ReadOnlyCORS(CORSMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in {"GET", "HEAD", "OPTIONS"}:
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        seen = 0
        started = refused = False

        async def counted() -> Message:
            nonlocal seen, refused
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes and not refused:
                refused = True
                if not started:
                    await self._refuse(send)
                return {"type": "http.disconnect"}  # the app stops reading here
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if refused:  # already answered 413: whatever the app says now is not sent
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, counted, watched)

    async def _refuse(self, send: Send) -> None:
        body = ErrorOut(code="too_large", message=f"a request body may be at most "
                        f"{self.max_bytes} bytes").model_dump_json().encode()  # fmt: skip
        headers = [(b"content-type", b"application/json"), (b"connection", b"close"),
                   (b"content-length", str(len(body)).encode())]  # fmt: skip
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    def __init__(self, app: ASGIApp, embed_ancestors: tuple[str, ...]) -> None:
        self.app = app
        ancestors = " ".join(embed_ancestors) if embed_ancestors else "'none'"
        self.embed_policy = f"{PAGE_POLICY}; frame-ancestors {ancestors}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
                headers["Content-Security-Policy"] = self._policy(path, headers)
                if path != "/embed":
                    headers["X-Frame-Options"] = "DENY"
            await send(message)

        await self.app(scope, receive, with_headers)

    def _policy(self, path: str, headers: MutableHeaders) -> str:
        if path == "/embed":
            return self.embed_policy
        if path in DOCS:
            return f"{DOCS_POLICY}; frame-ancestors 'none'"
        if headers.get("content-type", "").startswith("text/html"):
            return f"{PAGE_POLICY}; frame-ancestors 'none'"
        return f"{API_POLICY}; frame-ancestors 'none'"
