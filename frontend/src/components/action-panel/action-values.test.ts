import { describe, expect, it } from "vitest";
import type { ActionParam, ActionSpec } from "../../protocol";
import { paramValue, parseInteger, untouchedRequest } from "./action-values";

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

describe("untouchedRequest", () => {
  const spec = (params: ActionParam[]): ActionSpec => ({ kind: "k", label: "k", help: "", params }) as ActionSpec;
  const choice = (extra: Partial<ActionParam> = {}): ActionParam => ({ ...int(), name: "frame", kind: "choice", choices: ["a", "b"], ...extra });
  it("sends what the untouched fields show: the default, or a list's first choice", () => {
    expect(untouchedRequest(spec([]))).toEqual({ kind: "k", params: {} });
    expect(untouchedRequest(spec([choice({ default: "b" }), int({ default: 7 })]))).toEqual({ kind: "k", params: { frame: "b", len: 7 } });
    expect(untouchedRequest(spec([choice(), { ...int(), name: "on", kind: "bool", default: null }]))).toEqual({ kind: "k", params: { frame: "a", on: false } });
  });
  it("has nothing to send while a field starts empty", () => {
    expect(untouchedRequest(spec([int()]))).toBeNull();
  });
});
