import { describe, expect, it } from "vitest";
import { pointAlong, polylineHitsRect, rectsOverlap, roundedPath, segmentHitsRect, sharedRun } from "./geometry";

describe("geometry", () => {
  it("tells a segment through a rectangle from one passing beside it", () => {
    const r = { x: 10, y: 10, w: 20, h: 20 };
    expect(segmentHitsRect({ x: 0, y: 20 }, { x: 40, y: 20 }, r)).toBe(true);
    expect(segmentHitsRect({ x: 0, y: 5 }, { x: 40, y: 5 }, r)).toBe(false);
    expect(polylineHitsRect([{ x: 0, y: 0 }, { x: 0, y: 50 }, { x: 50, y: 50 }], r)).toBe(false);
    expect(rectsOverlap(r, { x: 30, y: 10, w: 5, h: 5 })).toBe(false); // touching edges
  });

  it("measures how far two paths run along the same line", () => {
    expect(sharedRun([{ x: 0, y: 0 }, { x: 100, y: 0 }], [{ x: 50, y: 2 }, { x: 150, y: 2 }], 3)).toBe(50);
    expect(sharedRun([{ x: 0, y: 0 }, { x: 100, y: 0 }], [{ x: 50, y: 9 }, { x: 150, y: 9 }], 3)).toBe(0);
  });

  it("rounds a path's corners and finds points along it", () => {
    expect(roundedPath([{ x: 0, y: 0 }, { x: 0, y: 100 }, { x: 100, y: 100 }], 10)).toBe("M0,0 L0,90 Q0,100 10,100 L100,100");
    expect(pointAlong([{ x: 0, y: 0 }, { x: 0, y: 100 }, { x: 100, y: 100 }], 0.75).at).toEqual({ x: 50, y: 100 });
  });
});
