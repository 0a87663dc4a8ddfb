/**
 * Geometry of an architecture diagram, from a topology's boxes.
 *
 * How this works: the picture has five horizontal bands, guest user space at the top
 * down to hardware at the bottom (a box's `layer`). A box spans from the highest band
 * any of its descendants reaches down to its own band, so QEMU's process (host user
 * space) also covers the VM drawn inside it. Across, a parent's width is shared by its
 * children's `column` groups in proportion to what they hold (a VM with three ring boxes
 * inside gets more room than a single device model); boxes of one column stack by band
 * and take the whole width of their group. Nested boxes are inset, leaving room for the parent's label.
 */
import type { Box, Topology, Wire } from "../protocol";

export const WIDTH = 1000;
const INSET = 8;
const LABEL = 20;
const LAYERS = 5;
const BAND_BASE = 52;
const BAND_PER_LEVEL = 30;
/** Columns get width by demand^0.75: busy columns get more room without starving the rest. */
const DEMAND_EXPONENT = 0.75;

export interface Rect { x: number; y: number; w: number; h: number }
export interface PlacedBox extends Rect { box: Box; depth: number }
export interface Bands { top: number[]; height: number[]; total: number }

/** Band heights from content: a band grows with the boxes that begin in it, nested. */
export function bands(topology: Topology): Bands {
  const byId = new Map(topology.boxes.map((b) => [b.id, b] as [string, Box]));
  const kids = new Map<string, Box[]>();
  for (const b of topology.boxes) if (b.parent) kids.set(b.parent, [...(kids.get(b.parent) ?? []), b]);
  const highest = (b: Box): number => Math.max(b.layer, ...(kids.get(b.id) ?? []).map(highest));
  const nesting = new Array<number>(LAYERS).fill(0);
  for (const box of topology.boxes) {
    const band = highest(box);
    let level = 1;
    for (let p = box.parent ? byId.get(box.parent) : undefined; p; p = p.parent ? byId.get(p.parent) : undefined) {
      if (highest(p) === band) level++;
    }
    nesting[band] = Math.max(nesting[band]!, level);
  }
  const height = nesting.map((n) => (n === 0 ? 0 : BAND_BASE + BAND_PER_LEVEL * n));
  const top = new Array<number>(LAYERS).fill(0);
  let y = 0;
  for (let layer = LAYERS - 1; layer >= 0; layer--) { top[layer] = y; y += height[layer]!; }
  return { top, height, total: y };
}

export function layoutBoxes(topology: Topology): Map<string, PlacedBox> {
  const band = bands(topology);
  const top = (layer: number) => band.top[layer]!;
  const bottom = (layer: number) => band.top[layer]! + band.height[layer]!;
  const children = new Map<string | null, Box[]>();
  for (const box of topology.boxes) {
    const list = children.get(box.parent) ?? [];
    list.push(box);
    children.set(box.parent, list);
  }
  const highest = new Map<string, number>();
  const reach = (box: Box): number => {
    let layer = box.layer;
    for (const child of children.get(box.id) ?? []) layer = Math.max(layer, reach(child));
    highest.set(box.id, layer);
    return layer;
  };
  for (const root of children.get(null) ?? []) reach(root);

  // How much width a box wants: one unit per leaf side by side (see columnDemand).
  const demand = new Map<string, number>();
  const want = (box: Box): number => {
    const inner = children.get(box.id);
    const value = inner ? columnDemand(inner, highest, want).reduce((sum, d) => sum + d, 0) : 1;
    demand.set(box.id, value);
    return value;
  };
  for (const root of children.get(null) ?? []) want(root);

  const placed = new Map<string, PlacedBox>();
  const place = (boxes: Box[], area: Rect, depth: number): void => {
    const columns = [...new Set(boxes.map((b) => b.column))].sort((a, b) => a - b);
    const weights = columnDemand(boxes, highest, (b) => demand.get(b.id) ?? 1).map((d) => Math.pow(d, DEMAND_EXPONENT));
    const totalWeight = weights.reduce((sum, w) => sum + w, 0);
    let left = area.x;
    columns.forEach((column, i) => {
      const width = (area.w * weights[i]!) / totalWeight;
      const group = boxes.filter((b) => b.column === column);
      for (const box of group) {
        const sameBand = group.filter((b) => b.layer === box.layer && highest.get(b.id) === highest.get(box.id));
        const slot = sameBand.indexOf(box);
        const w = width / sameBand.length;
        const y0 = Math.max(area.y, top(highest.get(box.id)!));
        const y1 = Math.min(area.y + area.h, bottom(box.layer));
        const rect: PlacedBox = { box, depth, x: left + slot * w, y: y0, w, h: Math.max(24, y1 - y0) };
        if (box.kind !== "space" || depth > 0) {
          rect.x += INSET / 2; rect.w -= INSET; rect.y += INSET / 2; rect.h -= INSET;
        }
        placed.set(box.id, rect);
        const inner = children.get(box.id);
        if (inner) {
          const pad = box.kind === "space" && depth === 0 ? 0 : INSET;
          place(inner, { x: rect.x + pad, y: rect.y + LABEL, w: rect.w - 2 * pad, h: rect.h - LABEL - pad / 2 }, depth + 1);
        }
      }
      left += width;
    });
  };
  place(children.get(null) ?? [], { x: 0, y: 0, w: WIDTH, h: band.total }, 0);
  return placed;
}

/**
 * The width each column of sibling boxes asks for: boxes of one column that share a band
 * sit side by side (their demands add up); boxes in different bands stack (the widest wins).
 */
export function columnDemand(boxes: Box[], highest: Map<string, number>, demandOf: (box: Box) => number): number[] {
  const columns = [...new Set(boxes.map((b) => b.column))].sort((a, b) => a - b);
  return columns.map((column) => {
    const perBand = new Map<string, number>();
    for (const b of boxes.filter((x) => x.column === column)) {
      const key = `${b.layer}:${highest.get(b.id) ?? b.layer}`;
      perBand.set(key, (perBand.get(key) ?? 0) + demandOf(b));
    }
    return Math.max(1, ...perBand.values());
  });
}

export function center(rect: Rect): { x: number; y: number } {
  return { x: rect.x + rect.w / 2, y: rect.y + rect.h / 2 };
}

/** Where the segment from the center of `from` towards `to` leaves `from`'s rectangle. */
export function edgePoint(from: Rect, to: { x: number; y: number }): { x: number; y: number } {
  const c = center(from);
  const dx = to.x - c.x, dy = to.y - c.y;
  if (dx === 0 && dy === 0) return c;
  const sx = dx === 0 ? Infinity : (from.w / 2) / Math.abs(dx);
  const sy = dy === 0 ? Infinity : (from.h / 2) / Math.abs(dy);
  const s = Math.min(sx, sy, 1);
  return { x: c.x + dx * s, y: c.y + dy * s };
}

export interface Point { x: number; y: number }
export interface WireGeometry { start: Point; control: Point; end: Point }

const PARALLEL_GAP = 16;
const MIN_OVERLAP = 24;

/** Wires joining the same two boxes, spread apart: wire id -> offset (…, -1, 0, 1, …; halves for even counts). */
export function parallelOffsets(wires: Wire[]): Map<string, number> {
  const groups = new Map<string, Wire[]>();
  for (const w of wires) {
    const key = [w.a, w.b].sort().join("|");
    groups.set(key, [...(groups.get(key) ?? []), w]);
  }
  const out = new Map<string, number>();
  for (const group of groups.values()) group.forEach((w, i) => out.set(w.id, i - (group.length - 1) / 2));
  return out;
}

function overlap(a0: number, a1: number, b0: number, b1: number): [number, number] | null {
  const lo = Math.max(a0, b0), hi = Math.min(a1, b1);
  return hi - lo >= MIN_OVERLAP ? [lo, hi] : null;
}

/**
 * A wire's curve, from box a to box b. Boxes stacked one above the other are joined by a
 * vertical line through their shared columns, boxes side by side by a horizontal line;
 * otherwise the curve leaves each box on the side facing the other. Parallel wires
 * (same two boxes) are moved apart by `offset` steps.
 */
export function wireGeometry(wire: Wire, placed: Map<string, PlacedBox>, offset = 0): WireGeometry | null {
  const a = placed.get(wire.a), b = placed.get(wire.b);
  if (!a || !b) return null;
  const shift = offset * PARALLEL_GAP;
  const across = overlap(a.x, a.x + a.w, b.x, b.x + b.w);
  const down = overlap(a.y, a.y + a.h, b.y, b.y + b.h);
  const straight = (start: Point, end: Point): WireGeometry =>
    ({ start, end, control: { x: (start.x + end.x) / 2, y: (start.y + end.y) / 2 } });
  const clear = (g: WireGeometry) => !crossesOtherBoxes(g.start, g.end, wire, placed);
  if (across && (a.y + a.h <= b.y || b.y + b.h <= a.y)) {
    const x = (across[0] + across[1]) / 2 + shift;
    const g = a.y < b.y ? straight({ x, y: a.y + a.h }, { x, y: b.y }) : straight({ x, y: a.y }, { x, y: b.y + b.h });
    if (clear(g)) return g;
  }
  if (down && (a.x + a.w <= b.x || b.x + b.w <= a.x)) {
    const y = (down[0] + down[1]) / 2 + shift;
    const g = a.x < b.x ? straight({ x: a.x + a.w, y }, { x: b.x, y }) : straight({ x: a.x, y }, { x: b.x + b.w, y });
    if (clear(g)) return g;
  }
  const start = edgePoint(a, center(b)), end = edgePoint(b, center(a));
  const dx = end.x - start.x, dy = end.y - start.y, length = Math.hypot(dx, dy) || 1;
  const blocked = crossesOtherBoxes(start, end, wire, placed);
  // A curve that would cut through other boxes bows out further (upwards for level wires).
  const bend = (blocked ? 0.35 : 0.12) * length * (dx < 0 ? 1 : -1) + shift * 1.5;
  const mid = { x: (start.x + end.x) / 2, y: (start.y + end.y) / 2 };
  const controlFor = (b: number): Point => ({ x: mid.x - (dy / length) * b, y: mid.y + (dx / length) * b });
  return { start, end, control: keepInside(mid, controlFor(bend), controlFor(-bend), extent(placed)) };
}

/** The rectangle every box fits in. */
function extent(placed: Map<string, PlacedBox>): { top: number; bottom: number } {
  let top = Infinity, bottom = -Infinity;
  for (const p of placed.values()) { top = Math.min(top, p.y); bottom = Math.max(bottom, p.y + p.h); }
  return { top, bottom };
}

/**
 * A curve's middle lies halfway between the chord's middle and the control point; keep it
 * inside the picture: bow the other way if that stays inside, else flatten the bow.
 */
function keepInside(mid: Point, control: Point, flipped: Point, box: { top: number; bottom: number }): Point {
  const peak = (c: Point) => (mid.y + c.y) / 2;
  const inside = (c: Point) => peak(c) >= box.top + 4 && peak(c) <= box.bottom - 4;
  if (inside(control)) return control;
  if (inside(flipped)) return flipped;
  const limit = peak(control) < box.top + 4 ? box.top + 4 : box.bottom - 4;
  const scale = (limit - mid.y) / (peak(control) - mid.y || 1);
  return { x: mid.x + (control.x - mid.x) * scale, y: mid.y + (control.y - mid.y) * scale };
}

/** Does the segment start-end pass through a box other than the wire's ends and their ancestors? */
export function crossesOtherBoxes(start: Point, end: Point, wire: Wire, placed: Map<string, PlacedBox>): boolean {
  const exempt = new Set<string>();
  for (const id of [wire.a, wire.b]) {
    for (let at: string | null | undefined = id; at; at = placed.get(at)?.box.parent) exempt.add(at);
  }
  for (const p of placed.values()) {
    if (exempt.has(p.box.id) || p.box.kind === "space") continue;
    if (p.box.parent && !placed.has(p.box.parent)) continue;
    if (segmentHitsRect(start, end, p, 2)) return true;
  }
  return false;
}

/** Liang-Barsky clipping: does the segment enter the rectangle shrunk by `inset`? */
export function segmentHitsRect(s: Point, e: Point, r: Rect, inset = 0): boolean {
  const x0 = r.x + inset, x1 = r.x + r.w - inset, y0 = r.y + inset, y1 = r.y + r.h - inset;
  let t0 = 0, t1 = 1;
  const dx = e.x - s.x, dy = e.y - s.y;
  for (const [p, q] of [[-dx, s.x - x0], [dx, x1 - s.x], [-dy, s.y - y0], [dy, y1 - s.y]] as [number, number][]) {
    if (p === 0) { if (q < 0) return false; continue; }
    const t = q / p;
    if (p < 0) { if (t > t1) return false; if (t > t0) t0 = t; } else { if (t < t0) return false; if (t < t1) t1 = t; }
  }
  return t1 - t0 > 1e-9;
}

const f1 = (n: number) => n.toFixed(1);

/** The SVG path of a wire, drawn from a to b, or from b to a when `reversed`. */
export function wirePath(wire: Wire, placed: Map<string, PlacedBox>, reversed = false, offset = 0): string | null {
  const g = wireGeometry(wire, placed, offset);
  if (!g) return null;
  const [s, e] = reversed ? [g.end, g.start] : [g.start, g.end];
  return `M${f1(s.x)},${f1(s.y)} Q${f1(g.control.x)},${f1(g.control.y)} ${f1(e.x)},${f1(e.y)}`;
}

/** The middle of a wire's curve (where its label goes). */
export function wireMidpoint(g: WireGeometry): Point {
  return { x: 0.25 * g.start.x + 0.5 * g.control.x + 0.25 * g.end.x, y: 0.25 * g.start.y + 0.5 * g.control.y + 0.25 * g.end.y };
}

/** The hops of a route, each oriented the way the traffic flows (from `start`). */
export function orientHops(wires: Map<string, Wire>, start: string, hops: string[]): { wire: Wire; reversed: boolean }[] {
  let at = start;
  const out: { wire: Wire; reversed: boolean }[] = [];
  for (const id of hops) {
    const wire = wires.get(id);
    if (!wire) continue;
    const reversed = wire.b === at;
    out.push({ wire, reversed });
    at = reversed ? wire.a : wire.b;
  }
  return out;
}
