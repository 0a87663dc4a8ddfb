import { describe, expect, it } from "vitest";
import { statusChange, statusNames } from "./status-lights";

describe("device status", () => {
  it("names the bits of a status value (virtio-1.2 §2.1)", () => {
    expect(statusNames(0xf)).toEqual(["ACKNOWLEDGE", "DRIVER", "FEATURES_OK", "DRIVER_OK"]);
    expect(statusNames(0x40 | 0xf)).toContain("DEVICE_NEEDS_RESET");
    expect(statusNames(0)).toEqual([]);
  });
  it("says what a status write changed", () => {
    expect(statusChange(undefined, 0)).toBe("");
    expect(statusChange(0, 1)).toBe("+ACKNOWLEDGE");
    expect(statusChange(3, 0xb)).toBe("+FEATURES_OK");
    expect(statusChange(0xf, 0)).toBe("reset");
    expect(statusChange(0xb, 0x3)).toBe("-FEATURES_OK");
  });
});
