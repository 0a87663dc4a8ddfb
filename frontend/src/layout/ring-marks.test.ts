import { describe, expect, it } from "vitest";
import { chainFrom, chainLinks, linkPath, pendingSlots } from "./ring-marks";
import type { SplitDesc } from "./ring";

const desc = (index: number, flags: number, next: number): SplitDesc => ({ index, addr: 0, len: 0, flags, next });

describe("pendingSlots", () => {
  it("lists the slots between consumer and producer", () => {
    expect(pendingSlots(3, 1, 8)).toEqual([1, 2]);
    expect(pendingSlots(5, 5, 8)).toEqual([]);
  });
  it("wraps around the ring and the 16-bit counter", () => {
    expect(pendingSlots(9, 6, 8)).toEqual([6, 7, 0]);
    expect(pendingSlots(1, 0xffff, 4)).toEqual([3, 0]);
  });
  it("marks nothing when a side is not set up or the counters are impossible", () => {
    expect(pendingSlots(3, null, 8)).toEqual([]);
    expect(pendingSlots(20, 0, 8)).toEqual([]);
  });
});

describe("chains", () => {
  const descs = [desc(0, 1, 2), desc(1, 0, 0), desc(2, 3, 3), desc(3, 2, 0), desc(4, 0, 5), desc(5, 1, 4)];
  it("follows NEXT from a head and stops at the last descriptor", () => {
    expect(chainFrom(descs, 0)).toEqual([0, 2, 3]);
    expect(chainFrom(descs, 1)).toEqual([1]);
  });
  it("stops on a loop instead of running forever", () => {
    expect(chainFrom(descs, 5)).toEqual([5, 4]);
    const loop = [desc(0, 1, 1), desc(1, 1, 0)];
    expect(chainFrom(loop, 0)).toEqual([0, 1]);
  });
  it("draws in-use chain links and the free list separately", () => {
    const links = chainLinks(descs, [4, 5]);
    expect(links).toEqual([
      { from: 0, to: 2, kind: "chain" }, { from: 2, to: 3, kind: "chain" }, { from: 4, to: 5, kind: "free" },
    ]);
  });
  it("bends a link from the middle of one row to the middle of another", () => {
    expect(linkPath({ from: 0, to: 2, kind: "chain" }, 20, 30)).toMatch(/^M29,10 C[\d.]+,10 [\d.]+,50 29,50$/);
  });
});
