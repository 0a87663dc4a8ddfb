import { describe, expect, it } from "vitest";
import { bars, keyOf, parseNumber } from "./bars";

describe("the poll's histogram", () => {
  it("gives every choice a bar, in the question's order, and marks the right one once known", () => {
    const q = { answer_type: "choice" as const, choices: ["yes", "no"] };
    expect(bars(q, { no: 2 }, null).map((b) => [b.key, b.count, b.right])).toEqual([["yes", 0, false], ["no", 2, false]]);
    expect(bars(q, { no: 2 }, "no").find((b) => b.key === "no")?.right).toBe(true);
  });
  it("orders numbers by value and keeps 'other'", () => {
    const q = { answer_type: "number" as const, choices: [] };
    expect(bars(q, { "10": 1, "9": 4, "-1": 1 }, 9).map((b) => b.key)).toEqual(["-1", "9", "10"]);
    expect(bars(q, { "10": 1, "9": 4 }, 9).filter((b) => b.right).map((b) => b.key)).toEqual(["9"]);
  });
  it("keys a set of choices in the question's order, as the server counts it", () => {
    const q = { answer_type: "choices" as const, choices: ["A", "B", "C"] };
    expect(keyOf(q, ["C", "A"])).toBe("A + C");
    expect(keyOf(q, [])).toBe("(none)");
    expect(bars(q, { "A + C": 3 }, ["C", "A"])[0]).toMatchObject({ key: "A + C", right: true });
  });
  it("marks every right box and labels boxes", () => {
    const q = { answer_type: "box" as const, choices: ["kvm", "qemu"] };
    const shown = bars(q, { qemu: 1 }, ["qemu"], (k) => k.toUpperCase());
    expect(shown.map((b) => [b.label, b.right])).toEqual([["KVM", false], ["QEMU", true]]);
  });
});

describe("a typed number", () => {
  it("reads decimal and hex whole numbers only", () => {
    expect(parseNumber(" 42 ")).toBe(42);
    expect(parseNumber("0x10")).toBe(16);
    expect(parseNumber("-3")).toBe(-3);
    expect(parseNumber("1.5")).toBeNull();
    expect(parseNumber("")).toBeNull();
    expect(parseNumber("12abc")).toBeNull();
    expect(parseNumber("9".repeat(30))).toBeNull();
  });
});
