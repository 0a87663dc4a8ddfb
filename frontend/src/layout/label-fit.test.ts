import { describe, expect, it } from "vitest";
import { GLYPH_EM, fitLabel } from "./label-fit";

describe("fitLabel", () => {
  it("keeps a label that fits on one line at full size", () => {
    expect(fitLabel("KVM", 200)).toEqual({ lines: ["KVM"], size: 13 });
  });
  it("wraps words before shrinking the font", () => {
    const fitted = fitLabel("descriptor table", 80);
    expect(fitted.lines).toEqual(["descriptor", "table"]);
    expect(fitted.size).toBe(13);
  });
  it("shrinks a word that is wider than the box, and cuts it only as a last resort", () => {
    const shrunk = fitLabel("virtqueue", 9 * GLYPH_EM * 10);
    expect(shrunk).toEqual({ lines: ["virtqueue"], size: 10 });
    const cut = fitLabel("descriptor", 30);
    expect(cut.size).toBe(9);
    expect(cut.lines[0]!.endsWith("…")).toBe(true);
  });
  it("never returns more lines than asked", () => {
    expect(fitLabel("the host's network card driven by the back-end", 60, 13, 9, 2).lines.length).toBeLessThanOrEqual(2);
  });
});
