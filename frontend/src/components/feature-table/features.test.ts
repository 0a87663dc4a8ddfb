import { describe, expect, it } from "vitest";
import { bitSet, featureRows, setBits } from "./features";

const words = { offered: "0x130af8024", driver: "0x30af8024", negotiated: "0x0" };

describe("feature words", () => {
  it("reads bits above 32 from hex strings without losing precision", () => {
    expect(bitSet("0x100000000", 32)).toBe(true);
    expect(bitSet("0x8000000000000000", 63)).toBe(true);
    expect(setBits("0x130af8024")).toEqual([2, 5, 15, 16, 17, 18, 19, 21, 23, 28, 29, 32]);
    expect(setBits("not hex")).toEqual([]);
  });

  it("names the rows when the trace has feature_names, and marks what the driver left out", () => {
    const rows = featureRows([{ bit: 32, name: "VIRTIO_F_VERSION_1", section: "§6" }], words);
    const version = rows.find((r) => r.bit === 32)!;
    expect(version).toMatchObject({ name: "VIRTIO_F_VERSION_1", offered: true, driver: false, negotiated: false });
  });

  it("still lists every bit, by number, when the trace has no feature_names", () => {
    const rows = featureRows(undefined, words);
    expect(rows.map((r) => r.bit)).toEqual(setBits(words.offered));
    expect(rows[0]!.name).toBe("feature bit 2");
  });
});
