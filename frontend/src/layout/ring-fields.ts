/**
 * Which ring structure a guest-physical address falls in, with its fields, so that the
 * hex view and the ring views point at the same bytes (virtio-1.2 §2.7.5-§2.7.8 split,
 * §2.8.13-§2.8.14 packed).
 */
import type { QueueState } from "../protocol";

export interface Field { name: string; addr: number; length: number }
export interface Focus { addr: number; length: number; label: string; queue?: number; descriptor?: number; fields?: Field[] }

function fields(base: number, layout: [string, number][]): Field[] {
  let at = base;
  return layout.map(([name, length]) => { const f = { name, addr: at, length }; at += length; return f; });
}

const SPLIT_DESC: [string, number][] = [["addr", 8], ["len", 4], ["flags", 2], ["next", 2]];
const PACKED_DESC: [string, number][] = [["addr", 8], ["len", 4], ["id", 2], ["flags", 2]];
const EVENT: [string, number][] = [["off_wrap", 2], ["flags", 2]];

export function descriptorFocus(queue: QueueState, index: number): Focus | null {
  const area = queue.areas.find((a) => a.name === (queue.format === "split" ? "desc" : "ring"));
  if (!area) return null;
  const addr = area.addr + 16 * index;
  const what = queue.format === "split" ? `descriptor ${index}` : `descriptor slot ${index}`;
  return { addr, length: 16, label: `${queue.name}: ${what}`, queue: queue.index, descriptor: index, fields: fields(addr, queue.format === "split" ? SPLIT_DESC : PACKED_DESC) };
}

function inSplitRing(queue: QueueState, area: { name: string; addr: number }, offset: number): Focus {
  const q = queue.name, n = queue.size;
  const one = (at: number, length: number, label: string, layout?: [string, number][]): Focus =>
    ({ addr: area.addr + at, length, label: `${q}: ${label}`, queue: queue.index, fields: layout ? fields(area.addr + at, layout) : [{ name: label, addr: area.addr + at, length }] });
  const prefix = area.name === "avail" ? "avail" : "used";
  if (offset < 2) return one(0, 2, `${prefix}.flags`);
  if (offset < 4) return one(2, 2, `${prefix}.idx`);
  if (area.name === "avail") {
    if (offset < 4 + 2 * n) { const i = (offset - 4) >> 1; return one(4 + 2 * i, 2, `avail.ring[${i}]`); }
    return one(4 + 2 * n, 2, "used_event");
  }
  if (offset < 4 + 8 * n) { const i = (offset - 4) >> 3; return one(4 + 8 * i, 8, `used.ring[${i}]`, [["id", 4], ["len", 4]]); }
  return one(4 + 8 * n, 2, "avail_event");
}

/** The ring structure that holds `addr`, or null when no queue area contains it. */
export function structureAt(queues: QueueState[], addr: number): Focus | null {
  for (const queue of queues) {
    for (const area of queue.areas) {
      const offset = addr - area.addr;
      if (offset < 0 || offset >= area.size) continue;
      if (area.name === "desc" || area.name === "ring") return descriptorFocus(queue, Math.floor(offset / 16));
      if (area.name === "avail" || area.name === "used") return inSplitRing(queue, area, offset);
      const label = area.name === "driver_event" ? "driver event suppression" : "device event suppression";
      return { addr: area.addr, length: 4, label: `${queue.name}: ${label}`, queue: queue.index, fields: fields(area.addr, EVENT) };
    }
  }
  return null;
}

export function overlaps(focus: Focus | null, addr: number, length: number): boolean {
  return !!focus && focus.addr < addr + length && addr < focus.addr + focus.length;
}

/** The ring slots a step's bytes fall in (descriptor, ring entry or used element), in order. */
export function slotsTouched(queue: QueueState, ranges: [number, number][]): number[] {
  const out: number[] = [];
  for (const [addr, length] of ranges) {
    for (const area of queue.areas) {
      const offset = addr - area.addr;
      if (offset + length <= 0 || offset >= area.size) continue;
      const at = Math.max(0, offset);
      const slot = area.name === "desc" || area.name === "ring" ? Math.floor(at / 16)
        : area.name === "avail" ? Math.floor((at - 4) / 2) : area.name === "used" ? Math.floor((at - 4) / 8) : -1;
      if (slot >= 0 && slot < queue.size && !out.includes(slot)) out.push(slot);
    }
  }
  return out;
}
