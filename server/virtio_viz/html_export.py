"""One self-contained HTML file: the built visualizer and a trace, inlined together.

The file needs no server and no network: the page's script and the trace are both in
it, and `<virtio-viz src="#virtio-viz-trace">` replays the trace from the page itself.
Opened from disk, it steps, goes back and scrubs like the live app.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from virtio_viz.api.settings import Settings

INLINE_ID = "virtio-viz-trace"
# what the built pages load the app with; an export loads the one-file element instead
_PAGE_SCRIPTS = re.compile(
    r'<script type="module" crossorigin src="/assets/[^"]+\.js"></script>\s*'
    r'|<link rel="modulepreload" crossorigin href="/assets/[^"]+\.js">\s*'
)
_ELEMENT_GLOB = "assets/element-*.js"
_STYLESHEET = re.compile(r'<link rel="stylesheet" crossorigin href="/(assets/[^"]+\.css)">')


class BuildMissing(RuntimeError):
    pass


def _inline_script(text: str) -> str:
    """Script text safe inside <script>: no early `</script`, no HTML comment openers."""
    return text.replace("</script", "<\\/script").replace("<!--", "<\\!--")


def element_script(static_dir: Path | None = None) -> tuple[str, Path]:
    """The built index page and the element's code: one module holding the `<virtio-viz>`
    element and everything it needs (frontend/vite.element.config.ts builds it)."""
    static_dir = static_dir or Settings().static_dir
    index = static_dir / "index.html"
    if not index.is_file():
        raise BuildMissing(f"no built frontend at {static_dir} (run npm run build in frontend/)")
    return index.read_text(encoding="utf-8"), element_file(static_dir)


def element_file(static_dir: Path) -> Path:
    """The one-file build of the element in `static_dir` (there is exactly one)."""
    found = sorted(static_dir.glob(_ELEMENT_GLOB))
    if len(found) != 1:
        raise BuildMissing(f"{static_dir} holds {len(found)} files {_ELEMENT_GLOB}, not one")
    return found[0]


def render_html(trace: dict[str, Any], static_dir: Path | None = None) -> str:
    page, script = element_script(static_dir)
    static_dir = script.parents[1]
    code = script.read_text(encoding="utf-8")
    page = _PAGE_SCRIPTS.sub("", page)
    for sheet in _STYLESHEET.finditer(page):
        css = (static_dir / sheet.group(1)).read_text(encoding="utf-8")
        page = page.replace(sheet.group(0), f"<style>{css}</style>")
    data = json.dumps(trace, separators=(",", ":")).replace("</", "<\\/")
    title = f"virtio-viz: {trace['scenario']['title']}"
    page = re.sub(r"<title>.*?</title>", f"<title>{title}</title>", page, count=1)
    element = f'<virtio-viz url-state src="#{INLINE_ID}"></virtio-viz>'
    page = re.sub(r"<virtio-viz[^>]*></virtio-viz>", element, page, count=1)
    inlined = (
        f'<script type="application/json" id="{INLINE_ID}">{data}</script>\n'
        f'<script type="module">{_inline_script(code)}</script>\n</body>'
    )
    return page.replace("</body>", inlined, 1)
