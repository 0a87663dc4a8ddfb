import { describe, expect, it } from "vitest";
import type { Frame, QueueState } from "../protocol";
import { SparseMemory } from "../store/memory";
import { bufferRegions, regionFor, regions, unrecorded } from "./hex-regions";

function descriptor(addr: number, len: number, flags: number, next: number): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setUint32(0, addr, true); v.setUint32(8, len, true); v.setUint16(12, flags, true); v.setUint16(14, next, true);
  return b;
}

const queue: QueueState = {
  index: 1, name: "transmitq1", format: "split", size: 4, enabled: true, msix_vector: 2,
  areas: [{ name: "desc", label: "descriptor table", addr: 0x1000, size: 64 },
          { name: "avail", label: "available ring", addr: 0x1040, size: 14 },
          { name: "used", label: "used ring", addr: 0x1080, size: 38 }],
  driver: { free_head: 2, num_free: 2, last_used_idx: 0, avail_idx: 1, in_flight: [0], interrupts_enabled: true },
  device: null,
};

describe("hex regions", () => {
  const memory = new SparseMemory();
  memory.write(0x1000, descriptor(0x5000, 12, 1, 1));
  memory.write(0x1010, descriptor(0x6000, 5000, 0, 0));

  it("lists the buffers of every descriptor of an in-flight chain, capped", () => {
    const found = bufferRegions([queue], memory);
    expect(found.map((r) => [r.addr, r.size])).toEqual([[0x5000, 12], [0x6000, 1024]]);
    expect(found[1]!.label).toContain("5000 bytes");
  });

  it("puts the bytes this step wrote first, aligned to a row", () => {
    const frame = { memory: [{ addr: 0x1013, hex: "aabb" }] } as unknown as Frame;
    const list = regions(frame, [queue], memory);
    expect(list[0]).toMatchObject({ key: "written", addr: 0x1010, size: 64 });
    const long = regions({ memory: [{ addr: 0x2000, hex: "00".repeat(100) }] } as unknown as Frame, [], memory);
    expect(long[0]!.size).toBe(100);
    expect(list.map((r) => r.key)).toContain("1:avail");
  });

  it("shows a focus in the smallest region holding it, or in one made for it", () => {
    const list = regions(undefined, [queue], memory);
    expect(regionFor(list, 0x1010, 16).key).toBe("1:desc");
    expect(regionFor(list, 0x5004, 4).key).toBe("buf:1:0");
    expect(regionFor(list, 0x9003, 8)).toMatchObject({ addr: 0x9000, size: 11 });
  });
});

describe("bytes a recording does not have", () => {
  it("are the unwritten bytes of a recorded queue's rings, never the model's zeros", () => {
    const memory = new SparseMemory();
    memory.write(0x1002, new Uint8Array([5]));
    const recorded = { ...queue, device: { known: false } };
    expect(unrecorded([recorded], memory, 0x0ffe, 6)).toEqual(new Uint8Array([0, 0, 1, 1, 0, 1]));
    expect(unrecorded([queue], memory, 0x0ffe, 6)).toEqual(new Uint8Array(6));
  });
});
