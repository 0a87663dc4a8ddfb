"""The Jekyll include and the Hugo shortcode of docs/embedding.md, used for real: a site
is built with each (Debian's jekyll and hugo) from the snippets exactly as the docs show
them, then its post is opened in Chromium with every request outside the site refused."""

from __future__ import annotations

import http.server
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.offline import only_from
from tests.e2e.test_site import narration
from virtio_viz.cli import main

DOCS = Path(__file__).parents[2] / "docs" / "embedding.md"
BLOCK = re.compile(r'```[\w-]+ title="([^"]+)"\n(.*?)\n```', re.DOTALL)
LAYOUT = "<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>" \
         "<body>{content}</body></html>\n"  # fmt: skip


def snippets() -> dict[tuple[str, str], str]:
    """(tool, title) -> code, from the docs' titled blocks in the Jekyll and Hugo parts."""
    text = DOCS.read_text()
    jekyll, hugo = text.index("**Jekyll**"), text.index("**Hugo**")
    found = {}
    for match in BLOCK.finditer(text):
        tool = "hugo" if match.start() > hugo else "jekyll" if match.start() > jekyll else ""
        if tool:
            found[(tool, match.group(1))] = match.group(2)
    return found


def jekyll_site(source: Path, viz: Path) -> tuple[Path, str]:
    """The built site's root and the post's path in it."""
    code = snippets()
    (source / "_includes").mkdir(parents=True)
    (source / "_includes" / "virtio-viz.html").write_text(
        code[("jekyll", "_includes/virtio-viz.html")]
    )
    (source / "_layouts").mkdir()
    (source / "_layouts" / "post.html").write_text(
        LAYOUT.format(title="{{ page.title }}", content="{{ content }}")
    )
    (source / "_posts").mkdir()
    (source / "_posts" / "2026-12-07-vdpa.md").write_text(
        f"---\nlayout: post\ntitle: vDPA\n---\nThe card reads the rings itself:\n\n"
        f"{code[('jekyll', 'a post')]}\n"
    )
    shutil.copytree(viz, source / "viz")
    subprocess.run(["jekyll", "build", "--quiet", "-s", str(source), "-d", str(source / "_site")],
                   check=True, timeout=120)  # fmt: skip
    return source / "_site", "2026/12/07/vdpa.html"


def hugo_site(source: Path, viz: Path) -> tuple[Path, str]:
    code = snippets()
    source.mkdir()
    (source / "config.toml").write_text('baseURL = "http://example.org/"\ntitle = "virtio"\n')
    (source / "layouts" / "shortcodes").mkdir(parents=True)
    (source / "layouts" / "shortcodes" / "virtio-viz.html").write_text(
        code[("hugo", "layouts/shortcodes/virtio-viz.html")]
    )
    (source / "layouts" / "_default").mkdir()
    (source / "layouts" / "_default" / "single.html").write_text(
        LAYOUT.format(title="{{ .Title }}", content="{{ .Content }}")
    )
    (source / "content" / "posts").mkdir(parents=True)
    (source / "content" / "posts" / "vdpa.md").write_text(
        f'---\ntitle: "vDPA"\n---\nThe card reads the rings itself:\n\n{code[("hugo", "a post")]}\n'
    )
    shutil.copytree(viz, source / "static" / "viz")
    subprocess.run(["hugo", "--quiet", "-s", str(source), "-d", str(source / "public")],
                   check=True, timeout=120)  # fmt: skip
    return source / "public", "posts/vdpa/index.html"


@contextmanager
def serving(root: Path) -> Iterator[str]:
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize("tool", ["jekyll", "hugo"])
def test_a_post_built_with_the_docs_snippet_plays_the_scenario(
    page: Page, tmp_path: Path, tool: str
) -> None:
    viz = tmp_path / "viz"
    assert main(["export", "--site", str(viz), "vdpa"]) == 0
    root, post = (jekyll_site if tool == "jekyll" else hugo_site)(tmp_path / "src", viz)
    html = (root / post).read_text()
    assert '<virtio-viz src="/viz/vdpa.json" step="40"></virtio-viz>' in html
    with serving(root) as origin:
        refused = only_from(page, origin)
        page.goto(f"{origin}/{post}")
        element = page.locator("virtio-viz")
        expect(element.locator("vv-narration .text")).to_have_text(narration(viz, "vdpa", 40))
        element.locator("vv-timeline").get_by_role("button", name="forward one step").click()
        expect(element.locator("vv-narration .text")).to_have_text(narration(viz, "vdpa", 41))
    assert refused == []
