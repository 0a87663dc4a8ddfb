/**
 * Where the boxes of an architecture diagram go, in CSS px at scale 1.
 *
 * How this works: the picture has five horizontal bands, guest user space at the top down
 * to hardware at the bottom (a box's `layer`). A box spans from the highest band any of
 * its descendants reaches down to its own band, so QEMU's process (host user space) also
 * covers the VM drawn inside it. Across, a parent's width is shared by its children's
 * `column` groups in proportion to what they hold, but never below what their text needs
 * (the widest word of a name at full size), and the gap between two columns joined by a
 * wire in one band leaves room for that wire's name. Down, each band is as tall as its
 * deepest nesting of titles plus its tallest box's text, then bands with components share
 * whatever height is left (up to twice their own). Each box carries its text as
 * positioned lines, so the drawing and the overlap checks read the same geometry.
 */
import type { Box, Topology, Wire } from "../protocol";
import { widestWord, fitText, type Measure } from "./text";
import type { TypeScale } from "./type-scale";
import type { Rect } from "./geometry";

export const LAYERS = 5;

export interface TextLine {
  text: string; x: number; y: number; size: number; w: number;
  anchor: "start" | "middle" | "end"; role: "label" | "sub" | "title";
}
export interface PlacedBox extends Rect { box: Box; depth: number; leaf: boolean; lines: TextLine[] }
export interface BoxLayout {
  width: number; height: number; minWidth: number;
  boxes: Map<string, PlacedBox>;
  bandTop: number[]; bandHeight: number[];
}
/** `names`: only the names, no sublabels (a picture that must fit a short screen). */
export interface Metrics { type: TypeScale; measure: Measure; names?: boolean }

interface Tree {
  byId: Map<string, Box>;
  kids: Map<string | null, Box[]>;
  top: Map<string, number>; // the highest band a box reaches
}

function tree(topology: Topology): Tree {
  const byId = new Map(topology.boxes.map((b) => [b.id, b] as [string, Box]));
  const kids = new Map<string | null, Box[]>();
  for (const b of topology.boxes) {
    const parent = b.parent !== null && byId.has(b.parent) ? b.parent : null;
    kids.set(parent, [...(kids.get(parent) ?? []), b]);
  }
  const top = new Map<string, number>();
  const reach = (b: Box): number => {
    const value = Math.max(b.layer, ...(kids.get(b.id) ?? []).map(reach));
    top.set(b.id, value);
    return value;
  };
  for (const root of kids.get(null) ?? []) reach(root);
  return { byId, kids, top };
}

/** Sibling boxes by column (left to right), each column as bands of boxes side by side. */
function columnsOf(boxes: Box[], t: Tree): Box[][][] {
  const columns = [...new Set(boxes.map((b) => b.column))].sort((a, b) => a - b);
  return columns.map((column) => {
    const group = boxes.filter((b) => b.column === column);
    const bands = new Map<string, Box[]>();
    for (const b of group) {
      const key = `${b.layer}:${t.top.get(b.id)}`;
      bands.set(key, [...(bands.get(key) ?? []), b]);
    }
    return [...bands.values()];
  });
}

/** Share `total` among items by weight, none below its minimum. */
export function share(total: number, weights: number[], mins: number[]): number[] {
  const out = new Array<number>(weights.length).fill(0);
  const fixed = new Set<number>();
  for (;;) {
    const free = weights.map((_, i) => i).filter((i) => !fixed.has(i));
    const left = total - [...fixed].reduce((sum, i) => sum + mins[i]!, 0);
    const weight = free.reduce((sum, i) => sum + weights[i]!, 0) || 1;
    const short = free.filter((i) => (left * weights[i]!) / weight < mins[i]!);
    if (!short.length) { for (const i of free) out[i] = (left * weights[i]!) / weight; break; }
    for (const i of short) { fixed.add(i); out[i] = mins[i]!; }
  }
  for (const i of fixed) out[i] = mins[i]!;
  return out;
}

export function spacing(type: TypeScale) {
  const pad = Math.round(type.title * 0.55);
  // `band`: the room above a box that starts below its parent's top band, where the wires
  // that cross from band to band run, with their names
  return { pad, gap: 2 * pad, textPad: Math.round(type.label * 0.45), band: Math.round(type.wire * 1.8) };
}

export function layoutBoxes(topology: Topology, width: number, height: number | null, m: Metrics): BoxLayout {
  const t = tree(topology), { type, measure } = m, sp = spacing(type);
  const parentOf = (b: Box) => (b.parent !== null && t.byId.has(b.parent) ? t.byId.get(b.parent)! : null);
  const isLeaf = (b: Box) => !(t.kids.get(b.id)?.length);
  const bandLike = (b: Box) => b.kind === "space" && !parentOf(b);

  // -- across ----------------------------------------------------------------------------
  const gapNeed = wireGaps(topology, t, sp, type, measure);
  const demand = new Map<string, number>(), minW = new Map<string, number>();
  const measureBox = (b: Box): void => {
    const inner = t.kids.get(b.id) ?? [];
    inner.forEach(measureBox);
    const title = measure(b.label, type.title) + 2 * sp.textPad;
    if (!inner.length) {
      demand.set(b.id, 1);
      const text = b.kind === "space" || b.kind === "process" || b.kind === "vm" ? title
        : Math.max(widestWord(b.label, type.label, measure), b.sublabel ? widestWord(b.sublabel, type.sub, measure) : 0) + 2 * sp.textPad;
      minW.set(b.id, Math.max(text, type.label * 4));
      return;
    }
    const { widths, demands } = columnNeeds(inner, b.id);
    demand.set(b.id, demands.reduce((s, d) => s + d, 0));
    minW.set(b.id, Math.max(title, widths.reduce((s, w) => s + w, 0) + gapsOf(inner, b.id).reduce((s, g) => s + g, 0) + 2 * sp.pad));
  };
  const columnNeeds = (boxes: Box[], parent: string | null) => {
    const cols = columnsOf(boxes, t);
    return {
      widths: cols.map((bands) => Math.max(...bands.map((row) => row.reduce((s, b) => s + minW.get(b.id)!, 0) + sp.gap * (row.length - 1)))),
      demands: cols.map((bands) => Math.max(1, ...bands.map((row) => row.reduce((s, b) => s + demand.get(b.id)!, 0)))),
      cols,
      parent,
    };
  };
  const gapsOf = (boxes: Box[], parent: string | null) => {
    const cols = columnsOf(boxes, t);
    return cols.slice(1).map((col, i) => Math.max(sp.gap, gapNeed.get(`${parent}|${cols[i]![0]![0]!.column}|${col[0]![0]!.column}`) ?? 0));
  };
  const roots = t.kids.get(null) ?? [];
  roots.forEach(measureBox);
  const rootNeeds = columnNeeds(roots, null);
  const rootGaps = gapsOf(roots, null);
  const minWidth = Math.ceil(rootNeeds.widths.reduce((s, w) => s + w, 0) + rootGaps.reduce((s, g) => s + g, 0));
  const W = Math.max(width, minWidth);

  const rects = new Map<string, { x: number; w: number }>();
  const across = (boxes: Box[], parent: string | null, x: number, w: number): void => {
    const needs = columnNeeds(boxes, parent), gaps = gapsOf(boxes, parent);
    const widths = share(w - gaps.reduce((s, g) => s + g, 0), needs.demands.map((d) => Math.pow(d, 0.75)), needs.widths);
    let left = x;
    needs.cols.forEach((bands, i) => {
      for (const row of bands) {
        const slots = share(widths[i]! - sp.gap * (row.length - 1), row.map((b) => Math.pow(demand.get(b.id)!, 0.75)), row.map((b) => minW.get(b.id)!));
        let at = left;
        row.forEach((b, j) => {
          rects.set(b.id, { x: at, w: slots[j]! });
          const inner = t.kids.get(b.id);
          if (inner?.length) across(inner, b.id, at + sp.pad, slots[j]! - 2 * sp.pad);
          at += slots[j]! + sp.gap;
        });
      }
      left += widths[i]! + (gaps[i] ?? 0);
    });
  };
  across(roots, null, 0, W);

  // -- text inside each box --------------------------------------------------------------
  const texts = new Map<string, { label: TextLine[]; sub: TextLine[]; height: number; header: number }>();
  for (const b of topology.boxes) {
    const r = rects.get(b.id)!, room = r.w - 2 * sp.textPad;
    if (isLeaf(b) && !(b.kind === "space" || b.kind === "process" || b.kind === "vm")) {
      const label = fitText(b.label, room, type.label, type.min, 3, measure)
        ?? fitText(b.label, room, type.min, type.min, 9, measure) ?? { lines: [b.label], size: type.min, width: room };
      const sub = b.sublabel && !m.names ? fitText(b.sublabel, room, type.sub, type.min, 3, measure) : null;
      const lines: TextLine[] = [], subs: TextLine[] = [];
      let y = 0;
      for (const text of label.lines) lines.push({ text, x: 0, y: (y += label.size * 1.2) - label.size * 0.25, size: label.size, w: measure(text, label.size), anchor: "middle", role: "label" });
      if (sub) { y += 2; for (const text of sub.lines) subs.push({ text, x: 0, y: (y += sub.size * 1.25) - sub.size * 0.28, size: sub.size, w: measure(text, sub.size), anchor: "middle", role: "sub" }); }
      texts.set(b.id, { label: lines, sub: subs, height: y, header: 0 });
      continue;
    }
    const title = type.title * 1.45;
    const titleW = measure(b.label, type.title);
    const lines: TextLine[] = [{ text: b.label, x: 0, y: type.title * 1.1, size: type.title, w: titleW, anchor: "start", role: "title" }];
    let header = title;
    if (b.sublabel && !m.names) {
      const oneRow = measure(b.sublabel, type.sub);
      if (titleW + type.title + oneRow <= room) {
        lines.push({ text: b.sublabel, x: r.w - sp.textPad, y: type.title * 1.1, size: type.sub, w: oneRow, anchor: "end", role: "sub" });
      } else {
        const sub = fitText(b.sublabel, room, type.sub, type.min, 2, measure);
        for (const text of sub?.lines ?? []) {
          lines.push({ text, x: sp.textPad, y: header + sub!.size * 0.95, size: sub!.size, w: measure(text, sub!.size), anchor: "start", role: "sub" });
          header += sub!.size * 1.25;
        }
      }
    }
    texts.set(b.id, { label: lines, sub: [], height: header, header: header + sp.pad * 0.4 });
  }

  // -- down ------------------------------------------------------------------------------
  const above = new Map<string, number>(), below = new Map<string, number>();
  const edge = 2, detour = detours(topology, t, sp, type);
  const rootOf = (id: string): Box | undefined => { const chain = chainOf(t, id); return t.byId.get(chain[0] ?? ""); };
  const entered = new Set<number>(); // the root bands a wire comes into from a band above
  for (const w of topology.wires) {
    const [ra, rb] = [rootOf(w.a), rootOf(w.b)];
    if (ra && rb && ra !== rb && bandLike(ra) && bandLike(rb)) entered.add(Math.min(ra.layer, rb.layer));
  }
  const walk = (b: Box): void => {
    const p = parentOf(b);
    if (!p) { above.set(b.id, bandLike(b) ? 0 : edge); below.set(b.id, bandLike(b) ? 0 : edge); }
    else {
      // under a band's title, room for the wires that come down into the band, and their names
      const room = bandLike(p) && entered.has(p.layer) ? sp.band : 0;
      above.set(b.id, t.top.get(b.id) === t.top.get(p.id) ? above.get(p.id)! + texts.get(p.id)!.header + room : sp.band);
      below.set(b.id, b.layer === p.layer ? below.get(p.id)! + sp.pad : sp.band);
    }
    below.set(b.id, below.get(b.id)! + (detour.get(b.id) ?? 0));
    (t.kids.get(b.id) ?? []).forEach(walk);
  };
  roots.forEach(walk);
  const need = new Array<number>(LAYERS).fill(0);
  const stretchy = new Array<boolean>(LAYERS).fill(false);
  for (const b of topology.boxes) {
    if (!isLeaf(b)) continue;
    const own = texts.get(b.id)!;
    const body = own.header ? own.header + sp.pad : own.height + 2 * Math.max(6, type.label * 0.45);
    need[b.layer] = Math.max(need[b.layer]!, above.get(b.id)! + body + below.get(b.id)!);
    if (b.kind !== "space") stretchy[b.layer] = true;
  }
  const bandHeight = [...need];
  let spare = height === null ? 0 : height - need.reduce((s, h) => s + h, 0);
  for (let round = 0; round < 3 && spare > 0.5; round++) {
    const open = need.map((_, i) => i).filter((i) => stretchy[i] && bandHeight[i]! < 2 * need[i]!);
    const total = open.reduce((s, i) => s + need[i]!, 0);
    if (!total) break;
    let used = 0;
    for (const i of open) {
      const grow = Math.min(2 * need[i]! - bandHeight[i]!, (spare * need[i]!) / total);
      bandHeight[i] = bandHeight[i]! + grow;
      used += grow;
    }
    spare -= used;
  }
  const margin = Math.max(0, spare) / 2;
  const bandTop = new Array<number>(LAYERS).fill(0);
  let y = margin;
  for (let layer = LAYERS - 1; layer >= 0; layer--) { bandTop[layer] = y; y += bandHeight[layer]!; }
  const H = y + margin;

  // -- together ----------------------------------------------------------------------------
  const boxes = new Map<string, PlacedBox>();
  const depthOf = (b: Box): number => { const p = parentOf(b); return p ? depthOf(p) + 1 : 0; };
  for (const b of topology.boxes) {
    const r = rects.get(b.id)!, top = t.top.get(b.id)!;
    const y0 = bandTop[top]! + above.get(b.id)!, y1 = bandTop[b.layer]! + bandHeight[b.layer]! - below.get(b.id)!;
    const placed: PlacedBox = { box: b, depth: depthOf(b), leaf: isLeaf(b), x: r.x, y: y0, w: r.w, h: Math.max(1, y1 - y0), lines: [] };
    const own = texts.get(b.id)!;
    if (own.header) {
      placed.lines = own.label.map((l) => ({ ...l, x: r.x + (l.anchor === "end" ? l.x : sp.textPad), y: y0 + l.y }));
    } else {
      const dy = y0 + (placed.h - own.height) / 2, cx = r.x + r.w / 2;
      placed.lines = [...own.label, ...own.sub].map((l) => ({ ...l, x: cx, y: dy + l.y }));
    }
    boxes.set(b.id, placed);
  }
  return { width: W, height: H, minWidth, boxes, bandTop, bandHeight };
}

/** The chain of box ids from a root down to `id`. */
function chainOf(t: Tree, id: string): string[] {
  const ids: string[] = [];
  for (let at: string | null = id; at !== null && t.byId.has(at); at = t.byId.get(at)!.parent) ids.unshift(at);
  return ids;
}

/** Where a wire between two boxes of one band parts: the children of their lowest common
 * ancestor (null: the roots) that hold each end. */
function parting(t: Tree, wire: Wire): { parent: string | null; left: Box; right: Box } | null {
  const a = t.byId.get(wire.a), b = t.byId.get(wire.b);
  if (!a || !b || a.layer !== b.layer) return null;
  const ca = chainOf(t, a.id), cb = chainOf(t, b.id);
  let i = 0;
  while (i < ca.length && i < cb.length && ca[i] === cb[i]) i++;
  const left = t.byId.get(ca[i] ?? ""), right = t.byId.get(cb[i] ?? "");
  if (!left || !right || left.column === right.column) return null;
  return { parent: i > 0 ? ca[i - 1]! : null, left, right };
}

/**
 * Room under boxes that stand between the two ends of a level wire (the guest memory
 * between the ring lab's driver and device, the tap between vhost-net and KVM): the wire
 * goes round below them, in a channel as tall as its name.
 */
function detours(topology: Topology, t: Tree, sp: ReturnType<typeof spacing>, type: TypeScale): Map<string, number> {
  const out = new Map<string, number>();
  for (const wire of topology.wires) {
    const part = parting(t, wire);
    if (!part) continue;
    const [lo, hi] = [part.left.column, part.right.column].sort((x, y) => x - y) as [number, number];
    const layer = t.byId.get(wire.a)!.layer;
    for (const between of t.kids.get(part.parent) ?? []) {
      if (between.column > lo && between.column < hi && between.layer <= layer && t.top.get(between.id)! >= layer) {
        out.set(between.id, (out.get(between.id) ?? 0) + type.wire * 1.7 + sp.pad);
      }
    }
  }
  return out;
}

/**
 * Gaps that must hold a wire's name: a wire between two sibling columns (or boxes inside
 * them) whose ends sit in the same band is drawn level, in the gap between those columns.
 * Keyed "parent|left column|right column" for adjacent columns.
 */
function wireGaps(topology: Topology, t: Tree, sp: ReturnType<typeof spacing>, type: TypeScale, measure: Measure): Map<string, number> {
  const out = new Map<string, number>();
  for (const wire of topology.wires) {
    const part = parting(t, wire);
    if (!part) continue;
    const { parent, left, right } = part;
    const siblings = [...new Set((t.kids.get(parent) ?? []).map((x) => x.column))].sort((x, y) => x - y);
    const [lo, hi] = [left.column, right.column].sort((x, y) => x - y) as [number, number];
    if (siblings.indexOf(hi) - siblings.indexOf(lo) !== 1) continue;
    const key = `${parent}|${lo}|${hi}`;
    out.set(key, Math.max(out.get(key) ?? 0, measure(wire.label, type.wire, 600) + 2 * sp.pad + 4));
  }
  return out;
}
