/**
 * What the ring views mark, computed from indices and descriptor bytes: the chains
 * (virtio-1.2 §2.7.5: a descriptor with VIRTQ_DESC_F_NEXT continues at `next`), the
 * driver's free list (given: it is the driver's private state, see `driverFreeList`),
 * and the ring slots one side has published and the other has not taken yet. Indices
 * are free-running 16-bit counters; a slot is `idx mod size`.
 */
import { DESC_F_NEXT, type SplitDesc } from "./ring";

export interface ChainLink { from: number; to: number; kind: "chain" | "free" }

/** The entries published but not yet consumed: from `consumer` up to `producer` (exclusive). */
export function pendingSlots(producer: number, consumer: number | null | undefined, size: number): number[] {
  if (consumer === null || consumer === undefined || size <= 0) return [];
  const count = (producer - consumer) & 0xffff;
  if (count > size) return []; // the counters disagree (a violation); mark nothing
  return Array.from({ length: count }, (_, i) => (consumer + i) % size);
}

/** Descriptors that belong to a chain starting at one of `heads`, in chain order. */
export function chainFrom(descs: SplitDesc[], head: number): number[] {
  const out: number[] = [];
  let at = head;
  while (at < descs.length && !out.includes(at)) {
    out.push(at);
    const d = descs[at]!;
    if (!(d.flags & DESC_F_NEXT)) break;
    at = d.next;
  }
  return out;
}

/**
 * Links to draw beside the descriptor table: `next` links of descriptors in use (not on
 * the free list) that carry NEXT, and the links of the free list, in its order.
 */
export function chainLinks(descs: SplitDesc[], free: number[]): ChainLink[] {
  const onFreeList = new Set(free);
  const links: ChainLink[] = [];
  for (const d of descs) {
    if (!onFreeList.has(d.index) && d.flags & DESC_F_NEXT && d.next < descs.length) {
      links.push({ from: d.index, to: d.next, kind: "chain" });
    }
  }
  for (let i = 0; i + 1 < free.length; i++) links.push({ from: free[i]!, to: free[i + 1]!, kind: "free" });
  return links;
}

/** An SVG arc in a gutter of `width` px left of rows `rowHeight` px tall: farther rows bulge wider. */
export function linkPath(link: ChainLink, rowHeight: number, width: number): string {
  const y1 = (link.from + 0.5) * rowHeight, y2 = (link.to + 0.5) * rowHeight;
  const rows = Math.abs(link.to - link.from);
  const reach = Math.min(width - 3, 6 + 4 * Math.sqrt(rows));
  const x = width - 1, bx = x - reach * 1.33;
  return `M${x},${y1} C${bx.toFixed(1)},${y1} ${bx.toFixed(1)},${y2} ${x},${y2}`;
}
