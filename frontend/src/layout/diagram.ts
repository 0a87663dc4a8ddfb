/**
 * An architecture diagram laid out for one size: boxes (with their text), wires and the
 * wires' names, in CSS px at scale 1, so that a font size here is the size on screen.
 * `boxes.ts` places the boxes, `wires.ts` routes the wires round them, `wire-labels.ts`
 * finds each name a clear place; `quality.ts` checks the result.
 */
import type { Topology, Wire } from "../protocol";
import { layoutBoxes, spacing, type BoxLayout } from "./boxes";
import { roundedPath, type Point, type Rect } from "./geometry";
import type { Measure } from "./text";
import type { TypeScale } from "./type-scale";
import { placeLabels, textRects, type WireLabel } from "./wire-labels";
import { route, routeAll, type RouteContext, type RoutedWire } from "./wires";

export type { PlacedBox } from "./boxes";
export type { RoutedWire } from "./wires";
export type { WireLabel } from "./wire-labels";

export interface DiagramLayout extends BoxLayout {
  type: TypeScale;
  wires: Map<string, RoutedWire>;
  texts: Rect[];
  context: RouteContext;
  measure: Measure;
}

export interface LayoutOptions { width: number; height?: number | null; type: TypeScale; measure: Measure }

export function layoutDiagram(topology: Topology, o: LayoutOptions): DiagramLayout {
  let layout = attempt(topology, o, o.width);
  // Taller than the screen it must fill (a projector's large type): names only, no sublabels.
  if (o.height && layout.height > o.height + 1) {
    const names = attempt(topology, o, o.width, true);
    if (names.height < layout.height) layout = names;
  }
  // Still no clear place for some name: a picture that takes the height it needs (a blog
  // column, a phone) gets more room across (it pans) and tries again.
  for (let wider = 1; wider <= 3 && !o.height && unplaced(layout, topology).length; wider++) {
    layout = attempt(topology, o, Math.round(Math.max(o.width, layout.minWidth) * (1 + 0.15 * wider)));
  }
  return layout;
}

/** The boxes alone (no wires yet): what a page shows while the wires are being routed. */
export function boxesOnly(topology: Topology, o: LayoutOptions, names = false): DiagramLayout {
  const boxes = layoutBoxes(topology, o.width, o.height ?? null, { type: o.type, measure: o.measure, names });
  const texts = textRects(boxes.boxes);
  const context: RouteContext = { boxes: boxes.boxes, width: boxes.width, height: boxes.height, gap: spacing(o.type).gap, texts, reserved: [] };
  return { ...boxes, type: o.type, wires: new Map(), texts, context, measure: o.measure };
}

function attempt(topology: Topology, o: LayoutOptions, width: number, names = false): DiagramLayout {
  const boxes = boxesOnly(topology, { ...o, width }, names), context = boxes.context;
  let layout: DiagramLayout = { ...boxes, wires: routeAll(topology, context) };
  // A name with no clear place keeps the place it wanted, and the wires are routed again
  // round it (three times at most: each round only adds places).
  for (let round = 0; round < 3; round++) {
    const wanted = unplaced(layout, topology);
    if (!wanted.length) break;
    context.reserved.push(...wanted);
    layout = { ...layout, wires: routeAll(topology, context, layout.wires) };
  }
  return layout;
}

/** The hops of a path from `start`, as drawn: the first and the last one routed into
 * `into` (a part of the rings) when they end at the box holding it. */
export function drawnHops(layout: DiagramLayout, wires: Map<string, Wire>, start: string, ids: string[], into: string | null = null): Hop[] {
  const oriented = orientHops(wires, start, ids);
  return oriented.map((h, i) => ({ wire: h.wire, points: hopPoints(layout, h.wire, h.reversed, i === 0 || i === oriented.length - 1 ? into : null) }))
    .filter((h) => h.points.length);
}

/** Every way the topology's routes are drawn: each route as it is, and into each part of
 * the rings when it reaches the rings. */
export function drawnRoutes(layout: DiagramLayout, topology: Topology): { name: string; hops: Hop[] }[] {
  const wires = new Map(topology.wires.map((w) => [w.id, w] as [string, Wire]));
  const parts = (id: string) => topology.boxes.filter((b) => b.parent === id && b.kind === "memory").map((b) => b.id);
  return topology.routes.flatMap((route) => {
    const ends = route.hops.flatMap((id) => { const w = wires.get(id); return w ? [w.a, w.b] : []; });
    const intos = [null, ...new Set(ends.flatMap(parts))];
    return intos.map((into) => ({ name: into ? `${route.name} into ${into}` : route.name, hops: drawnHops(layout, wires, route.start, route.hops, into) }));
  });
}

/** The names of the topology's routes that found no clear place, where they wanted to go. */
function unplaced(layout: DiagramLayout, topology: Topology): { rect: Rect; owner: string }[] {
  const out: { rect: Rect; owner: string }[] = [];
  for (const { hops } of drawnRoutes(layout, topology)) {
    for (const [owner, label] of routeLabels(layout, hops)) if (!label.clean) out.push({ rect: label, owner });
  }
  return out;
}

export interface Hop { wire: Wire; points: Point[] }

const named = new WeakMap<DiagramLayout, Map<string, Map<string, WireLabel>>>();

/**
 * Names for the hops of a route as drawn (a hop may be routed into a part of the rings):
 * each clear of the other names, of every box's text and of every wire drawn.
 */
export function routeLabels(layout: DiagramLayout, hops: Hop[]): Map<string, WireLabel> {
  const key = hops.map((h) => `${h.wire.id}:${h.points.map((p) => `${p.x},${p.y}`).join(" ")}`).join("|");
  const cache = named.get(layout) ?? new Map<string, Map<string, WireLabel>>();
  named.set(layout, cache);
  let found = cache.get(key);
  if (!found) {
    const lit = hops.map((h): RoutedWire => ({ wire: h.wire, from: h.wire.a, to: h.wire.b, points: h.points, d: "" }));
    const ids = new Set(hops.map((h) => h.wire.id));
    const drawn = [...lit, ...[...layout.wires.values()].filter((w) => !ids.has(w.wire.id))];
    found = placeLabels(lit, { boxes: layout.boxes, width: layout.width, height: layout.height, size: layout.type.wire, measure: layout.measure }, drawn);
    cache.set(key, found);
  }
  return found;
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

const retargeted = new WeakMap<DiagramLayout, Map<string, Point[]>>();

/**
 * A hop's points in the direction of travel; when `into` names a box inside one of the
 * wire's ends (the part of the ring a step touches), the hop is routed to or from that box.
 */
export function hopPoints(layout: DiagramLayout, wire: Wire, reversed: boolean, into: string | null = null): Point[] {
  const routed = layout.wires.get(wire.id);
  if (!routed) return [];
  const [start, end] = reversed ? [wire.b, wire.a] : [wire.a, wire.b];
  const parent = into ? layout.boxes.get(into)?.box.parent : null;
  if (into && (parent === end || parent === start)) {
    const cache = retargeted.get(layout) ?? new Map<string, Point[]>();
    retargeted.set(layout, cache);
    const [from, to] = parent === end ? [start, into] : [into, end];
    const key = `${wire.id}:${from}>${to}`;
    let own = cache.get(key);
    if (!own) {
      own = route(layout.context, from, to, [...layout.wires.values()].filter((w) => w !== routed).map((w) => w.points));
      cache.set(key, own);
    }
    if (own.length) return own;
  }
  return reversed ? [...routed.points].reverse() : routed.points;
}

export function pathOf(layout: DiagramLayout, points: Point[]): string {
  return roundedPath(points, spacing(layout.type).gap * 0.8);
}
