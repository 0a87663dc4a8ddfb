import { describe, expect, it } from "vitest";
import type { QueueState } from "../protocol";
import { descriptorFocus, overlaps, structureAt } from "./ring-fields";

const split: QueueState = {
  index: 0, name: "receiveq1", format: "split", size: 16, enabled: true, msix_vector: 1,
  areas: [{ name: "desc", label: "descriptor table", addr: 0x2000000, size: 256 },
          { name: "avail", label: "available ring", addr: 0x2000100, size: 38 },
          { name: "used", label: "used ring", addr: 0x2000140, size: 134 }],
  driver: null, device: null,
};
const packed: QueueState = {
  ...split, index: 1, name: "transmitq1", format: "packed",
  areas: [{ name: "ring", label: "descriptor ring", addr: 0x3000000, size: 256 },
          { name: "driver_event", label: "driver event", addr: 0x3000100, size: 4 },
          { name: "device_event", label: "device event", addr: 0x3000140, size: 4 }],
};

describe("structureAt", () => {
  it("finds the 16-byte split descriptor and its four fields", () => {
    const f = structureAt([split], 0x2000000 + 16 * 3 + 9)!;
    expect(f).toMatchObject({ addr: 0x2000030, length: 16, label: "receiveq1: descriptor 3", queue: 0 });
    expect(f.fields!.map((x) => [x.name, x.addr - f.addr, x.length])).toEqual([["addr", 0, 8], ["len", 8, 4], ["flags", 12, 2], ["next", 14, 2]]);
  });
  it("names every part of the available ring", () => {
    const at = (o: number) => structureAt([split], 0x2000100 + o)!.label.split(": ")[1];
    expect([at(0), at(3), at(4), at(7), at(4 + 2 * 16)]).toEqual(["avail.flags", "avail.idx", "avail.ring[0]", "avail.ring[1]", "used_event"]);
  });
  it("names every part of the used ring, an element being id and len", () => {
    const elem = structureAt([split], 0x2000140 + 4 + 8 * 2 + 5)!;
    expect(elem.label).toBe("receiveq1: used.ring[2]");
    expect(elem.fields!.map((x) => x.name)).toEqual(["id", "len"]);
    expect(structureAt([split], 0x2000140 + 4 + 8 * 16)!.label).toBe("receiveq1: avail_event");
  });
  it("handles packed rings and event suppression areas", () => {
    expect(structureAt([split, packed], 0x3000000 + 33)!.label).toBe("transmitq1: descriptor slot 2");
    expect(structureAt([split, packed], 0x3000142)!.fields!.map((x) => x.name)).toEqual(["off_wrap", "flags"]);
    expect(descriptorFocus(packed, 1)!.fields!.map((x) => x.name)).toEqual(["addr", "len", "id", "flags"]);
  });
  it("returns null outside every area", () => {
    expect(structureAt([split], 0x1000)).toBeNull();
    expect(structureAt([split], 0x2000100 + 38)).toBeNull();
  });
});

describe("overlaps", () => {
  it("is true only when byte ranges share a byte", () => {
    const f = { addr: 100, length: 16, label: "" };
    expect(overlaps(f, 115, 1)).toBe(true);
    expect(overlaps(f, 116, 4)).toBe(false);
    expect(overlaps(null, 100, 1)).toBe(false);
  });
});
