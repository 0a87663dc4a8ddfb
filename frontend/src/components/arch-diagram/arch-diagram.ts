/** The architecture diagram: the seed's boxes and wires; each step sends a token along its hops. */
import { LitElement, css, html, svg, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import { keyed } from "lit/directives/keyed.js";
import type { Frame, Topology, Wire } from "../../protocol";
import { WIDTH, bands, layoutBoxes, orientHops, parallelOffsets, wireGeometry, wireMidpoint, wirePath, type PlacedBox } from "../../layout/diagram";
import { GLYPH_EM, fitLabel } from "../../layout/label-fit";
import { PLANE_COLOUR, theme } from "../theme";

const PLANES: [string, string][] = [["control", "control plane"], ["data", "data plane"], ["notification", "notifications"]];

interface Drawing { topology: Topology; placed: Map<string, PlacedBox>; offsets: Map<string, number>; parents: Set<string>; height: number }

@customElement("vv-diagram")
export class ArchDiagram extends LitElement {
  static override styles = [theme, css`
    :host { display: block; overflow-x: auto; }
    svg { width: 100%; height: auto; display: block; }
    /* On a phone the diagram keeps a readable size and scrolls sideways inside its panel. */
    @media (max-width: 700px) { svg { min-width: 620px; } }
    .box rect { fill: var(--vv-panel-2); stroke: var(--vv-line); stroke-width: 1.2; transition: stroke 0.2s, fill 0.2s; }
    .box.space rect { fill: transparent; stroke-dasharray: 4 4; }
    .box.vm rect, .box.process rect { fill: color-mix(in srgb, var(--vv-panel-2) 60%, transparent); }
    .box.memory rect { fill: color-mix(in srgb, var(--vv-data) 12%, var(--vv-panel-2)); }
    .box.hardware rect { fill: color-mix(in srgb, var(--vv-muted) 14%, var(--vv-panel-2)); }
    .box.active rect { stroke: var(--vv-active); stroke-width: 3; fill: color-mix(in srgb, var(--vv-active) 12%, var(--vv-panel-2)); }
    .box text { fill: var(--vv-text); }
    .box.space > text, .box.vm > text, .box.process > text { fill: var(--vv-muted); }
    .box .sub { fill: var(--vv-muted); }
    .wire { fill: none; stroke-width: 1.8; opacity: 0.4; }
    .wire:hover { opacity: 0.9; }
    .wire.lit { opacity: 1; stroke-width: 3.4; }
    .wire.suppressed { stroke-dasharray: 2 5; }
    .route { fill: none; stroke-width: 3.4; }
    .wire-label { font-size: 12px; fill: var(--vv-text); font-weight: 600; paint-order: stroke; stroke: var(--vv-panel); stroke-width: 5px; stroke-linejoin: round; }
    .token { stroke: var(--vv-panel); stroke-width: 2.5; }
    .top { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: flex-start; gap: 0 8px; }
    .legend { display: flex; gap: 14px; flex-wrap: wrap; font-size: 0.78em; color: var(--vv-muted); margin: 2px 4px 6px; }
    .legend i { display: inline-block; width: 18px; height: 3px; border-radius: 2px; vertical-align: middle; margin-right: 5px; }
    .legend i.box { width: 12px; height: 10px; border: 2px solid var(--vv-active); background: transparent; border-radius: 3px; }
    @media (prefers-reduced-motion: reduce) { .box rect { transition: none; } }
  `];

  @property({ attribute: false }) topology: Topology | null = null;
  @property({ attribute: false }) frame: Frame | undefined;
  @property({ type: Boolean }) reducedMotion = false;

  private drawing: Drawing | null = null;

  private draw(topology: Topology): Drawing {
    if (this.drawing?.topology !== topology) {
      this.drawing = {
        topology,
        placed: layoutBoxes(topology),
        offsets: parallelOffsets(topology.wires),
        parents: new Set(topology.boxes.map((b) => b.parent).filter((id): id is string => id !== null)),
        height: bands(topology).total,
      };
    }
    return this.drawing;
  }

  override render() {
    const topology = this.topology;
    if (!topology) return nothing;
    const { placed, offsets, parents, height } = this.draw(topology);
    const wires = new Map(topology.wires.map((w) => [w.id, w] as [string, Wire]));
    const frame = this.frame;
    const route = frame?.route ? topology.routes.find((r) => r.name === frame.route) : undefined;
    const start = route?.start ?? frame?.box ?? "";
    const hops = frame ? orientHops(wires, start, frame.hops) : [];
    const lit = new Set(frame?.hops ?? []);
    const colour = PLANE_COLOUR[frame?.event.plane ?? "data"] ?? "";
    const suppressed = new Set(topology.routes.filter((r) => r.suppressed).flatMap((r) => r.hops));
    const paths = hops.map((h) => wirePath(h.wire, placed, h.reversed, offsets.get(h.wire.id) ?? 0)).filter((d): d is string => !!d);
    const described = route ? `${route.label}` : frame ? `inside ${placed.get(frame.box)?.box.label ?? frame.box}` : "";
    return html`
      <div class="top">
        <div class="legend" aria-hidden="true">
          ${PLANES.map(([plane, label]) => html`<span><i style="background: ${PLANE_COLOUR[plane]}"></i>${label}</span>`)}
          <span><i class="box"></i>where this step happens</span>
        </div>
        <slot name="actions"></slot>
      </div>
      <svg viewBox="-2 -2 ${WIDTH + 4} ${height + 4}" role="img" aria-label="Architecture diagram of ${topology.title}. This step: ${described}">
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="5" markerHeight="5" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" fill=${colour}></path>
          </marker>
        </defs>
        ${[...placed.values()].sort((a, b) => a.depth - b.depth).map((p) => this.box(p, frame?.box === p.box.id, parents))}
        ${topology.wires.map((w) => {
          const d = wirePath(w, placed, false, offsets.get(w.id) ?? 0);
          if (!d || lit.has(w.id)) return nothing;
          return svg`<path class="wire ${suppressed.has(w.id) ? "suppressed" : ""}" d=${d} stroke=${PLANE_COLOUR[w.plane]} data-wire=${w.id}><title>${w.label}: ${w.detail}</title></path>`;
        })}
        ${paths.map((d, i) => svg`<path class="wire lit route" d=${d} stroke=${colour} data-wire=${hops[i]!.wire.id}
            marker-end=${i === paths.length - 1 ? "url(#arrow)" : ""}><title>${hops[i]!.wire.label}: ${hops[i]!.wire.detail}</title></path>`)}
        ${hops.map((h) => this.wireLabel(h.wire, placed, offsets.get(h.wire.id) ?? 0))}
        ${paths.length && frame ? keyed(frame.index, this.token(paths.join(" "), colour)) : nothing}
      </svg>`;
  }

  private box(p: PlacedBox, active: boolean, parents: Set<string>) {
    const b = p.box;
    const leaf = !parents.has(b.id) && (b.kind === "component" || b.kind === "memory" || b.kind === "hardware");
    return svg`<g class="box ${b.kind} ${active ? "active" : ""}" data-box=${b.id}>
      <rect x=${p.x} y=${p.y} width=${p.w} height=${p.h} rx="6"><title>${b.label}${b.sublabel ? ` (${b.sublabel})` : ""}</title></rect>
      ${leaf ? this.centredLabel(p) : this.cornerLabel(p)}
    </g>`;
  }

  /** A leaf box: label (and sublabel, when there is room) centred, wrapped to fit. */
  private centredLabel(p: PlacedBox) {
    const b = p.box, width = p.w - 10;
    const label = fitLabel(b.label, width, 13, 9, 2);
    const sub = b.sublabel ? fitLabel(b.sublabel, width, 10.5, 8, 2) : null;
    const labelHeight = label.lines.length * label.size * 1.2;
    const subHeight = sub ? sub.lines.length * sub.size * 1.25 : 0;
    const showSub = sub && labelHeight + subHeight <= p.h - 8;
    const total = labelHeight + (showSub ? subHeight : 0);
    const cx = p.x + p.w / 2;
    let y = p.y + (p.h - total) / 2 + label.size * 0.95;
    const lines = label.lines.map((line) => { const t = svg`<text x=${cx} y=${y} text-anchor="middle" font-size=${label.size}>${line}</text>`; y += label.size * 1.2; return t; });
    const subs = showSub && sub ? sub.lines.map((line) => { const t = svg`<text class="sub" x=${cx} y=${y} text-anchor="middle" font-size=${sub.size}>${line}</text>`; y += sub.size * 1.25; return t; }) : [];
    return [...lines, ...subs];
  }

  /** A container box: label in the top-left corner, sublabel top-right when both fit. */
  private cornerLabel(p: PlacedBox) {
    const b = p.box;
    const label = fitLabel(b.label, p.w - 16, 12, 9, 1);
    const used = GLYPH_EM * label.size * label.lines[0]!.length + 24;
    const sub = b.sublabel ? fitLabel(b.sublabel, p.w - 16 - used, 10.5, 9, 1) : null;
    const fits = sub && !sub.lines[0]!.endsWith("…");
    return svg`<text x=${p.x + 8} y=${p.y + 15} font-size=${label.size}>${label.lines[0]}</text>
      ${fits ? svg`<text class="sub" x=${p.x + p.w - 8} y=${p.y + 15} text-anchor="end" font-size=${sub!.size}>${sub!.lines[0]}</text>` : nothing}`;
  }

  private wireLabel(w: Wire, placed: Map<string, PlacedBox>, offset: number) {
    const g = wireGeometry(w, placed, offset);
    if (!g) return nothing;
    const m = wireMidpoint(g);
    const vertical = Math.abs(g.end.x - g.start.x) < Math.abs(g.end.y - g.start.y);
    const anchor = vertical ? (m.x > WIDTH * 0.7 ? "end" : "start") : "middle";
    const x = vertical ? m.x + (anchor === "end" ? -8 : 8) : m.x, y = vertical ? m.y + 4 : m.y - 8;
    return svg`<text class="wire-label" x=${x} y=${y} text-anchor=${anchor}>${w.label}</text>`;
  }

  private token(path: string, colour: string) {
    const still = this.reducedMotion || window.matchMedia?.("(prefers-reduced-motion: reduce)").matches;
    const end = path.match(/([\d.-]+),([\d.-]+)$/);
    if (still && end) return svg`<circle class="token" r="8" cx=${end[1]} cy=${end[2]} fill=${colour}></circle>`;
    const hopCount = (path.match(/M/g) ?? []).length;
    return svg`<circle class="token token-moving" r="8" fill=${colour}>
      <animateMotion dur="${0.45 + 0.35 * hopCount}s" fill="freeze" path=${path} calcMode="linear"></animateMotion>
    </circle>`;
  }
}
