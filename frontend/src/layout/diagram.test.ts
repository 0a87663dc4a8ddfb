import { describe, expect, it } from "vitest";
import type { Topology } from "../protocol";
import topologies from "./fixtures/topologies.json" with { type: "json" };
import { center, edgePoint, layoutBoxes, orientHops } from "./diagram";

const all = Object.values(topologies as unknown as Record<string, Topology>);

describe("layoutBoxes", () => {
  it("places every box of every scenario inside its parent", () => {
    for (const topology of all) {
      const placed = layoutBoxes(topology);
      expect(placed.size).toBe(topology.boxes.length);
      for (const p of placed.values()) {
        expect(p.w).toBeGreaterThan(0);
        expect(p.h).toBeGreaterThan(0);
        if (!p.box.parent) continue;
        const parent = placed.get(p.box.parent)!;
        expect(p.x).toBeGreaterThanOrEqual(parent.x - 0.01);
        expect(p.x + p.w).toBeLessThanOrEqual(parent.x + parent.w + 0.01);
        expect(p.y).toBeGreaterThanOrEqual(parent.y - 0.01);
      }
    }
  });

  it("draws guest space above host kernel above hardware", () => {
    const qemu = all.find((t) => t.id === "qemu-emulated")!;
    const placed = layoutBoxes(qemu);
    expect(placed.get("driver")!.y).toBeLessThan(placed.get("kvm")!.y);
    expect(placed.get("kvm")!.y).toBeLessThan(placed.get("nic")!.y);
  });
});

describe("geometry", () => {
  it("leaves a box on its edge towards the target", () => {
    const box = { x: 0, y: 0, w: 100, h: 50 };
    expect(edgePoint(box, { x: 300, y: 25 })).toEqual({ x: 100, y: 25 });
    expect(center(box)).toEqual({ x: 50, y: 25 });
  });

  it("orients each hop the way the traffic flows", () => {
    const wires = new Map([
      ["w1", { id: "w1", a: "x", b: "y", plane: "data" as const, label: "", detail: "" }],
      ["w2", { id: "w2", a: "z", b: "y", plane: "data" as const, label: "", detail: "" }],
    ]);
    expect(orientHops(wires, "x", ["w1", "w2"]).map((h) => h.reversed)).toEqual([false, true]);
  });
});
