"""A blog on another origin embeds the visualizer twice: an iframe of /embed and the
<virtio-viz> element itself. Both render and step; the iframe reports its height."""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from xml.etree import ElementTree

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_visualizer import trace

DOCS = Path(__file__).parents[2] / "docs" / "embedding.md"


def documented_listener() -> str:
    """The resize listener docs/embedding.md tells bloggers to paste, verbatim."""
    found = re.search(
        r"```html\n(<script>\n.*?virtio-viz:resize.*?</script>)\n```", DOCS.read_text(), re.S
    )
    assert found, "docs/embedding.md lost its resize listener"
    return found[1]


@contextmanager
def site(directory: Path, page: str, text: str) -> Iterator[str]:
    """A static site on another origin (another port) serving one page."""
    (directory / page).write_text(text)
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/{page}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def blog(tmp_path: Path, server_url: str) -> Iterator[str]:
    with site(
        tmp_path,
        "post.html",
        f"""<!doctype html><meta charset="utf-8">
<title>A post about virtio</title><link rel="icon" href="data:,">
<p>The transmit path, step by step:</p>
<iframe id="frame" src="{server_url}/embed?scenario=qemu-emulated&step=3"
  width="900" height="400"></iframe>
<script>window.heights = []; addEventListener("message", (e) => {{
  if (e.data && e.data.type === "virtio-viz:resize") window.heights.push(e.data.height);
}});</script>
<script type="module" src="{server_url}/virtio-viz.js"></script>
<virtio-viz id="element" server="{server_url}" scenario="virtio-blk" step="2" compact
  style="display: block; height: 600px"></virtio-viz>
""",
    ) as url:
        yield url


def test_an_iframe_and_the_element_on_another_site(page: Page, server_url: str, blog: str) -> None:
    qemu, blk = trace(server_url, "qemu-emulated"), trace(server_url, "virtio-blk")
    page.goto(blog)
    frame = page.frame_locator("#frame")
    expect(frame.locator("vv-narration .text")).to_have_text(qemu["steps"][2]["narration"])
    frame.locator("vv-timeline").get_by_role("button", name="forward one step").click()
    expect(frame.locator("vv-narration .text")).to_have_text(qemu["steps"][3]["narration"])
    page.wait_for_function("window.heights.length > 0")
    element = page.locator("#element")
    expect(element.locator("vv-narration .text")).to_have_text(blk["steps"][2]["narration"])
    element.locator("vv-timeline").get_by_role("button", name="forward one step").click()
    expect(element.locator("vv-narration .text")).to_have_text(blk["steps"][3]["narration"])


def test_the_documented_listener_fits_the_iframe_to_its_content(
    page: Page, server_url: str, tmp_path: Path
) -> None:
    told = trace(server_url, "qemu-emulated")
    chapter = told["chapters"][1]  # its first step shows the chapter's introduction too
    post = f"""<!doctype html><meta charset="utf-8"><title>post</title>
<link rel="icon" href="data:,"><p>Before the embed.</p>
<iframe src="{server_url}/embed?scenario=qemu-emulated&step={chapter["first_step"] + 1}"
  title="virtio" width="700" height="150" style="border: 0"></iframe>
<p>After the embed.</p>
{documented_listener()}"""
    with site(tmp_path, "post.html", post) as url:
        page.set_viewport_size({"width": 900, "height": 700})
        page.goto(url)
        frame = page.frame_locator("iframe")
        text = frame.locator("vv-narration .text")
        expect(text).to_have_text(told["steps"][chapter["first_step"]]["narration"])
        iframe = page.locator("iframe")

        def fits() -> int:
            """The iframe is as tall as what it shows: nothing cut off, nothing scrolls."""
            content = int(
                frame.locator("virtio-viz").evaluate(
                    "v => Math.ceil(v.getBoundingClientRect().height)"
                )
            )
            expect(iframe).to_have_attribute("style", re.compile(rf"height: {content}px"))
            inner = frame.locator("html").evaluate("h => h.scrollHeight - h.clientHeight")
            assert inner <= 0, inner
            return content

        before = fits()
        assert before > 300, before  # the real content, not a loading line or 0
        frame.locator("vv-timeline").get_by_role("button", name="forward one step").click()
        expect(text).to_have_text(told["steps"][chapter["first_step"] + 1]["narration"])
        after = fits()  # the introduction went: the content and the frame both changed
        assert after != before, (before, after)
        frame.get_by_role("button", name="rings").click()  # a blog column shows them on demand
        expect(frame.locator("section.subject")).to_be_visible()  # rings, or the device before them
        assert fits() > after


def test_the_share_dialog_gives_the_three_snippets_for_this_step(
    page: Page, server_url: str
) -> None:
    page.goto(f"{server_url}/?scenario=vhost-net&step=40")
    expect(page.locator("vv-timeline .count")).to_contain_text("40 /")
    page.get_by_role("button", name="share or embed").click()
    dialog = page.get_by_role("dialog", name="share or embed")
    expect(dialog.locator("#permalink")).to_have_value(f"{server_url}/?scenario=vhost-net&step=40")
    iframe = f'<iframe src="{server_url}/embed?scenario=vhost-net&amp;step=40"'
    expect(dialog.locator("#iframe")).to_have_value(re.compile("^" + re.escape(iframe)))
    element = r'/virtio-viz\.js"></script>\n<virtio-viz [^>]*scenario="vhost-net" step="39"'
    expect(dialog.locator("#element")).to_have_value(re.compile(element))


def test_an_embed_shows_a_step_range_with_chosen_panels(page: Page, server_url: str) -> None:
    told = trace(server_url, "qemu-emulated")
    page.goto(f"{server_url}/embed?scenario=qemu-emulated&from=20&to=22&panels=diagram,story")
    expect(page.locator("vv-narration .text")).to_have_text(told["steps"][19]["narration"])
    expect(page.get_by_label("virtqueues", exact=True)).to_be_hidden()
    forward = page.locator("vv-timeline").get_by_role("button", name="forward one step")
    for _ in range(5):
        forward.click()
    expect(page.locator("vv-narration .text")).to_have_text(told["steps"][21]["narration"])
    page.goto(f"{server_url}/embed?scenario=qemu-emulated&from=30&to=33&autoplay=1&speed=20"
              "&controls=0")  # fmt: skip
    expect(page.locator("vv-narration .text")).to_have_text(told["steps"][32]["narration"])
    expect(page.locator("footer")).to_be_hidden()


def test_a_step_saves_as_an_svg_or_png_that_explains_itself(page: Page, server_url: str) -> None:
    told = trace(server_url, "vdpa")
    page.goto(f"{server_url}/?scenario=vdpa&step=3")
    expect(page.locator("vv-narration .text")).to_have_text(told["steps"][2]["narration"])
    with page.expect_download() as svg_download:
        page.get_by_role("button", name="save this step as SVG").click()
    svg = Path(svg_download.value.path()).read_text()
    assert svg_download.value.suggested_filename == "virtio-viz-vdpa-step-3.svg"
    poster = ElementTree.fromstring(svg)  # well-formed, one picture
    words = " ".join(
        " ".join(t.itertext()) for t in poster.iter("{http://www.w3.org/2000/svg}text")
    )
    assert told["scenario"]["title"] in words  # what it is
    assert f"Step 3 of {told['step_count']}" in words and told["chapters"][0]["title"] in words
    assert "control plane" in words and "where this step happens" in words  # the legend
    assert "IOMMU" in words and "fill:" in svg  # the diagram, its colours inline
    caption = " ".join(told["steps"][2]["narration"].split()[:6])
    assert caption in " ".join(words.split()), caption  # the narration, as its caption
    with page.expect_download() as png_download:
        page.get_by_role("button", name="save this step as PNG").click()
    png = Path(png_download.value.path()).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (2 * int(poster.attrib["width"]), 2 * int(poster.attrib["height"]))
    page.keyboard.press("b")
    expect(page.get_by_label("blank screen (press B)")).to_be_visible()
    page.keyboard.press("b")
    expect(page.get_by_label("blank screen (press B)")).to_have_count(0)


def gif_frames(data: bytes) -> list[int]:
    """Each image's delay, walking the GIF89a blocks (header, screen descriptor, optional
    global palette, then extensions and images as sub-block chains, then the trailer)."""

    def skip_sub_blocks(at: int) -> int:
        while data[at]:
            at += data[at] + 1
        return at + 1

    at = 13 + (3 << ((data[10] & 7) + 1) if data[10] & 0x80 else 0)
    delays, delay = [], 0
    while data[at] != 0x3B:  # trailer
        if data[at] == 0x21:  # extension: label, then sub-blocks
            if data[at + 1] == 0xF9:  # graphic control: the next image's delay
                delay = int.from_bytes(data[at + 4 : at + 6], "little")
            at = skip_sub_blocks(at + 2)
        elif data[at] == 0x2C:  # image descriptor, optional local palette, LZW data
            packed = data[at + 9]
            at += 10 + (3 << ((packed & 7) + 1) if packed & 0x80 else 0)
            at = skip_sub_blocks(at + 1)
            delays.append(delay)
        else:
            raise AssertionError(f"not a GIF block at byte {at}: {data[at]:#x}")
    return delays


@pytest.mark.parametrize(
    ("button", "speed", "extension"),
    [("record the rest of this chapter as a video", "20", "webm"),
     ("record the rest of this chapter as an animated GIF", "2", "gif")],
)  # fmt: skip
def test_the_rest_of_a_chapter_records_as_a_video_or_a_gif(
    page: Page, server_url: str, button: str, speed: str, extension: str
) -> None:
    told = trace(server_url, "qemu-emulated")
    transmit = next(c for c in told["chapters"] if c["id"] == "transmit")
    last = transmit["first_step"] + transmit["step_count"] - 1
    page.goto(f"{server_url}/?scenario=qemu-emulated&step={last - 2}")  # its last four steps
    expect(page.locator("vv-narration .text")).to_have_text(told["steps"][last - 3]["narration"])
    page.locator("vv-timeline select").select_option(speed)
    with page.expect_download(timeout=20_000) as download:
        page.get_by_role("button", name=button).click()
    name = download.value.suggested_filename
    assert name == f"virtio-viz-qemu-emulated-steps-{last - 2}-{last + 1}.{extension}"
    data = Path(download.value.path()).read_bytes()
    if extension == "webm":
        assert data[:4] == b"\x1a\x45\xdf\xa3"  # the EBML header every WebM file starts with
    else:
        assert data[:6] == b"GIF89a"
        width, height = int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
        assert width == 960 and 300 < height < 960
        assert gif_frames(data) == [50] * 4  # four steps, 0.5 s each at 2 steps/s (1/100 s)
    expect(page.locator("vv-narration .text")).to_have_text(told["steps"][last - 3]["narration"])
    page.locator("vv-timeline select").select_option("20")
    with page.expect_download(timeout=20_000) as video:
        page.get_by_role("button", name="record the rest of this chapter as a video").click()
    data = Path(video.value.path()).read_bytes()
    assert data[:4] == b"\x1a\x45\xdf\xa3"  # the EBML header every WebM file starts with
    assert (
        video.value.suggested_filename
        == f"virtio-viz-qemu-emulated-steps-{last - 2}-{last + 1}.webm"
    )
    expect(page.locator("vv-narration .text")).to_have_text(told["steps"][last - 3]["narration"])


def test_the_element_takes_the_host_pages_colours_unless_told(
    page: Page, server_url: str, tmp_path: Path
) -> None:
    element = f'<virtio-viz server="{server_url}" scenario="virtio-blk" compact'
    post = f"""<!doctype html><meta charset="utf-8"><title>post</title>
<link rel="icon" href="data:,">
<style>body {{ background: #fdfdfd; color: #111 }} .dark {{ background: #15171a }}</style>
<script type="module" src="{server_url}/virtio-viz.js"></script>
{element} id="light"></virtio-viz>
<div class="dark">{element} id="dark"></virtio-viz></div>
{element} id="chosen" theme="dark"></virtio-viz>"""
    page.emulate_media(color_scheme="dark")  # the reader's system says dark; the page is light
    with site(tmp_path, "post.html", post) as url:
        page.goto(url)
        expect(page.locator("#light")).to_have_attribute("theme", "light")
        expect(page.locator("#dark")).to_have_attribute("theme", "dark")
        expect(page.locator("#chosen")).to_have_attribute("theme", "dark")
    page.goto(f"{server_url}/embed?scenario=virtio-blk")  # an iframe: the reader's setting
    expect(page.locator("virtio-viz")).to_have_attribute("theme", "dark")
    page.emulate_media(color_scheme="light")
    expect(page.locator("virtio-viz")).to_have_attribute("theme", "light")  # as it changes
