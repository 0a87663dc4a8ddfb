/**
 * The architecture diagram: the seed's boxes and wires, laid out for the size it is given
 * (CSS px at scale 1, so a font size is the size on screen), and each step's route lit with
 * a token travelling along it. When the picture is wider than its place (a phone), it
 * pans itself so that the step's box and route stay in view.
 */
import { LitElement, html, render, svg, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { keyed } from "lit/directives/keyed.js";
import type { Frame, Topology, Wire } from "../../protocol";
import { boxesOnly, drawnHops, layoutDiagram, pathOf, routeLabels, type DiagramLayout, type Hop, type PlacedBox } from "../../layout/diagram";
import type { Point } from "../../layout/geometry";
import { canvasMeasure, estimate, type Measure } from "../../layout/text";
import { typeScale, type TypeScale } from "../../layout/type-scale";
import { PLANE_COLOUR, PLANE_DASH, theme } from "../theme";
import { diagramStyles } from "./diagram-styles";
import { standaloneSvg } from "./export-image";
import { routeOf, stepInWords } from "./step-words";

/** Exports lay the diagram out at this width, whatever the screen's size. */
export const EXPORT_WIDTH = 1100;

export const PLANES: [string, string][] = [["control", "control plane"], ["data", "data plane"], ["notification", "notifications"]];

/** The last layouts made, by topology and size: a page going back to a size does not lay out again. */
const LAYOUTS = new Map<string, DiagramLayout>();

/** A topology's boxes with their text, as a key of its layouts: a device's split and packed
 * diagrams have the same boxes and differ only in the names of the rings' parts. */
const BOX_NAMES = new WeakMap<Topology, string>();
function boxNames(topology: Topology): string {
  let names = BOX_NAMES.get(topology);
  if (names === undefined) {
    names = `${topology.id}|${topology.boxes.map((b) => `${b.id}:${b.label}:${b.sublabel ?? ""}`).join("|")}`;
    BOX_NAMES.set(topology, names);
  }
  return names;
}

let sharedMeasure: Measure | null = null;
function measurer(host: HTMLElement): Measure {
  if (!sharedMeasure) {
    const family = getComputedStyle(host).fontFamily;
    sharedMeasure = family ? canvasMeasure(family) : estimate;
  }
  return sharedMeasure;
}

@customElement("vv-diagram")
export class ArchDiagram extends LitElement {
  static override styles = [theme, diagramStyles];

  @property({ attribute: false }) topology: Topology | null = null;
  @property({ attribute: false }) frame: Frame | undefined;
  @property({ attribute: false }) type: TypeScale = typeScale("wide", false);
  /** Fill the height the page gives (the wide stage), instead of taking the height it needs. */
  @property({ type: Boolean, reflect: true }) fit = false;
  /** The part of the rings this step touches (a box inside the rings' box), if any. */
  @property({ attribute: false }) into: string | null = null;
  /** How long the token travels, in ms (the page keeps it shorter than a step when playing). */
  @property({ type: Number }) tokenMs = 900;
  @property({ type: Boolean }) reducedMotion = false;
  @state() private size: { w: number; h: number } | null = null;
  @state() private edges = { left: false, right: false };

  private observer: ResizeObserver | null = null;
  private pending: string | null = null;
  private needs = 0;
  private placing = false;

  override connectedCallback(): void {
    super.connectedCallback();
    this.observer = new ResizeObserver(() => this.measureSize());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.observer?.disconnect();
  }

  override firstUpdated(): void {
    // The first size comes from the observer, once the page around has settled (no layout
    // for a size that lasts one frame).
    const viewport = this.renderRoot.querySelector(".viewport");
    if (viewport) this.observer?.observe(viewport);
  }

  private measureSize(): void {
    const viewport = this.renderRoot.querySelector<HTMLElement>(".viewport");
    if (!viewport) return;
    const w = Math.floor(viewport.clientWidth), h = Math.floor(viewport.clientHeight);
    if (w <= 0) return;
    if (!this.size || this.size.w !== w || (this.fit && Math.abs(this.size.h - h) > 1)) this.size = { w, h };
  }

  /** The layout for the current size (recomputed only when the size, type or topology change). */
  /** The layout for the current size. A size not laid out before shows its boxes at once
   * (they take a millisecond) and gets its wires a moment later (routing them round every
   * box takes longer), so the page is never held up by the wires. */
  get layout(): DiagramLayout | null {
    const topology = this.topology, size = this.size;
    if (!topology || !size) return null;
    const options = { width: size.w, height: this.fit ? size.h : null, type: this.type, measure: measurer(this) };
    const key = `${boxNames(topology)}|${topology.wires.length}|${size.w}|${options.height}|${JSON.stringify(this.type)}`;
    const done = LAYOUTS.get(key);
    if (done) return done;
    if (this.pending !== key) {
      this.pending = key;
      requestAnimationFrame(() => setTimeout(() => { // after the boxes are painted
        if (this.pending !== key) return; // the size changed meanwhile
        if (LAYOUTS.size >= 12) LAYOUTS.delete(LAYOUTS.keys().next().value!);
        LAYOUTS.set(key, layoutDiagram(topology, options));
        this.pending = null;
        this.requestUpdate();
      }));
    }
    return boxesOnly(topology, options);
  }

  /** The step's route: its hops in the order of travel, each as points. */
  private hops(layout: DiagramLayout): Hop[] {
    const topology = this.topology!, frame = this.frame;
    if (!frame) return [];
    const wires = new Map(topology.wires.map((w) => [w.id, w] as [string, Wire]));
    return drawnHops(layout, wires, routeOf(topology, frame)?.start ?? frame.box, frame.hops, this.into);
  }

  override render() {
    const topology = this.topology;
    const legend = html`<div class="top">
        <div class="legend" aria-hidden="true">
          ${PLANES.map(([plane, label]) => html`<span><svg class="line" viewBox="0 0 22 6" width="22" height="6"><line x1="0" y1="3" x2="22" y2="3"
            stroke=${PLANE_COLOUR[plane]!} stroke-dasharray=${PLANE_DASH[plane]!}></line></svg>${label}</span>`)}
          <span><i class="box"></i>where this step happens</span>
        </div>
        <slot name="actions"></slot>
      </div>`;
    const layout = this.layout;
    return html`${legend}<div class="frame ${this.edges.left ? "more-left" : ""} ${this.edges.right ? "more-right" : ""}">
      <div class="viewport" tabindex="0" role="group" aria-label="diagram, scrolls" @scroll=${() => this.noteEdges()}>${topology && layout ? this.picture(topology, layout) : nothing}</div></div>`;
  }

  /** This step's diagram laid out for an export (EXPORT_WIDTH wide, its own height, the
   * token at rest), as standalone SVG text. */
  exportPicture(background: string): { svg: string; width: number; height: number } | null {
    const topology = this.topology;
    if (!topology) return null;
    const layout = layoutDiagram(topology, { width: EXPORT_WIDTH, height: null, type: typeScale("wide", false), measure: measurer(this) });
    const holder = document.createElement("div");
    holder.className = "export";
    this.renderRoot.appendChild(holder);
    try {
      render(this.picture(topology, layout, true), holder);
      const drawn = holder.querySelector("svg");
      return drawn ? { svg: standaloneSvg(drawn, background), width: layout.width, height: layout.height } : null;
    } finally {
      holder.remove();
    }
  }

  private picture(topology: Topology, layout: DiagramLayout, still = false) {
    const frame = this.frame;
    const hops = this.hops(layout);
    const lit = new Set(hops.map((h) => h.wire.id));
    const plane = frame?.event.plane ?? "data", colour = PLANE_COLOUR[plane] ?? "", dash = PLANE_DASH[plane] ?? "none";
    const suppressed = new Set(topology.routes.filter((r) => r.suppressed).flatMap((r) => r.hops));
    const boxes = [...layout.boxes.values()].sort((a, b) => a.depth - b.depth);
    const travel = hops.flatMap((h) => h.points);
    return svg`<svg viewBox="0 0 ${layout.width} ${layout.height}" width=${layout.width} height=${layout.height}
        role="img" aria-label="Architecture diagram of ${topology.title}. This step: ${stepInWords(topology, frame)}">
      <defs><marker id="arrow" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="4.5" markerHeight="4.5" orient="auto-start-reverse">
        <path d="M0,0 L10,5 L0,10 z" fill=${colour}></path></marker></defs>
      ${boxes.map((p) => this.box(p, frame?.box === p.box.id || (this.into === p.box.id && lit.size > 0)))}
      ${[...layout.wires.values()].map((w) => lit.has(w.wire.id) ? nothing
        : svg`<path class="wire ${suppressed.has(w.wire.id) ? "suppressed" : ""}" d=${w.d} stroke=${PLANE_COLOUR[w.wire.plane]}
            stroke-dasharray=${PLANE_DASH[w.wire.plane] ?? "none"} data-plane=${w.wire.plane}
            data-wire=${w.wire.id} data-a=${w.wire.a} data-b=${w.wire.b}><title>${w.wire.label}: ${w.wire.detail}</title></path>`)}
      ${hops.map((h, i) => svg`<path class="wire lit route" d=${pathOf(layout, h.points)} stroke=${colour} stroke-dasharray=${dash}
          data-plane=${plane} data-wire=${h.wire.id}
          data-a=${h.wire.a} data-b=${h.wire.b} marker-end=${i === hops.length - 1 ? "url(#arrow)" : ""}><title>${h.wire.label}: ${h.wire.detail}</title></path>`)}
      ${[...routeLabels(layout, hops).entries()].map(([id, l]) => svg`<text class="wire-label" data-wire=${id} x=${l.x + l.w / 2} y=${l.baseline}
          text-anchor="middle" font-size=${l.size}>${l.text}</text>`)}
      ${travel.length && frame ? keyed(frame.index, this.token(pathOf(layout, travel), travel[travel.length - 1]!, colour, layout, still)) : nothing}
    </svg>`;
  }

  private box(p: PlacedBox, active: boolean) {
    const b = p.box;
    return svg`<g class="box ${b.kind} ${p.leaf ? "leaf" : "container"} ${active ? "active" : ""}" data-box=${b.id} data-parent=${b.parent ?? ""}>
      <rect x=${p.x} y=${p.y} width=${p.w} height=${p.h} rx="6"><title>${b.label}${b.sublabel ? ` (${b.sublabel})` : ""}</title></rect>
      ${p.lines.map((l) => svg`<text class=${l.role} x=${l.x} y=${l.y} text-anchor=${l.anchor} font-size=${l.size}>${l.text}</text>`)}
    </g>`;
  }

  private token(path: string, end: Point, colour: string, layout: DiagramLayout, resting: boolean) {
    const r = Math.max(6, layout.type.wire * 0.6);
    const still = resting || this.reducedMotion || this.tokenMs <= 0 || window.matchMedia?.("(prefers-reduced-motion: reduce)").matches;
    if (still) return svg`<circle class="token" r=${r} cx=${end.x} cy=${end.y} fill=${colour}></circle>`;
    return svg`<circle class="token token-moving" r=${r} fill=${colour}>
      <animateMotion dur="${this.tokenMs}ms" fill="freeze" path=${path} calcMode="paced"></animateMotion></circle>`;
  }

  /** What the picture's place and scroll position say is read at the next frame, when the
   * page's layout is done: read here, in the middle of the page's render, it would force a
   * layout of its own. The pan and the page's room for the diagram follow a frame later. */
  override updated(): void {
    if (this.placing) return;
    this.placing = true;
    requestAnimationFrame(() => {
      this.placing = false;
      this.keepInView();
      this.tellNeeds();
    });
  }

  /** The width (CSS px, this element's own) the picture needs to be shown whole at its type
   * sizes: a `diagram-needs` event when it changes, for the page to give it that room. */
  private tellNeeds(): void {
    const viewport = this.renderRoot.querySelector<HTMLElement>(".viewport"), layout = this.layout;
    if (!viewport || !layout) return;
    const needs = Math.ceil(layout.minWidth + this.offsetWidth - viewport.offsetWidth);
    if (needs === this.needs) return;
    this.needs = needs;
    this.dispatchEvent(new CustomEvent("diagram-needs", { detail: needs, bubbles: true, composed: true }));
  }

  /** A picture wider (or taller) than its place pans to the step's box and route. */
  private keepInView(): void {
    const viewport = this.renderRoot.querySelector<HTMLElement>(".viewport");
    const layout = this.layout, frame = this.frame;
    if (!viewport || !layout || !frame) return;
    this.noteEdges();
    if (viewport.scrollWidth <= viewport.clientWidth + 1 && viewport.scrollHeight <= viewport.clientHeight + 1) return;
    const active = layout.boxes.get(frame.box);
    const hops = this.hops(layout);
    const labels = [...routeLabels(layout, hops).values()];
    const points = [...hops.flatMap((h) => h.points), ...labels.flatMap((l) => [{ x: l.x, y: l.y }, { x: l.x + l.w, y: l.y + l.h }])];
    const must = active ? [{ x: active.x, y: active.y }, { x: active.x + Math.min(active.w, viewport.clientWidth - 24), y: active.y + Math.min(active.h, viewport.clientHeight - 24) }] : points.slice(-1);
    if (!must.length) return;
    // Show as much of the route as the view holds, and always the step's box.
    const axis = (all: number[], need: number[], view: number, now: number) => {
      const lo = Math.min(...all, ...need) - 12, hi = Math.max(...all, ...need) + 12;
      const needLo = Math.min(...need) - 12, needHi = Math.max(...need) + 12;
      if (lo >= now && hi <= now + view) return now;
      const centred = (lo + hi) / 2 - view / 2;
      return Math.max(0, Math.min(Math.max(centred, needHi - view), needLo));
    };
    const x = axis(points.map((p) => p.x), must.map((p) => p.x), viewport.clientWidth, viewport.scrollLeft);
    const y = axis(points.map((p) => p.y), must.map((p) => p.y), viewport.clientHeight, viewport.scrollTop);
    const smooth = !(this.reducedMotion || window.matchMedia?.("(prefers-reduced-motion: reduce)").matches);
    if (Math.abs(x - viewport.scrollLeft) > 1 || Math.abs(y - viewport.scrollTop) > 1) viewport.scrollTo({ left: x, top: y, behavior: smooth ? "smooth" : "auto" });
  }

  private noteEdges(): void {
    const v = this.renderRoot.querySelector<HTMLElement>(".viewport");
    if (!v) return;
    const left = v.scrollLeft > 2, right = v.scrollLeft + v.clientWidth < v.scrollWidth - 2;
    if (left !== this.edges.left || right !== this.edges.right) this.edges = { left, right };
  }
}

declare global {
  interface HTMLElementTagNameMap { "vv-diagram": ArchDiagram }
}
