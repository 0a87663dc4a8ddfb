"""The built frontend, served with the caching its file names allow.

Vite names every asset after a hash of its content, so anything under `assets/` can be
cached forever; the HTML pages that point at them must be revalidated on every visit.
Assets carry `Access-Control-Allow-Origin: *` so other sites can load the element.
"""

from __future__ import annotations

from pathlib import Path

from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from virtio_viz.html_export import ELEMENT_GLOB

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

MISSING_BUILD = """<!doctype html><meta charset="utf-8"><title>virtio-viz</title>
<p>The frontend has not been built: run <code>npm ci && npm run build</code> in
<code>frontend/</code>. The API is up: see <a href="/docs">/docs</a>.</p>"""


class FrontendFiles(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        hashed = path.startswith("assets/")
        response.headers["Cache-Control"] = IMMUTABLE if hashed else REVALIDATE
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response


def page(static_dir: Path, name: str) -> Response:
    """An HTML page of the build (index.html, embed.html ...), never cached stale."""
    file = static_dir / name
    if not file.is_file():
        return HTMLResponse(MISSING_BUILD, status_code=200 if name == "index.html" else 404,
                            headers={"Cache-Control": REVALIDATE})  # fmt: skip
    return FileResponse(file, media_type="text/html", headers={"Cache-Control": REVALIDATE})


def element_redirect(static_dir: Path) -> Response:
    """Redirect to the hashed one-file element (CORS-enabled): what other sites load."""
    found = sorted(static_dir.glob(ELEMENT_GLOB))
    if len(found) != 1:
        return Response("the frontend has not been built", status_code=404)
    return RedirectResponse(
        f"/{found[0].relative_to(static_dir).as_posix()}",
        status_code=307,
        headers={"Cache-Control": REVALIDATE, "Access-Control-Allow-Origin": "*"},
    )
