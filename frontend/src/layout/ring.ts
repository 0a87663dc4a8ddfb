/**
 * Decoding ring structures from guest memory bytes, exactly as a device reads them
 * (virtio-1.2 §2.7.5 split descriptors, §2.7.6 available ring, §2.7.8 used ring,
 * §2.8.13 packed descriptors, §2.8.14 event suppression). Little-endian throughout.
 */
import type { SparseMemory } from "../store/memory";

export const DESC_F_NEXT = 1, DESC_F_WRITE = 2, DESC_F_INDIRECT = 4;
export const PACKED_F_AVAIL = 1 << 7, PACKED_F_USED = 1 << 15;

export interface SplitDesc { index: number; addr: number; len: number; flags: number; next: number }
export interface PackedDesc { slot: number; addr: number; len: number; id: number; flags: number }

export function splitDescriptors(memory: SparseMemory, base: number, size: number): SplitDesc[] {
  const out: SplitDesc[] = [];
  for (let i = 0; i < size; i++) {
    const at = base + 16 * i;
    out.push({ index: i, addr: memory.u64(at), len: memory.u32(at + 8), flags: memory.u16(at + 12), next: memory.u16(at + 14) });
  }
  return out;
}

export function availRing(memory: SparseMemory, base: number, size: number): { flags: number; idx: number; ring: number[]; usedEvent: number } {
  const ring = Array.from({ length: size }, (_, i) => memory.u16(base + 4 + 2 * i));
  return { flags: memory.u16(base), idx: memory.u16(base + 2), ring, usedEvent: memory.u16(base + 4 + 2 * size) };
}

export function usedRing(memory: SparseMemory, base: number, size: number): { flags: number; idx: number; ring: { id: number; len: number }[]; availEvent: number } {
  const ring = Array.from({ length: size }, (_, i) => ({ id: memory.u32(base + 4 + 8 * i), len: memory.u32(base + 8 + 8 * i) }));
  return { flags: memory.u16(base), idx: memory.u16(base + 2), ring, availEvent: memory.u16(base + 4 + 8 * size) };
}

export function packedDescriptors(memory: SparseMemory, base: number, size: number): PackedDesc[] {
  return Array.from({ length: size }, (_, slot) => {
    const at = base + 16 * slot;
    return { slot, addr: memory.u64(at), len: memory.u32(at + 8), id: memory.u16(at + 12), flags: memory.u16(at + 14) };
  });
}

export function eventSuppression(memory: SparseMemory, base: number): { offset: number; wrap: number; flags: number } {
  const word = memory.u16(base);
  return { offset: word & 0x7fff, wrap: word >> 15, flags: memory.u16(base + 2) & 3 };
}

/**
 * The driver's free list, in list order, as the driver reports it in its state. It is the
 * driver's private bookkeeping (Linux's desc_extra[].next), not guest memory: the
 * descriptor table holds no free links. null when the state carries none (an imported
 * trace); entries outside the ring or repeated are dropped.
 */
export function driverFreeList(driver: Record<string, unknown> | null | undefined, size: number): number[] | null {
  const list = driver?.["free_list"];
  if (!Array.isArray(list)) return null;
  const out: number[] = [];
  for (const entry of list) {
    if (typeof entry === "number" && Number.isInteger(entry) && entry >= 0 && entry < size && !out.includes(entry)) out.push(entry);
  }
  return out;
}

export function flagNames(flags: number): string {
  const names = [];
  if (flags & DESC_F_NEXT) names.push("NEXT");
  if (flags & DESC_F_WRITE) names.push("WRITE");
  if (flags & DESC_F_INDIRECT) names.push("INDIRECT");
  return names.join("|") || "0";
}

export function hex(value: number, digits = 0): string {
  return "0x" + value.toString(16).padStart(digits, "0");
}
