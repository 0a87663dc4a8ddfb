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
_MODULE_SCRIPT = re.compile(
    r'<script type="module" crossorigin src="/(assets/[^"]+\.js)"></script>'
)
_STYLESHEET = re.compile(r'<link rel="stylesheet" crossorigin href="/(assets/[^"]+\.css)">')


class BuildMissing(RuntimeError):
    pass


def _inline_script(text: str) -> str:
    """Script text safe inside <script>: no early `</script`, no HTML comment openers."""
    return text.replace("</script", "<\\/script").replace("<!--", "<\\!--")


def element_script(static_dir: Path | None = None) -> tuple[str, str, Path]:
    """The built index page, the `<script>` tag that loads the element and the element's
    code (one file: the `<virtio-viz>` element and everything it needs)."""
    static_dir = static_dir or Settings().static_dir
    index = static_dir / "index.html"
    if not index.is_file():
        raise BuildMissing(f"no built frontend at {static_dir} (run npm run build in frontend/)")
    page = index.read_text(encoding="utf-8")
    script = _MODULE_SCRIPT.search(page)
    if script is None:
        raise BuildMissing(f"{index} does not load a module script from assets/")
    return page, script.group(0), static_dir / script.group(1)


def render_html(trace: dict[str, Any], static_dir: Path | None = None) -> str:
    page, tag, script = element_script(static_dir)
    static_dir = script.parents[1]
    code = script.read_text(encoding="utf-8")
    page = page.replace(tag, "")
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
