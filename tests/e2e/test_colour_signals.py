"""Colour is never the only signal: the control plane, the data plane and notifications
are drawn with different dash patterns as well as colours (the legend shows the same); the
wires keep 3:1 contrast against what is behind them, and the step's lit route keeps 3:1
against its panel in every theme, also as a reader with deuteranopia or protanopia sees it
(simulated with Machado, Oliveira and Fernandes' 2009 matrices). The simulated pages are
saved in tests/e2e/artifacts/colour/ to look at.
"""

from __future__ import annotations

from typing import Any

from benchmarks.stage_geometry import show_step
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_keyboard import channels, contrast_of
from tests.e2e.test_visualizer import trace

# Full-severity matrices on linear RGB (Machado et al. 2009, severity 1.0).
SIMULATIONS: dict[str, list[list[float]]] = {
    "protanopia": [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ],
    "deuteranopia": [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ],
}

# A wire of each plane and its legend line, the lit route, and the panel behind them.
DRAWN = """() => {
  const viz = document.querySelector('virtio-viz');
  const root = viz.shadowRoot.querySelector('vv-diagram').shadowRoot;
  const style = (el) => el && { stroke: getComputedStyle(el).stroke,
    dash: getComputedStyle(el).strokeDasharray };
  const planes = {};
  for (const plane of ['control', 'data', 'notification']) {
    planes[plane] = style(root.querySelector(`path.wire[data-plane=${plane}]:not(.suppressed)`));
  }
  const unlit = [...root.querySelectorAll('path.wire:not(.lit):not(.suppressed)')].map((el) =>
    ({ stroke: getComputedStyle(el).stroke, opacity: Number(getComputedStyle(el).opacity) }));
  const legend = [...root.querySelectorAll('.legend svg.line line')].map(style);
  return { planes, legend, unlit, lit: style(root.querySelector('path.wire.lit')),
    plane: root.querySelector('path.wire.lit')?.dataset.plane,
    panel: getComputedStyle(viz).getPropertyValue('--vv-panel').trim(),
    boxes: getComputedStyle(viz).getPropertyValue('--vv-panel-2').trim() };
}"""

FILTER = """(matrix) => {
  document.getElementById('cvd')?.remove();  // one simulation at a time
  const ns = 'http://www.w3.org/2000/svg', svg = document.createElementNS(ns, 'svg');
  svg.id = 'cvd'; svg.setAttribute('width', '0'); svg.setAttribute('height', '0');
  const filter = document.createElementNS(ns, 'filter');
  const fe = document.createElementNS(ns, 'feColorMatrix');
  filter.id = 'cvd-filter';
  fe.setAttribute('values', matrix.map((row) => [...row, 0, 0].join(' ')).join(' ') + ' 0 0 0 1 0');
  filter.append(fe); svg.append(filter); document.body.append(svg);
  document.documentElement.style.filter = 'url(#cvd-filter)';
}"""


def simulated(colour: str, matrix: list[list[float]]) -> str:
    """`colour` as a reader with the deficiency of `matrix` sees it, as #rrggbb."""
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels(colour)]
    out = [max(0.0, min(1.0, sum(m * c for m, c in zip(row, lin, strict=True)))) for row in matrix]
    srgb = [12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055 for c in out]
    return "#" + "".join(f"{round(c * 255):02x}" for c in srgb)


def over(colour: str, opacity: float, behind: str) -> str:
    """`colour` drawn at `opacity` over `behind`, as #rrggbb."""
    mixed = [
        opacity * a + (1 - opacity) * b
        for a, b in zip(channels(colour), channels(behind), strict=True)
    ]
    return "#" + "".join(f"{round(c * 255):02x}" for c in mixed)


def first_step(told: dict[str, Any], route: str) -> int:
    return next(int(f["index"]) for f in told["steps"] if f["route"] == route)


def test_planes_differ_in_pattern_and_the_route_stands_out_to_colour_blind_readers(
    page: Page, server_url: str
) -> None:
    told = trace(server_url, "vhost-net")
    shots = ARTIFACTS / "colour"
    shots.mkdir(parents=True, exist_ok=True)
    page.emulate_media(reduced_motion="reduce")
    for theme in ("light", "dark", "projector"):
        page.goto(f"{server_url}/?scenario=vhost-net&theme={theme}")
        expect(page.locator("vv-narration .text")).not_to_be_empty()
        for route, plane in (("config", "control"), ("tx", "data"), ("kick", "notification")):
            show_step(page, first_step(told, route))
            expect(page.locator("vv-diagram path.wire.lit").first).to_be_attached()
            drawn: dict[str, Any] = page.evaluate(DRAWN)
            dashes = [drawn["planes"][p]["dash"] for p in ("control", "data", "notification")]
            assert len(set(dashes)) == 3, (theme, dashes)  # three patterns, not only colours
            assert [line["dash"] for line in drawn["legend"]] == dashes, (theme, drawn["legend"])
            assert (
                drawn["plane"] == plane
                and drawn["lit"]["dash"] == dashes[["control", "data", "notification"].index(plane)]
            ), (theme, drawn)
            lit, panel = drawn["lit"]["stroke"], drawn["panel"]
            for wire in drawn["unlit"]:  # the wires not lit keep 3:1 too, over a box or the panel
                for behind in (panel, drawn["boxes"]):
                    seen = over(wire["stroke"], wire["opacity"], behind)
                    assert contrast_of(seen, behind) >= 3, (theme, wire, behind)
            assert contrast_of(lit, panel) >= 3, (theme, plane, lit, panel)
            for name, matrix in SIMULATIONS.items():
                seen, behind = simulated(lit, matrix), simulated(panel, matrix)
                assert contrast_of(seen, behind) >= 3, (theme, plane, name, seen, behind)
        for name, matrix in SIMULATIONS.items():  # the kick, as these readers see it
            page.evaluate(FILTER, matrix)
            page.screenshot(path=str(shots / f"{theme}-{name}.png"))
