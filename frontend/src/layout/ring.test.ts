import { describe, expect, it } from "vitest";
import { SparseMemory } from "../store/memory";
import { availRing, driverFreeList, eventSuppression, flagNames, splitDescriptors, usedRing } from "./ring";

function le(values: [number, number][]): Uint8Array {
  const bytes: number[] = [];
  for (const [value, size] of values) for (let i = 0; i < size; i++) bytes.push(Math.floor(value / 2 ** (8 * i)) & 0xff);
  return new Uint8Array(bytes);
}

describe("split ring decoding (virtio-1.2 §2.7)", () => {
  it("reads a descriptor's addr, len, flags and next at 16-byte strides", () => {
    const m = new SparseMemory();
    m.write(0x2000 + 16, le([[0x12345678, 8], [1514, 4], [3, 2], [2, 2]]));
    const d = splitDescriptors(m, 0x2000, 4)[1]!;
    expect(d).toEqual({ index: 1, addr: 0x12345678, len: 1514, flags: 3, next: 2 });
    expect(flagNames(d.flags)).toBe("NEXT|WRITE");
  });

  it("reads avail.idx, the ring and used_event after it; used elements are 8 bytes", () => {
    const m = new SparseMemory();
    m.write(0x3000, le([[0, 2], [2, 2], [5, 2], [7, 2], [0, 2], [0, 2], [9, 2]]));
    expect(availRing(m, 0x3000, 4)).toEqual({ flags: 0, idx: 2, ring: [5, 7, 0, 0], usedEvent: 9 });
    m.write(0x4000, le([[1, 2], [1, 2], [5, 4], [110, 4]]));
    const used = usedRing(m, 0x4000, 2);
    expect(used.idx).toBe(1);
    expect(used.ring[0]).toEqual({ id: 5, len: 110 });
  });

  it("takes the free list from the driver's private state, not from descriptor bytes", () => {
    expect(driverFreeList({ free_head: 2, num_free: 3, free_list: [2, 3, 0] }, 4)).toEqual([2, 3, 0]);
    expect(driverFreeList({ free_list: [1, 9, 1, -1, 2.5, 3] }, 4)).toEqual([1, 3]);
    expect(driverFreeList({ free_head: 0, num_free: 4 }, 4)).toBeNull();
    expect(driverFreeList(null, 4)).toBeNull();
  });

  it("reads event suppression words", () => {
    const m = new SparseMemory();
    m.write(0x5000, le([[0x8000 | 5, 2], [2, 2]]));
    expect(eventSuppression(m, 0x5000)).toEqual({ offset: 5, wrap: 1, flags: 2 });
  });
});
