/**
 * What makes a diagram legible, as numbers: the smallest text, names that cover other
 * names, a box's text or a box's border, wires that cross a box they do not connect, and names that sit on
 * a wire they do not name. The layout tests and the browser's geometry checks read these.
 */
import type { Topology } from "../protocol";
import { drawnRoutes, routeLabels, type DiagramLayout } from "./diagram";
import { polylineHitsRect, inset, segmentHitsRect, type Rect } from "./geometry";
import { passable } from "./wires";

export interface Quality {
  smallestText: number;
  /** a name over another name, over a box's text or across a box's border */
  overlaps: string[];
  crossings: string[];
  labelsOnWires: string[];
}

function area(a: Rect, b: Rect): number {
  return Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x)) * Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
}

/** Does one of the four border lines of `b` pass through `r`? */
function crossesBorder(r: Rect, b: Rect): boolean {
  const hits = (x0: number, y0: number, x1: number, y1: number) => segmentHitsRect({ x: x0, y: y0 }, { x: x1, y: y1 }, inset(r, 0.5));
  return hits(b.x, b.y, b.x + b.w, b.y) || hits(b.x + b.w, b.y, b.x + b.w, b.y + b.h) || hits(b.x, b.y + b.h, b.x + b.w, b.y + b.h) || hits(b.x, b.y, b.x, b.y + b.h);
}

/** The layout's quality, with the names of every route of `topology` as they would be drawn. */
export function quality(layout: DiagramLayout, topology: Topology): Quality {
  const overlaps: string[] = [];
  const labelsOnWires: string[] = [];
  const sizes = [...layout.boxes.values()].flatMap((p) => p.lines.map((l) => l.size));
  for (const route of drawnRoutes(layout, topology)) {
    const labels = [...routeLabels(layout, route.hops).entries()];
    labels.forEach(([id, l], i) => {
      sizes.push(l.size);
      for (const [other, m] of labels.slice(i + 1)) if (area(l, m) > 1) overlaps.push(`${route.name}: ${id} / ${other}`);
      layout.texts.forEach((t, k) => { if (area(l, t) > 1) overlaps.push(`${route.name}: ${id} / text ${k}`); });
      for (const b of layout.boxes.values()) if (!(b.box.kind === "space" && !b.box.parent) && crossesBorder(l, b)) overlaps.push(`${route.name}: ${id} / border of ${b.box.id}`);
      for (const w of layout.wires.values()) if (w.wire.id !== id && polylineHitsRect(w.points, l)) labelsOnWires.push(`${route.name}: ${id} on ${w.wire.id}`);
    });
  }
  layout.texts.forEach((t, i) => layout.texts.slice(i + 1).forEach((u, k) => { if (area(t, u) > 1) overlaps.push(`text ${i} / text ${i + 1 + k}`); }));
  const crossings: string[] = [];
  for (const w of layout.wires.values()) {
    const free = passable(layout.boxes, w.from, w.to);
    for (const p of layout.boxes.values()) {
      if (!free.has(p.box.id) && polylineHitsRect(w.points, inset(p, 1))) crossings.push(`${w.wire.id} through ${p.box.id}`);
    }
  }
  return { smallestText: Math.min(...sizes), overlaps, crossings, labelsOnWires };
}
