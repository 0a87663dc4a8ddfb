import { describe, expect, it } from "vitest";
import type { Topology } from "../protocol";
import topologies from "./fixtures/topologies.json" with { type: "json" };
import { hopPoints, layoutDiagram } from "./diagram";
import { quality } from "./quality";
import { estimate } from "./text";
import { typeScale, type Place } from "./type-scale";

const all = Object.values(topologies as unknown as Record<string, Topology>);

/** The four places, as the diagram's own width (and height, when it fills the stage). */
const PLACES: [string, number, number | null, Place, boolean][] = [
  ["phone", 370, null, "phone", false], ["blog column", 680, null, "column", false],
  ["laptop", 830, 760, "wide", false], ["projector", 1250, 900, "wide", true],
];

describe("the diagram of every scenario, in every place", () => {
  for (const [place, width, height, kind, projector] of PLACES) {
    it(`is legible on a ${place}: no small text, no overlap, no wire through a box or under a name`, () => {
      const type = typeScale(kind, projector);
      for (const topology of all) {
        const layout = layoutDiagram(topology, { width, height, type, measure: estimate });
        const q = quality(layout, topology);
        expect(q.smallestText, topology.id).toBeGreaterThanOrEqual(type.min);
        expect(q.overlaps, topology.id).toEqual([]);
        expect(q.crossings, topology.id).toEqual([]);
        expect(q.labelsOnWires, topology.id).toEqual([]);
        if (height !== null) expect(layout.width, `${topology.id} fits across`).toBe(width);
      }
    }, 60_000);
  }

  it("nests every box inside its parent and draws guest over host over hardware", () => {
    for (const topology of all) {
      const layout = layoutDiagram(topology, { width: 830, height: null, type: typeScale("wide", false), measure: estimate });
      for (const p of layout.boxes.values()) {
        const parent = p.box.parent ? layout.boxes.get(p.box.parent) : undefined;
        if (!parent) continue;
        expect(p.x, p.box.id).toBeGreaterThanOrEqual(parent.x);
        expect(p.x + p.w, p.box.id).toBeLessThanOrEqual(parent.x + parent.w + 0.01);
        expect(p.y, p.box.id).toBeGreaterThanOrEqual(parent.y);
        expect(p.y + p.h, p.box.id).toBeLessThanOrEqual(parent.y + parent.h + 0.01);
      }
    }
    const qemu = layoutDiagram(all.find((t) => t.id === "qemu-emulated")!, { width: 830, height: null, type: typeScale("wide", false), measure: estimate });
    expect(qemu.boxes.get("driver")!.y).toBeLessThan(qemu.boxes.get("kvm")!.y);
    expect(qemu.boxes.get("kvm")!.y).toBeLessThan(qemu.boxes.get("nic")!.y);
  }, 60_000);

  it("keeps an empty space to its title, and fills the height it is given", () => {
    const qemu = all.find((t) => t.id === "qemu-emulated")!;
    const type = typeScale("wide", false);
    const natural = layoutDiagram(qemu, { width: 830, height: null, type, measure: estimate });
    expect(natural.boxes.get("guest-user")!.h).toBeLessThan(3 * type.title);
    const tall = layoutDiagram(qemu, { width: 830, height: natural.height + 200, type, measure: estimate });
    expect(tall.height).toBeCloseTo(natural.height + 200, 0);
    expect(tall.boxes.get("nic")!.h).toBeGreaterThan(natural.boxes.get("nic")!.h);
  });

  it("takes a phone's width when it can, and says how wide it must be", () => {
    const type = typeScale("phone", false);
    for (const topology of all) {
      const layout = layoutDiagram(topology, { width: 200, height: null, type, measure: estimate });
      expect(layout.width, topology.id).toBeGreaterThanOrEqual(layout.minWidth);
      expect(layout.minWidth, topology.id).toBeGreaterThan(200);
    }
  }, 60_000);
});

describe("a route into the part of the rings a step touches", () => {
  it("ends the DMA hop in the descriptor table, not at the rings' edge", () => {
    const vdpa = all.find((t) => t.id === "vdpa")!;
    const layout = layoutDiagram(vdpa, { width: 830, height: 700, type: typeScale("wide", false), measure: estimate });
    const dma = vdpa.wires.find((w) => w.id === "dma-mem")!;
    const table = layout.boxes.get("desc-table")!, used = layout.boxes.get("used-ring")!;
    const end = (points: { x: number; y: number }[]) => points[points.length - 1]!;
    const into = end(hopPoints(layout, dma, false, "desc-table"));
    expect(into.x).toBeGreaterThanOrEqual(table.x - 0.5);
    expect(into.x).toBeLessThanOrEqual(table.x + table.w + 0.5);
    const other = end(hopPoints(layout, dma, false, "used-ring"));
    expect(other.x).toBeGreaterThanOrEqual(used.x - 0.5);
    expect(hopPoints(layout, dma, true, "desc-table")[0]).toEqual(into); // read back from it
  });
});
