/** The architecture diagram: the seed's boxes and wires; each step sends a token along its hops. */
import { LitElement, css, html, svg, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import { keyed } from "lit/directives/keyed.js";
import type { Frame, Topology, Wire } from "../../protocol";
import { WIDTH, bands, layoutBoxes, orientHops, wirePath, type PlacedBox } from "../../layout/diagram";
import { PLANE_COLOUR, theme } from "../theme";

@customElement("vv-diagram")
export class ArchDiagram extends LitElement {
  static override styles = [theme, css`
    :host { display: block; }
    svg { width: 100%; height: 100%; display: block; }
    .box rect { fill: var(--vv-panel-2); stroke: var(--vv-line); stroke-width: 1.2; }
    .box.space rect { fill: transparent; stroke-dasharray: 4 4; }
    .box.vm rect, .box.process rect { fill: color-mix(in srgb, var(--vv-panel-2) 60%, transparent); }
    .box.memory rect { fill: color-mix(in srgb, var(--vv-data) 12%, var(--vv-panel-2)); }
    .box.active rect { stroke: var(--vv-active); stroke-width: 3; }
    .box text { fill: var(--vv-text); font-size: 13px; }
    .box .sub { fill: var(--vv-muted); font-size: 10.5px; }
    .wire { fill: none; stroke-width: 1.6; opacity: 0.45; }
    .wire.lit { opacity: 1; stroke-width: 3.2; }
    .wire.suppressed { stroke-dasharray: 2 5; }
    .wire-label { font-size: 12px; fill: var(--vv-text); font-weight: 600; paint-order: stroke; stroke: var(--vv-bg); stroke-width: 4px; }
    .token { stroke: var(--vv-bg); stroke-width: 2; }
    @media (prefers-reduced-motion: reduce) { .token-moving { display: none; } }
  `];

  @property({ attribute: false }) topology: Topology | null = null;
  @property({ attribute: false }) frame: Frame | undefined;
  @property({ type: Boolean }) reducedMotion = false;

  private cache: { topology: Topology; placed: Map<string, PlacedBox> } | null = null;

  private placed(topology: Topology): Map<string, PlacedBox> {
    if (this.cache?.topology !== topology) this.cache = { topology, placed: layoutBoxes(topology) };
    return this.cache.placed;
  }

  override render() {
    const topology = this.topology;
    if (!topology) return nothing;
    const placed = this.placed(topology);
    const wires = new Map(topology.wires.map((w) => [w.id, w] as [string, Wire]));
    const frame = this.frame;
    const route = frame?.route ? topology.routes.find((r) => r.name === frame.route) : undefined;
    const hops = frame && route ? orientHops(wires, route.start, frame.hops) : [];
    const lit = new Set(frame?.hops ?? []);
    const colour = PLANE_COLOUR[frame?.event.plane ?? "data"];
    const suppressed = new Set(topology.routes.filter((r) => r.suppressed).flatMap((r) => r.hops));
    const height = bands(topology).total;
    const parents = new Set(topology.boxes.map((b) => b.parent).filter((id): id is string => id !== null));
    return html`<svg viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="Architecture diagram of ${topology.title}">
      ${[...placed.values()].sort((a, b) => a.depth - b.depth).map((p) => this.box(p, frame?.box === p.box.id, parents))}
      ${topology.wires.map((w) => {
        const d = wirePath(w, placed);
        if (!d) return nothing;
        const on = lit.has(w.id);
        return svg`<path class="wire ${on ? "lit" : ""} ${suppressed.has(w.id) ? "suppressed" : ""}" d=${d}
          stroke=${PLANE_COLOUR[w.plane]}><title>${w.label}: ${w.detail}</title></path>`;
      })}
      ${topology.wires.filter((w) => lit.has(w.id)).map((w) => this.wireLabel(w, placed, true))}
      ${hops.length && frame ? keyed(frame.index, this.token(hops.map((h) => wirePath(h.wire, placed, h.reversed) ?? "").join(" "), colour ?? "")) : nothing}
    </svg>`;
  }

  private box(p: PlacedBox, active: boolean, parents: Set<string>) {
    const b = p.box;
    const leaf = !parents.has(b.id) && (b.kind === "component" || b.kind === "memory" || b.kind === "hardware");
    const labelY = leaf ? p.y + p.h / 2 - (b.sublabel ? 4 : -4) : p.y + 15;
    const anchor = leaf ? "middle" : "start";
    const x = anchor === "middle" ? p.x + p.w / 2 : p.x + 8;
    return svg`<g class="box ${b.kind} ${active ? "active" : ""}" data-box=${b.id}>
      <rect x=${p.x} y=${p.y} width=${p.w} height=${p.h} rx="6"></rect>
      <text x=${x} y=${labelY} text-anchor=${anchor}>${b.label}</text>
      ${b.sublabel && anchor === "middle" ? svg`<text class="sub" x=${x} y=${labelY + 14} text-anchor="middle">${b.sublabel}</text>` : nothing}
    </g>`;
  }

  private wireLabel(w: Wire, placed: Map<string, PlacedBox>, on: boolean) {
    const a = placed.get(w.a), b = placed.get(w.b);
    if (!a || !b) return nothing;
    const x = (a.x + a.w / 2 + b.x + b.w / 2) / 2, y = (a.y + a.h / 2 + b.y + b.h / 2) / 2;
    return svg`<text class="wire-label ${on ? "lit" : ""}" x=${x + 4} y=${y - 4}>${w.label}</text>`;
  }

  private token(path: string, colour: string) {
    const still = this.reducedMotion || window.matchMedia?.("(prefers-reduced-motion: reduce)").matches;
    const end = path.match(/([\d.]+),([\d.]+)$/);
    if (still && end) return svg`<circle class="token" r="8" cx=${end[1]} cy=${end[2]} fill=${colour}></circle>`;
    return svg`<circle class="token token-moving" r="8" fill=${colour}>
      <animateMotion dur="0.7s" fill="freeze" path=${path} keyPoints="0;1" keyTimes="0;1" calcMode="linear"></animateMotion>
    </circle>`;
  }
}
