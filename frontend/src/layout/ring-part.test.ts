import { describe, expect, it } from "vitest";
import type { Frame, QueueState, Topology } from "../protocol";
import topologies from "./fixtures/topologies.json" with { type: "json" };
import { ringPart } from "./ring-part";

const vdpa = (topologies as unknown as Record<string, Topology>).vdpa!;
const queue = { index: 1, name: "q", format: "split", size: 16, enabled: true, msix_vector: 1, driver: null, device: null,
  areas: [{ name: "desc", label: "", addr: 0x1000, size: 256 }, { name: "avail", label: "", addr: 0x1100, size: 38 }, { name: "used", label: "", addr: 0x1140, size: 134 }] } as QueueState;
const frame = (reads: [number, number][], writes: [number, number][] = []) => ({ memory: [], event: { reads, writes } }) as unknown as Frame;

describe("the ring part a step touches", () => {
  it("is the diagram box named after the spec area holding the step's bytes", () => {
    expect(ringPart(vdpa, [queue], frame([[0x1010, 16]]))).toBe("desc-table");
    expect(ringPart(vdpa, [queue], frame([[0x1102, 2]]))).toBe("avail-ring");
    expect(ringPart(vdpa, [queue], frame([], [[0x1144, 8]]))).toBe("used-ring");
    expect(ringPart(vdpa, [queue], frame([[0x9000, 54]]))).toBeNull(); // a buffer, not the rings
  });
});
