import { describe, expect, it } from "vitest";
import { clampStep, readEmbedParams } from "./embed-params";

describe("embed parameters", () => {
  it("reads a step range, autoplay, speed, panels and controls", () => {
    const p = readEmbedParams("?from=10&to=20&autoplay=1&speed=8&panels=diagram,story,nope&controls=0");
    expect(p).toEqual({ from: 9, to: 19, autoplay: true, speed: 8, panels: ["diagram", "story"], controls: false });
    expect(readEmbedParams("?speed=-1&from=0")).toMatchObject({ speed: null, from: null, panels: null, controls: true });
  });

  it("keeps every move inside the range", () => {
    const p = readEmbedParams("?from=10&to=20");
    expect(clampStep(0, 500, p)).toBe(9);
    expect(clampStep(15, 500, p)).toBe(15);
    expect(clampStep(400, 500, p)).toBe(19);
    expect(clampStep(400, 12, p)).toBe(11);
  });
});
