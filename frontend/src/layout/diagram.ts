/**
 * Geometry of an architecture diagram, from a topology's boxes.
 *
 * How this works: the picture has five horizontal bands, guest user space at the top
 * down to hardware at the bottom (a box's `layer`). A box spans from the highest band
 * any of its descendants reaches down to its own band, so QEMU's process (host user
 * space) also covers the VM drawn inside it. Across, a parent's width is shared by its
 * children's `column` groups; boxes of one column stack by band and take the whole
 * width of their group. Nested boxes are inset, leaving room for the parent's label.
 */
import type { Box, Topology, Wire } from "../protocol";

export const WIDTH = 1000;
const INSET = 8;
const LABEL = 20;
const LAYERS = 5;
const BAND_BASE = 52;
const BAND_PER_LEVEL = 30;

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

  const placed = new Map<string, PlacedBox>();
  const place = (boxes: Box[], area: Rect, depth: number): void => {
    const columns = [...new Set(boxes.map((b) => b.column))].sort((a, b) => a - b);
    const width = area.w / Math.max(1, columns.length);
    columns.forEach((column, i) => {
      const group = boxes.filter((b) => b.column === column);
      for (const box of group) {
        const sameBand = group.filter((b) => b.layer === box.layer && highest.get(b.id) === highest.get(box.id));
        const slot = sameBand.indexOf(box);
        const w = width / sameBand.length;
        const y0 = Math.max(area.y, top(highest.get(box.id)!));
        const y1 = Math.min(area.y + area.h, bottom(box.layer));
        const rect: PlacedBox = { box, depth, x: area.x + i * width + slot * w, y: y0, w, h: Math.max(24, y1 - y0) };
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
    });
  };
  place(children.get(null) ?? [], { x: 0, y: 0, w: WIDTH, h: band.total }, 0);
  return placed;
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

/** An SVG path for a wire: from box a's edge to box b's edge, gently curved. */
export function wirePath(wire: Wire, placed: Map<string, PlacedBox>, reversed = false): string | null {
  const a = placed.get(reversed ? wire.b : wire.a), b = placed.get(reversed ? wire.a : wire.b);
  if (!a || !b) return null;
  const start = edgePoint(a, center(b)), end = edgePoint(b, center(a));
  const mx = (start.x + end.x) / 2, my = (start.y + end.y) / 2;
  const bend = 0.12 * (end.x - start.x === 0 ? 40 : Math.sign(end.x - start.x) * 40);
  return `M${start.x.toFixed(1)},${start.y.toFixed(1)} Q${(mx + bend).toFixed(1)},${(my - Math.abs(bend)).toFixed(1)} ${end.x.toFixed(1)},${end.y.toFixed(1)}`;
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
