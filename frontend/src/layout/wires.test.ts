import { describe, expect, it } from "vitest";
import type { Box } from "../protocol";
import type { PlacedBox } from "./boxes";
import { polylineHitsRect } from "./geometry";
import { passable, route } from "./wires";

const box = (id: string, x: number, y: number, w: number, h: number, parent: string | null = null): [string, PlacedBox] =>
  [id, { x, y, w, h, depth: parent ? 1 : 0, leaf: true, lines: [], box: { id, label: id, kind: "component", parent, sublabel: null, layer: 0, column: 0 } as Box }];

describe("routing a wire", () => {
  const boxes = new Map([box("left", 0, 100, 80, 40), box("middle", 120, 80, 80, 80), box("right", 240, 100, 80, 40)]);
  const ctx = { boxes, width: 320, height: 260, gap: 12, texts: [], reserved: [] };

  it("goes round a box standing between its ends, at right angles", () => {
    const path = route(ctx, "left", "right");
    expect(polylineHitsRect(path, { x: 121, y: 81, w: 78, h: 78 })).toBe(false);
    for (let i = 0; i + 1 < path.length; i++) expect(path[i]!.x === path[i + 1]!.x || path[i]!.y === path[i + 1]!.y).toBe(true);
    expect(path[0]!.x === 80 || path[0]!.y === 100 || path[0]!.y === 140).toBe(true); // leaves from left's edge
  });

  it("keeps clear of a place kept for another wire's name", () => {
    const straight = route(ctx, "left", "middle");
    const kept = { rect: { x: 85, y: straight[0]!.y - 6, w: 30, h: 12 }, owner: "other" };
    const round = route({ ...ctx, reserved: [kept] }, "left", "middle");
    expect(polylineHitsRect(round, kept.rect)).toBe(false);
    expect(polylineHitsRect(route({ ...ctx, reserved: [kept] }, "left", "middle", [], "other"), kept.rect)).toBe(true);
  });

  it("may cross its ends' ancestors and the picture's bands, nothing else", () => {
    const nested = new Map([...boxes, box("inner", 10, 110, 20, 20, "left")]);
    nested.set("band", { ...nested.get("middle")!, box: { ...nested.get("middle")!.box, id: "band", kind: "space" } });
    expect([...passable(nested, "inner", "right")].sort()).toEqual(["band", "inner", "left", "right"]);
  });
});
