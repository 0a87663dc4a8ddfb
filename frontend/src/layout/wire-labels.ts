/**
 * Where a wire's name goes: beside its path, clear of every other name, every box's text
 * and every other wire.
 *
 * How this works: candidates sit along each straight stretch of the wire (above or below a
 * level stretch, left or right of an upright one, or on the wire, which the name's halo
 * interrupts), nearest the middle first. A candidate that covers a box's text, a
 * component, a container's border, another wire or another name is refused; the first
 * one left wins. If every candidate is refused, the least bad one is kept, marked not
 * clean (the layout then routes wires again round it, or widens; the tests catch the rest).
 */
import type { PlacedBox } from "./boxes";
import { polylineHitsRect, polylineLength, rectsOverlap, segmentHitsRect, type Point, type Rect } from "./geometry";
import type { Measure } from "./text";
import type { RoutedWire } from "./wires";

/** A placed name; `clean`: nothing it had to avoid is under it. */
export interface WireLabel extends Rect { text: string; size: number; baseline: number; clean: boolean }

export interface LabelContext {
  boxes: Map<string, PlacedBox>;
  width: number;
  height: number;
  size: number;
  measure: Measure;
}

/** The rectangles of the text drawn in boxes. */
export function textRects(boxes: Map<string, PlacedBox>): Rect[] {
  const out: Rect[] = [];
  for (const p of boxes.values()) {
    for (const l of p.lines) {
      const x = l.anchor === "start" ? l.x : l.anchor === "end" ? l.x - l.w : l.x - l.w / 2;
      out.push({ x, y: l.y - l.size * 0.95, w: l.w, h: l.size * 1.2 });
    }
  }
  return out;
}

/** Spots for a name `w` x `h` beside a wire's straight stretches: near the middle first,
 * next to the wire or a little away from it (`reach`), or on the wire itself. */
function candidates(points: Point[], w: number, h: number, gap: number, reach: number): { rect: Rect; along: number; away: number }[] {
  const out: { rect: Rect; along: number; away: number }[] = [];
  const total = polylineLength(points) || 1;
  let walked = 0;
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i]!, b = points[i + 1]!, length = Math.hypot(b.x - a.x, b.y - a.y);
    for (let f = 0.05; f < 1; f += 0.1) {
      const x = a.x + (b.x - a.x) * f, y = a.y + (b.y - a.y) * f;
      const along = Math.abs((walked + f * length) / total - 0.5);
      for (const away of [0, reach / 2, reach]) {
        const d = gap + away;
        if (a.y === b.y) {
          out.push({ rect: { x: x - w / 2, y: y - d - h, w, h }, along, away }, { rect: { x: x - w / 2, y: y + d, w, h }, along: along + 0.02, away });
        } else {
          out.push({ rect: { x: x + d, y: y - h / 2, w, h }, along, away }, { rect: { x: x - d - w, y: y - h / 2, w, h }, along: along + 0.02, away });
        }
      }
      // On the wire itself, which its halo interrupts: good where wires run close.
      out.push({ rect: { x: x - w / 2, y: y - h / 2, w, h }, along: along + (a.y === b.y ? 0.1 : 0.3), away: 0 });
    }
    walked += length;
  }
  return out;
}

/** The stretch between a name and the nearest point of its wire (a wire crossing it would
 * make the name look like the other wire's). */
function bridge(rect: Rect, points: Point[]): Rect {
  const cx = rect.x + rect.w / 2, cy = rect.y + rect.h / 2;
  let best = points[0]!, distance = Infinity;
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i]!, b = points[i + 1]!;
    const p = a.x === b.x ? { x: a.x, y: Math.min(Math.max(cy, Math.min(a.y, b.y)), Math.max(a.y, b.y)) }
      : { x: Math.min(Math.max(cx, Math.min(a.x, b.x)), Math.max(a.x, b.x)), y: a.y };
    const d = Math.hypot(p.x - cx, p.y - cy);
    if (d < distance) { distance = d; best = p; }
  }
  const x0 = Math.min(best.x, Math.max(rect.x, Math.min(best.x, rect.x + rect.w))), y0 = Math.min(best.y, Math.max(rect.y, Math.min(best.y, rect.y + rect.h)));
  const x1 = Math.max(best.x, Math.max(rect.x, Math.min(best.x, rect.x + rect.w))), y1 = Math.max(best.y, Math.max(rect.y, Math.min(best.y, rect.y + rect.h)));
  return { x: x0, y: y0, w: Math.max(0.5, x1 - x0), h: Math.max(0.5, y1 - y0) };
}

/** Names for `wires`, placed in order: each keeps clear of the names placed before it. */
export function placeLabels(wires: RoutedWire[], ctx: LabelContext, all: RoutedWire[] = wires): Map<string, WireLabel> {
  const texts = textRects(ctx.boxes);
  const solid = [...ctx.boxes.values()].filter((p) => p.leaf && p.box.kind !== "space").map((p) => p as Rect);
  const borders = [...ctx.boxes.values()].filter((p) => !p.leaf && !(p.box.kind === "space" && !p.box.parent));
  const placed = new Map<string, WireLabel>();
  const h = ctx.size * 1.25, gap = Math.max(3, ctx.size * 0.3);
  for (const wire of wires) {
    const w = ctx.measure(wire.wire.label, ctx.size, 600) + 4;
    const others = all.filter((o) => o !== wire);
    // Best first: the first candidate with nothing under it and no border through it wins.
    const spots = candidates(wire.points, w, h, gap, ctx.size * 3).map((c) => ({ ...c, base: c.along * 10 + c.away / ctx.size }))
      .sort((a, b) => a.base - b.base);
    let best: { rect: Rect; score: number; refused: number } | null = null;
    for (const { rect, away, base } of spots) {
      if (best && best.refused === 0 && base >= best.score) break; // nothing later can do better
      let refused = rect.x < 0 || rect.y < 0 || rect.x + rect.w > ctx.width || rect.y + rect.h > ctx.height ? 1 : 0;
      const worse = () => best !== null && refused > best.refused;
      for (const t of texts) if (rectsOverlap(rect, t)) refused++;
      for (const s of solid) if (rectsOverlap(rect, s)) refused++;
      for (const l of placed.values()) if (rectsOverlap(rect, l)) refused++;
      if (worse()) continue;
      for (const other of others) if (polylineHitsRect(other.points, rect)) refused++;
      if (away && !worse()) { const between = bridge(rect, wire.points); for (const other of others) if (polylineHitsRect(other.points, between)) refused++; }
      for (const b of borders) refused += edgesCrossed(rect, b);
      if (worse()) continue;
      const score = refused * 1000 + base;
      if (!best || score < best.score) best = { rect, score, refused };
    }
    if (best) placed.set(wire.wire.id, { ...best.rect, text: wire.wire.label, size: ctx.size, baseline: best.rect.y + ctx.size * 0.98, clean: best.refused === 0 });
  }
  return placed;
}

/** How many of a box's four border lines pass through a rectangle. */
function edgesCrossed(r: Rect, b: Rect): number {
  const sides: [Point, Point][] = [
    [{ x: b.x, y: b.y }, { x: b.x + b.w, y: b.y }], [{ x: b.x + b.w, y: b.y }, { x: b.x + b.w, y: b.y + b.h }],
    [{ x: b.x, y: b.y + b.h }, { x: b.x + b.w, y: b.y + b.h }], [{ x: b.x, y: b.y }, { x: b.x, y: b.y + b.h }],
  ];
  return sides.filter(([p, q]) => segmentHitsRect(p, q, r)).length;
}
