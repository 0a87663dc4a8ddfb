import { describe, expect, it } from "vitest";
import type { Topology } from "../protocol";
import topologies from "./fixtures/topologies.json" with { type: "json" };
import { center, columnDemand, edgePoint, layoutBoxes, segmentHitsRect, orientHops, parallelOffsets, wireGeometry, wireMidpoint, wirePath } from "./diagram";

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

describe("wires", () => {
  const box = (id: string, x: number, y: number, w: number, h: number) =>
    [id, { x, y, w, h, depth: 0, box: { id, label: id, kind: "component", parent: null, sublabel: null, layer: 0, column: 0 } }] as const;
  const placed = new Map([box("top", 0, 0, 200, 50), box("low", 100, 200, 200, 50), box("side", 400, 20, 100, 40), box("far", 600, 400, 50, 50)]);
  const wire = (id: string, a: string, b: string) => ({ id, a, b, plane: "data" as const, label: "", detail: "" });

  it("joins stacked boxes with a vertical line through their shared columns", () => {
    const g = wireGeometry(wire("w", "top", "low"), placed)!;
    expect(g.start).toEqual({ x: 150, y: 50 });
    expect(g.end).toEqual({ x: 150, y: 200 });
  });

  it("joins boxes side by side with a horizontal line", () => {
    const g = wireGeometry(wire("w", "side", "top"), placed)!;
    expect(g.start.x).toBe(400);
    expect(g.end.x).toBe(200);
    expect(g.start.y).toBe(g.end.y);
  });

  it("spreads parallel wires apart and draws a reversed wire backwards", () => {
    const wires = [wire("x", "top", "low"), wire("y", "low", "top"), wire("z", "top", "far")];
    const offsets = parallelOffsets(wires);
    expect([offsets.get("x"), offsets.get("y"), offsets.get("z")]).toEqual([-0.5, 0.5, 0]);
    const a = wireGeometry(wires[0]!, placed, -0.5)!, b = wireGeometry(wires[1]!, placed, 0.5)!;
    expect(a.start.x).not.toBe(b.end.x);
    const forward = wirePath(wires[2]!, placed)!, backward = wirePath(wires[2]!, placed, true)!;
    expect(backward.split(" ").at(-1)).toBe(forward.split(" ")[0]!.slice(1));
  });

  it("puts a wire's midpoint on its curve", () => {
    expect(wireMidpoint({ start: { x: 0, y: 0 }, control: { x: 10, y: 10 }, end: { x: 20, y: 0 } })).toEqual({ x: 10, y: 5 });
  });
});

describe("column widths", () => {
  it("gives the column holding more boxes side by side more room", () => {
    const qemu = all.find((t) => t.id === "qemu-emulated")!;
    const placed = layoutBoxes(qemu);
    expect(placed.get("vm")!.w).toBeGreaterThan(placed.get("device-model")!.w * 1.5);
    const rings = ["desc-table", "avail-ring", "used-ring"].map((id) => placed.get(id)!.w);
    for (const w of rings) expect(w).toBeGreaterThan(90);
  });

  it("adds demands within a band and takes the widest band of a column", () => {
    const box = (id: string, layer: number, column: number) => ({ id, label: id, kind: "component", parent: null, sublabel: null, layer, column });
    const boxes = [box("a", 1, 0), box("b", 1, 0), box("c", 2, 0), box("d", 1, 1)];
    const highest = new Map(boxes.map((b) => [b.id, b.layer] as [string, number]));
    expect(columnDemand(boxes, highest, (b) => (b.id === "c" ? 3 : 1))).toEqual([3, 1]);
    expect(columnDemand(boxes, highest, () => 1)).toEqual([2, 1]);
  });
});

describe("wires avoid boxes in their way", () => {
  it("detects a segment through a rectangle and one passing beside it", () => {
    const r = { x: 10, y: 10, w: 20, h: 20 };
    expect(segmentHitsRect({ x: 0, y: 20 }, { x: 40, y: 20 }, r)).toBe(true);
    expect(segmentHitsRect({ x: 0, y: 5 }, { x: 40, y: 5 }, r)).toBe(false);
    expect(segmentHitsRect({ x: 0, y: 0 }, { x: 5, y: 5 }, r)).toBe(false);
  });

  it("bends a level wire around a box standing between its ends", () => {
    const box = (id: string, x: number) => [id, { x, y: 100, w: 80, h: 40, depth: 0, box: { id, label: id, kind: "component", parent: null, sublabel: null, layer: 0, column: 0 } }] as const;
    const placed = new Map([box("left", 0), box("middle", 120), box("right", 240)]);
    const g = wireGeometry({ id: "w", a: "left", b: "right", plane: "data", label: "", detail: "" }, placed)!;
    expect(g.start.y).toBe(g.end.y);
    expect(Math.abs(g.control.y - g.start.y)).toBeGreaterThan(30);
  });
});

describe("curves stay in the picture", () => {
  it("keeps every wire's middle inside the boxes' extent, in every scenario", () => {
    for (const topology of all) {
      const placed = layoutBoxes(topology);
      const top = Math.min(...[...placed.values()].map((p) => p.y));
      const bottom = Math.max(...[...placed.values()].map((p) => p.y + p.h));
      const offsets = parallelOffsets(topology.wires);
      for (const wire of topology.wires) {
        const g = wireGeometry(wire, placed, offsets.get(wire.id))!;
        const m = wireMidpoint(g);
        expect(m.y, `${topology.id} ${wire.id}`).toBeGreaterThanOrEqual(top);
        expect(m.y, `${topology.id} ${wire.id}`).toBeLessThanOrEqual(bottom);
      }
    }
  });
});
