/**
 * Plane geometry for the diagram: rectangles, polylines and the tests the layout runs
 * on them (does a wire cross a box, does a label cover a line).
 */

export interface Point { x: number; y: number }
export interface Rect { x: number; y: number; w: number; h: number }

export function center(r: Rect): Point {
  return { x: r.x + r.w / 2, y: r.y + r.h / 2 };
}

export function inset(r: Rect, by: number): Rect {
  return { x: r.x + by, y: r.y + by, w: Math.max(0, r.w - 2 * by), h: Math.max(0, r.h - 2 * by) };
}

/** Do two rectangles share an area (touching edges do not count)? */
export function rectsOverlap(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

export function contains(outer: Rect, inner: Rect, slack = 0.01): boolean {
  return inner.x >= outer.x - slack && inner.y >= outer.y - slack
    && inner.x + inner.w <= outer.x + outer.w + slack && inner.y + inner.h <= outer.y + outer.h + slack;
}

/** Liang-Barsky clipping: does the segment s-e enter the rectangle? */
export function segmentHitsRect(s: Point, e: Point, r: Rect): boolean {
  const x0 = r.x, x1 = r.x + r.w, y0 = r.y, y1 = r.y + r.h;
  let t0 = 0, t1 = 1;
  const dx = e.x - s.x, dy = e.y - s.y;
  for (const [p, q] of [[-dx, s.x - x0], [dx, x1 - s.x], [-dy, s.y - y0], [dy, y1 - s.y]] as [number, number][]) {
    if (p === 0) { if (q < 0) return false; continue; }
    const t = q / p;
    if (p < 0) { if (t > t1) return false; if (t > t0) t0 = t; } else { if (t < t0) return false; if (t < t1) t1 = t; }
  }
  return t1 - t0 > 1e-9;
}

export function polylineHitsRect(points: Point[], r: Rect): boolean {
  for (let i = 0; i + 1 < points.length; i++) if (segmentHitsRect(points[i]!, points[i + 1]!, r)) return true;
  return false;
}

export function polylineLength(points: Point[]): number {
  let total = 0;
  for (let i = 0; i + 1 < points.length; i++) total += Math.hypot(points[i + 1]!.x - points[i]!.x, points[i + 1]!.y - points[i]!.y);
  return total;
}

/** The point a fraction `t` of the way along a polyline, and the direction of its segment there. */
export function pointAlong(points: Point[], t: number): { at: Point; dx: number; dy: number } {
  const total = polylineLength(points);
  let left = t * total;
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i]!, b = points[i + 1]!;
    const length = Math.hypot(b.x - a.x, b.y - a.y);
    if (left <= length || i + 2 === points.length) {
      const f = length ? Math.min(1, left / length) : 0;
      return { at: { x: a.x + (b.x - a.x) * f, y: a.y + (b.y - a.y) * f }, dx: (b.x - a.x) / (length || 1), dy: (b.y - a.y) / (length || 1) };
    }
    left -= length;
  }
  const only = points[0] ?? { x: 0, y: 0 };
  return { at: only, dx: 1, dy: 0 };
}

/** Length of the stretches where two axis-parallel polylines run along each other within `near` px. */
export function sharedRun(a: Point[], b: Point[], near: number): number {
  let shared = 0;
  for (let i = 0; i + 1 < a.length; i++) {
    for (let j = 0; j + 1 < b.length; j++) {
      const [p, q, r, s] = [a[i]!, a[i + 1]!, b[j]!, b[j + 1]!];
      if (p.x === q.x && r.x === s.x && Math.abs(p.x - r.x) < near) {
        shared += Math.max(0, Math.min(Math.max(p.y, q.y), Math.max(r.y, s.y)) - Math.max(Math.min(p.y, q.y), Math.min(r.y, s.y)));
      } else if (p.y === q.y && r.y === s.y && Math.abs(p.y - r.y) < near) {
        shared += Math.max(0, Math.min(Math.max(p.x, q.x), Math.max(r.x, s.x)) - Math.max(Math.min(p.x, q.x), Math.min(r.x, s.x)));
      }
    }
  }
  return shared;
}

const f1 = (n: number) => (Math.round(n * 10) / 10).toString();

/** An SVG path through the points, its corners rounded by up to `radius` px. */
export function roundedPath(points: Point[], radius: number): string {
  if (points.length === 0) return "";
  let d = `M${f1(points[0]!.x)},${f1(points[0]!.y)}`;
  for (let i = 1; i < points.length; i++) {
    const p = points[i]!, prev = points[i - 1]!, next = points[i + 1];
    if (!next) { d += ` L${f1(p.x)},${f1(p.y)}`; break; }
    const inLength = Math.hypot(p.x - prev.x, p.y - prev.y), outLength = Math.hypot(next.x - p.x, next.y - p.y);
    const r = Math.min(radius, inLength / 2, outLength / 2);
    const before = { x: p.x - ((p.x - prev.x) / (inLength || 1)) * r, y: p.y - ((p.y - prev.y) / (inLength || 1)) * r };
    const after = { x: p.x + ((next.x - p.x) / (outLength || 1)) * r, y: p.y + ((next.y - p.y) / (outLength || 1)) * r };
    d += ` L${f1(before.x)},${f1(before.y)} Q${f1(p.x)},${f1(p.y)} ${f1(after.x)},${f1(after.y)}`;
  }
  return d;
}

