"""The built frontend, served with the caching its file names allow.

Vite names every asset after a hash of its content, so anything under `assets/` can be
cached forever; the HTML pages that point at them must be revalidated on every visit.
Assets carry `Access-Control-Allow-Origin: *` so other sites can load the element.

A hashed asset never changes, so it is gzipped once, in a worker thread, and kept: the
element's 220 KB would otherwise be compressed again for every page that loads it, on
the event loop (the app's GZip middleware), holding up every socket meanwhile. One
compression runs at a time: a burst of first requests (a class opening the page together,
or someone hammering it) waits for the one copy instead of each compressing the file.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import anyio
import anyio.to_thread
from starlette.datastructures import Headers
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from virtio_viz.html_export import BuildMissing, element_file

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

MISSING_BUILD = """<!doctype html><meta charset="utf-8"><title>virtio-viz</title>
<p>The frontend has not been built: run <code>npm ci && npm run build</code> in
<code>frontend/</code>. The API is up: see <a href="/docs">/docs</a>.</p>"""


GZIPPED_KEPT = 16  # a build has a handful of assets; a rebuild while serving adds its own
GZIP_FROM = 1024  # smaller files go as they are (the GZip middleware's own threshold)


class FrontendFiles(StaticFiles):
    def __init__(self, *, directory: Path) -> None:
        super().__init__(directory=directory)
        self._gzipped: dict[tuple[str, int, int], bytes] = {}  # (path, mtime, size) -> gzip
        self._compressing = anyio.Lock()

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        hashed = path.startswith("assets/")
        if hashed and isinstance(response, FileResponse) and _takes_gzip(scope):
            response = await self._gzip(response)
        response.headers["Cache-Control"] = IMMUTABLE if hashed else REVALIDATE
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    async def _gzip(self, file: FileResponse) -> Response:
        stat = file.stat_result
        if stat is None or stat.st_size < GZIP_FROM:
            return file
        key = (str(file.path), stat.st_mtime_ns, stat.st_size)
        body = self._gzipped.get(key)
        if body is None:
            async with self._compressing:
                body = self._gzipped.get(key) or await self._compress(key, Path(file.path))
        headers = {k: v for k, v in file.headers.items() if k in ("etag", "last-modified")}
        headers |= {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
        return Response(body, media_type=file.media_type, headers=headers)

    async def _compress(self, key: tuple[str, int, int], path: Path) -> bytes:
        body = await anyio.to_thread.run_sync(_gzip_file, path)
        if len(self._gzipped) >= GZIPPED_KEPT:
            del self._gzipped[next(iter(self._gzipped))]
        self._gzipped[key] = body
        return body


def _takes_gzip(scope: Scope) -> bool:
    return "gzip" in Headers(scope=scope).get("accept-encoding", "")


def _gzip_file(path: Path) -> bytes:
    return gzip.compress(path.read_bytes(), compresslevel=9, mtime=0)


def page(static_dir: Path, name: str) -> Response:
    """An HTML page of the build (index.html, embed.html ...), never cached stale."""
    file = static_dir / name
    if not file.is_file():
        return HTMLResponse(MISSING_BUILD, status_code=200 if name == "index.html" else 404,
                            headers={"Cache-Control": REVALIDATE})  # fmt: skip
    return FileResponse(file, media_type="text/html", headers={"Cache-Control": REVALIDATE})


def element_redirect(static_dir: Path) -> Response:
    """Redirect to the hashed one-file element (CORS-enabled): what other sites load."""
    try:
        element = element_file(static_dir)
    except BuildMissing:
        return Response("the frontend has not been built", status_code=404)
    return RedirectResponse(
        f"/{element.relative_to(static_dir).as_posix()}",
        status_code=307,
        headers={"Cache-Control": REVALIDATE, "Access-Control-Allow-Origin": "*"},
    )
