import { describe, expect, it } from "vitest";
import type { ActionParam } from "../../protocol";
import { paramValue, parseInteger } from "./action-values";

const int = (extra: Partial<ActionParam> = {}): ActionParam =>
  ({ name: "len", kind: "int", label: "len", minimum: 0, maximum: 65535, choices: [], default: null, ...extra });

describe("parseInteger", () => {
  it("reads decimal and hex", () => {
    expect(parseInteger("1514")).toBe(1514);
    expect(parseInteger(" 0x10002000 ")).toBe(0x10002000);
    expect(parseInteger("0x1_0000")).toBe(0x10000);
  });
  it("refuses what is not a whole number", () => {
    expect(typeof parseInteger("12.5")).toBe("string");
    expect(typeof parseInteger("-1")).toBe("string");
    expect(typeof parseInteger("0xffffffffffffffff")).toBe("string");
  });
});

describe("paramValue", () => {
  it("checks the limits and falls back to the default when empty", () => {
    expect(paramValue(int(), "70000").error).toBe("len: at most 65535");
    expect(paramValue(int({ default: 7 }), "").value).toBe(7);
    expect(paramValue(int(), "").error).toContain("expected a number");
  });
  it("reads booleans from a checkbox and checks choices", () => {
    expect(paramValue({ ...int(), kind: "bool" }, true).value).toBe(true);
    const choice = { ...int(), kind: "choice" as const, choices: ["icmp_echo", "arp"] };
    expect(paramValue(choice, "arp").value).toBe("arp");
    expect(paramValue(choice, "tcp").error).toContain("one of");
  });
});
