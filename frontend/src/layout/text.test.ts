import { describe, expect, it } from "vitest";
import { estimate, fitText, widestWord, wrapAt } from "./text";

describe("fitting a label", () => {
  it("wraps words into the width, and refuses a word wider than it", () => {
    expect(wrapAt("descriptor table", 80, 13, estimate)?.lines).toEqual(["descriptor", "table"]);
    expect(wrapAt("KVM", 200, 13, estimate)?.lines).toEqual(["KVM"]);
    expect(wrapAt("virtqueue", 20, 13, estimate)).toBeNull();
  });

  it("shrinks the font, but never below the smallest size, to stay within the lines", () => {
    const width = estimate("descriptor", 12);
    expect(fitText("descriptor table", width, 14, 11, 2, estimate)?.size).toBe(12);
    expect(fitText("descriptor table", width - 30, 14, 11, 2, estimate)).toBeNull();
    expect(widestWord("the used ring", 10, estimate)).toBe(estimate("used", 10));
  });
});
