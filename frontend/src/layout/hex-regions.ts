/**
 * The regions of guest memory the hex view offers: the bytes this step wrote, every
 * queue area, and the buffers of the descriptors in flight (what the device reads or
 * fills), each capped so a dump stays readable.
 */
import type { Frame, QueueState } from "../protocol";
import type { SparseMemory } from "../store/memory";
import { splitDescriptors } from "./ring";
import { chainFrom } from "./ring-marks";

export const HEX_ROW = 16;
export const MAX_REGION = 1024;
/** The written bytes are shown with what follows them, four rows at least. */
export const MIN_WRITTEN = 4 * HEX_ROW;

export interface Region { key: string; label: string; addr: number; size: number }

const hex = (n: number) => `0x${n.toString(16)}`;

export function bufferRegions(queues: QueueState[], memory: SparseMemory): Region[] {
  const out: Region[] = [];
  for (const q of queues) {
    const desc = q.areas.find((a) => a.name === "desc");
    const heads = q.driver && Array.isArray(q.driver.in_flight) ? (q.driver.in_flight as number[]) : [];
    if (q.format !== "split" || !desc || !heads.length) continue;
    const descs = splitDescriptors(memory, desc.addr, q.size);
    for (const head of heads) {
      for (const i of chainFrom(descs, head)) {
        const d = descs[i]!;
        if (d.len === 0) continue;
        out.push({ key: `buf:${q.index}:${i}`, label: `${q.name}: buffer of descriptor ${i} (${d.len} bytes at ${hex(d.addr)})`, addr: d.addr, size: Math.min(d.len, MAX_REGION) });
      }
    }
  }
  return out;
}

export function regions(frame: Frame | undefined, queues: QueueState[], memory: SparseMemory): Region[] {
  const list: Region[] = [];
  const written = frame?.memory[0];
  if (written) {
    const length = written.hex.length / 2;
    const start = written.addr - (written.addr % HEX_ROW);
    const size = Math.max(MIN_WRITTEN, written.addr + length - start);
    list.push({ key: "written", label: "bytes written by this step", addr: start, size: Math.min(MAX_REGION, size) });
  }
  for (const q of queues) {
    for (const a of q.areas) list.push({ key: `${q.index}:${a.name}`, label: `${q.name}: ${a.label} at ${hex(a.addr)}`, addr: a.addr, size: Math.min(a.size, MAX_REGION * 4) });
  }
  return [...list, ...bufferRegions(queues, memory)];
}

/**
 * Which bytes of a range nobody knows: those inside the rings of a recorded queue (its
 * device state says `known: false`, docs/qemu-import.md) that the recording never wrote.
 * The model's memory starts as zeros; a recording's unwritten ring bytes are not zeros.
 */
export function unrecorded(queues: QueueState[], memory: SparseMemory, addr: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const held = memory.held(addr, length);
  for (const q of queues) {
    if (q.device?.known !== false) continue;
    for (const a of q.areas) {
      const lo = Math.max(a.addr, addr), hi = Math.min(a.addr + a.size, addr + length);
      for (let at = lo; at < hi; at++) if (!held[at - addr]) out[at - addr] = 1;
    }
  }
  return out;
}

/** The region to show for a focused byte range: the smallest listed one holding it, else one made around it. */
export function regionFor(list: Region[], addr: number, length: number): Region {
  const holding = list.filter((r) => r.key !== "written" && addr >= r.addr && addr + length <= r.addr + r.size);
  holding.sort((a, b) => a.size - b.size);
  if (holding[0]) return holding[0];
  const start = addr - (addr % HEX_ROW);
  return { key: `at:${start}`, label: `${length} bytes at ${hex(addr)}`, addr: start, size: Math.min(MAX_REGION, addr + length - start) };
}
