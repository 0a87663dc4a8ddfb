/**
 * Wires drawn as orthogonal paths (rounded at the corners) that go round the boxes they
 * do not connect.
 *
 * How this works: a wire may leave a box from any of a few ports on each side, and runs
 * on a grid of channels: lines just outside every box edge, plus the lines through its
 * ports. A shortest-path search (Dijkstra on grid point and heading) prices each stretch
 * by its length, each bend, and heavily each box it would cross; a box's ancestors and the
 * picture's root bands are not obstacles (a wire has to leave the VM and cross the host
 * kernel band). A wire also pays for running along an earlier wire or over a title, so
 * parallel wires spread out and names stay clear. The search is A* (the distance left to
 * the target box guides it).
 */
import type { Topology, Wire } from "../protocol";
import type { PlacedBox } from "./boxes";
import { inset, polylineHitsRect, roundedPath, type Point, type Rect } from "./geometry";

export interface RoutedWire { wire: Wire; from: string; to: string; points: Point[]; d: string }

export interface RouteContext {
  boxes: Map<string, PlacedBox>;
  width: number;
  height: number;
  /** the usual space between boxes; channels run at half of it from box edges */
  gap: number;
  /** text a wire should not run over (titles, names) */
  texts: Rect[];
  /** places kept for a wire's name: other wires go round them */
  reserved: { rect: Rect; owner: string }[];
}

const PORTS = [0.5, 0.35, 0.65, 0.2, 0.8];
const CROSS = 1e5, OVER_TEXT = 600, OVER_NAME = 3000, ALONG_WIRE = 6, ALONG_BORDER = 3;
type Heading = 0 | 1 | 2 | 3; // up, right, down, left
const STEP: Record<Heading, [number, number]> = { 0: [0, -1], 1: [1, 0], 2: [0, 1], 3: [-1, 0] };

/** The boxes a wire from `a` to `b` may cross: its ends, their ancestors and descendants,
 * and the root bands (host user space, host kernel space, hardware). */
export function passable(boxes: Map<string, PlacedBox>, a: string, b: string): Set<string> {
  const out = new Set<string>();
  for (const id of [a, b]) for (let at: string | null | undefined = id; at; at = boxes.get(at)?.box.parent) out.add(at);
  for (const p of boxes.values()) {
    if (p.box.kind === "space" && !p.box.parent) out.add(p.box.id);
    for (let at: string | null | undefined = p.box.parent; at; at = boxes.get(at)?.box.parent) {
      if (at === a || at === b) out.add(p.box.id);
    }
  }
  return out;
}

/** Where a wire may leave a box: a few points on each side, the middle ones preferred. */
function ports(r: Rect): { at: Point; out: Heading; rank: number }[] {
  const list: { at: Point; out: Heading; rank: number }[] = [];
  PORTS.forEach((f, rank) => {
    list.push({ at: { x: r.x + f * r.w, y: r.y }, out: 0, rank }, { at: { x: r.x + f * r.w, y: r.y + r.h }, out: 2, rank });
    list.push({ at: { x: r.x, y: r.y + f * r.h }, out: 3, rank }, { at: { x: r.x + r.w, y: r.y + f * r.h }, out: 1, rank });
  });
  return list;
}

const uniq = (values: number[]) => [...new Set(values.map((v) => Math.round(v * 2) / 2))].sort((a, b) => a - b);

class Heap {
  private items: [number, number][] = [];
  get size(): number { return this.items.length; }
  push(cost: number, state: number): void {
    const a = this.items; a.push([cost, state]);
    for (let i = a.length - 1; i > 0;) { const p = (i - 1) >> 1; if (a[p]![0] <= a[i]![0]) break; [a[p], a[i]] = [a[i]!, a[p]!]; i = p; }
  }
  pop(): [number, number] {
    const a = this.items, top = a[0]!, last = a.pop()!;
    if (a.length) {
      a[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < a.length && a[l]![0] < a[m]![0]) m = l;
        if (r < a.length && a[r]![0] < a[m]![0]) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!]; i = m;
      }
    }
    return top;
  }
}

/** The orthogonal path from box `from` to box `to` (corner points), avoiding `earlier` wires. */
export function route(ctx: RouteContext, from: string, to: string, earlier: Point[][] = [], wire = ""): Point[] {
  const A = ctx.boxes.get(from), B = ctx.boxes.get(to);
  if (!A || !B) return [];
  const free = passable(ctx.boxes, from, to);
  const walls = [...ctx.boxes.values()].filter((p) => !free.has(p.box.id) || p.box.id === from || p.box.id === to).map((p) => inset(p, 1));
  const borders = [...ctx.boxes.values()].filter((p) => !(p.box.kind === "space" && !p.box.parent));
  const g = ctx.gap / 2;
  const starts = ports(A), ends = ports(B);
  const xs = uniq([g, ctx.width - g, ...[...ctx.boxes.values()].flatMap((p) => [p.x - g, p.x + p.w + g]), ...starts.concat(ends).map((p) => p.at.x)])
    .filter((x) => x >= 0 && x <= ctx.width);
  const ys = uniq([g, ctx.height - g, ...[...ctx.boxes.values()].flatMap((p) => [p.y - g, p.y + p.h + g]), ...starts.concat(ends).map((p) => p.at.y)])
    .filter((y) => y >= 0 && y <= ctx.height);
  const nx = xs.length, ny = ys.length;
  const node = (i: number, j: number) => i * ny + j;
  const xi = new Map(xs.map((x, i) => [x, i])), yj = new Map(ys.map((y, j) => [y, j]));
  const key = (v: number) => Math.round(v * 2) / 2;

  // What each grid stretch costs, from per-line lists (only boxes and texts that a line
  // passes through can be hit by a stretch of it; only wires level on it can run along it).
  const across = (rects: Rect[], along: number[], lo: (r: Rect) => number, size: (r: Rect) => number) =>
    along.map((v) => rects.filter((r) => lo(r) < v && v < lo(r) + size(r)));
  const rowWalls = across(walls, ys, (r) => r.y, (r) => r.h), colWalls = across(walls, xs, (r) => r.x, (r) => r.w);
  const rowTexts = across(ctx.texts, ys, (r) => r.y, (r) => r.h), colTexts = across(ctx.texts, xs, (r) => r.x, (r) => r.w);
  const kept = ctx.reserved.filter((r) => r.owner !== wire).map((r) => r.rect);
  const rowKept = across(kept, ys, (r) => r.y, (r) => r.h), colKept = across(kept, xs, (r) => r.x, (r) => r.w);
  type Run = { at: number; lo: number; hi: number; weight: number; near: number };
  // Stretches of earlier wires and of box borders, by the line they lie on (rounded), so a
  // grid stretch only looks at those on its own line or next to it.
  const runs = (vertical: boolean): Map<number, Run[]> => {
    const byLine = new Map<number, Run[]>();
    const lines = [...earlier.map((l) => ({ l, wire: true })), ...borders.map((b) => ({ wire: false, l: [
      { x: b.x, y: b.y }, { x: b.x + b.w, y: b.y }, { x: b.x + b.w, y: b.y + b.h }, { x: b.x, y: b.y + b.h }, { x: b.x, y: b.y }] }))];
    for (const { l, wire } of lines) {
      for (let k = 0; k + 1 < l.length; k++) {
        const p = l[k]!, q = l[k + 1]!;
        if (vertical ? p.x !== q.x : p.y !== q.y) continue;
        const at = vertical ? p.x : p.y;
        const run: Run = { at, lo: Math.min(vertical ? p.y : p.x, vertical ? q.y : q.x), hi: Math.max(vertical ? p.y : p.x, vertical ? q.y : q.x),
          weight: wire ? ALONG_WIRE : ALONG_BORDER, near: wire ? 3 : 1.5 };
        const key = Math.round(at);
        byLine.set(key, [...(byLine.get(key) ?? []), run]);
      }
    }
    return byLine;
  };
  const levelRuns = runs(false), uprightRuns = runs(true);
  const shared = (byLine: Map<number, Run[]>, at: number, lo: number, hi: number) => {
    let sum = 0;
    for (let key = Math.round(at) - 3; key <= Math.round(at) + 3; key++) {
      for (const r of byLine.get(key) ?? []) if (Math.abs(r.at - at) < r.near) sum += r.weight * Math.max(0, Math.min(hi, r.hi) - Math.max(lo, r.lo));
    }
    return sum;
  };
  // A stretch along a grid line: its length, plus what it crosses (the rectangles the line
  // passes through, `[walls, texts, kept]`, seen on the stretch's own axis) and runs along.
  const priced = (on: [Rect[], Rect[], Rect[]], level: boolean, at: number, lo: number, hi: number): number => {
    const inside = (r: Rect) => (level ? r.x < hi && lo < r.x + r.w : r.y < hi && lo < r.y + r.h);
    let cost = hi - lo;
    on.forEach((rects, k) => { for (const r of rects) if (inside(r)) cost += [CROSS, OVER_TEXT, OVER_NAME][k]!; });
    return cost + shared(level ? levelRuns : uprightRuns, at, lo, hi);
  };
  const segmentCost = (i: number, j: number, i2: number, j2: number): number => j === j2
    ? priced([rowWalls[j]!, rowTexts[j]!, rowKept[j]!], true, ys[j]!, Math.min(xs[i]!, xs[i2]!), Math.max(xs[i]!, xs[i2]!))
    : priced([colWalls[i]!, colTexts[i]!, colKept[i]!], false, xs[i]!, Math.min(ys[j]!, ys[j2]!), Math.max(ys[j]!, ys[j2]!));
  const edgeCost = new Float64Array(nx * ny * 4).fill(-1); // (node * 4 + heading) -> cost of the step
  const stepCost = (i: number, j: number, h: Heading): number | null => {
    const [dx, dy] = STEP[h], i2 = i + dx, j2 = j + dy;
    if (i2 < 0 || j2 < 0 || i2 >= nx || j2 >= ny) return null;
    const k = node(i, j) * 4 + h;
    let c = edgeCost[k]!;
    if (c < 0) { c = segmentCost(i, j, i2, j2); edgeCost[k] = c; }
    return c;
  };

  const bend = 2 * ctx.gap + 12;
  // A*: the distance to B's box never overestimates what is left (every stretch costs at least its length)
  const toB = (i: number, j: number) => Math.max(0, B.x - xs[i]!, xs[i]! - B.x - B.w) + Math.max(0, B.y - ys[j]!, ys[j]! - B.y - B.h);
  const best = new Float64Array(nx * ny * 4).fill(Infinity);
  const back = new Int32Array(nx * ny * 4).fill(-1);
  const heap = new Heap();
  for (const s of starts) {
    const i = xi.get(key(s.at.x)), j = yj.get(key(s.at.y));
    if (i === undefined || j === undefined) continue;
    const state = node(i, j) * 4 + s.out;
    const cost = 4 * s.rank;
    if (cost < best[state]!) { best[state] = cost; heap.push(cost + toB(i, j), state); }
  }
  const goal = new Map<number, Heading>();
  for (const e of ends) {
    const i = xi.get(key(e.at.x)), j = yj.get(key(e.at.y));
    if (i !== undefined && j !== undefined) goal.set(node(i, j), ((e.out + 2) % 4) as Heading);
  }
  let found = -1;
  while (heap.size) {
    const [estimate, state] = heap.pop();
    const at = state >> 2, heading = (state & 3) as Heading;
    const cost = best[state]!;
    if (estimate > cost + toB(Math.floor(at / ny), at % ny) + 1e-6) continue; // a stale entry
    if (goal.get(at) === heading && back[state] !== -1) { found = state; break; }
    const i = Math.floor(at / ny), j = at % ny;
    const fresh = back[state] === -1;
    for (const h of [0, 1, 2, 3] as Heading[]) {
      if (h === (heading + 2) % 4 || (fresh && h !== heading)) continue; // no U-turn; leave a port outwards
      const c = stepCost(i, j, h);
      if (c === null) continue;
      const [dx, dy] = STEP[h];
      const next = node(i + dx, j + dy) * 4 + h;
      const total = cost + c + (h === heading ? 0 : bend);
      if (total < best[next]!) { best[next] = total; back[next] = state; heap.push(total + toB(i + dx, j + dy), next); }
    }
  }
  if (found < 0) return [];
  const path: Point[] = [];
  for (let s = found; s !== -1; s = back[s]!) { const at = s >> 2; path.unshift({ x: xs[Math.floor(at / ny)]!, y: ys[at % ny]! }); }
  return corners(path);
}

/** Only the points where the path turns (and its two ends). */
function corners(points: Point[]): Point[] {
  const out: Point[] = [];
  for (const p of points) {
    const a = out[out.length - 2], b = out[out.length - 1];
    if (a && b && ((a.x === b.x && b.x === p.x) || (a.y === b.y && b.y === p.y))) out[out.length - 1] = p;
    else if (!b || b.x !== p.x || b.y !== p.y) out.push(p);
  }
  return out;
}

/**
 * Every wire of the topology, in its order (earlier wires get the straighter paths). Given
 * the wires of an earlier round, only those that cross a place now kept for another wire's
 * name are routed again; the others keep their paths.
 */
export function routeAll(topology: Topology, ctx: RouteContext, before?: Map<string, RoutedWire>): Map<string, RoutedWire> {
  const out = new Map<string, RoutedWire>();
  const keeps = (w: RoutedWire) => !ctx.reserved.some((r) => r.owner !== w.wire.id && polylineHitsRect(w.points, r.rect));
  for (const [id, w] of before ?? []) if (keeps(w)) out.set(id, w);
  for (const wire of topology.wires) {
    if (out.has(wire.id)) continue;
    const others = [...out.values()].map((w) => w.points);
    const points = route(ctx, wire.a, wire.b, others, wire.id);
    if (points.length) out.set(wire.id, { wire, from: wire.a, to: wire.b, points, d: roundedPath(points, ctx.gap * 0.8) });
  }
  return new Map(topology.wires.filter((w) => out.has(w.id)).map((w) => [w.id, out.get(w.id)!]));
}
