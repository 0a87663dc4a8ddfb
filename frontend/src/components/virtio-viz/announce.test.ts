import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Chapter, Frame } from "../../protocol";
import { SETTLE_MS, StepAnnouncer, stepAnnouncement } from "./announce";

const chapter: Chapter = { index: 1, id: "transmit", title: "Transmit", intro: "", first_step: 10, step_count: 5 };

function frame(index: number, rule: number | null = null): Frame {
  return { index, chapter: 1, box: "driver", route: null, hops: [], narration: `narration ${index}`, memory: [], changes: {},
    event: { rule, requirement: rule === null ? null : "The driver MUST do it." } as unknown as Frame["event"] };
}

describe("the live region", () => {
  let said: string[];
  let announcer: StepAnnouncer;
  beforeEach(() => {
    vi.useFakeTimers();
    said = [];
    announcer = new StepAnnouncer(() => said.push(announcer.text));
  });
  afterEach(() => vi.useRealTimers());

  it("says a step once it has rested on it, and only once", () => {
    announcer.show(frame(11), 40, chapter, false);
    expect(said).toEqual([]);
    vi.advanceTimersByTime(SETTLE_MS);
    announcer.show(frame(11), 40, chapter, false); // a re-render of the same step
    vi.advanceTimersByTime(SETTLE_MS);
    expect(said).toEqual(["Step 12 of 40. narration 11"]);
  });

  it("says only where a held key stops", () => {
    for (const i of [11, 12, 13]) { announcer.show(frame(i), 40, chapter, false); vi.advanceTimersByTime(SETTLE_MS / 2); }
    vi.advanceTimersByTime(SETTLE_MS);
    expect(said).toEqual(["Step 14 of 40. narration 13"]);
  });

  it("says chapter titles while playing, and the step where play stops", () => {
    for (const i of [9, 10, 11, 12]) { announcer.show(frame(i), 40, chapter, true); vi.advanceTimersByTime(SETTLE_MS * 2); }
    announcer.show(frame(12), 40, chapter, false);
    vi.advanceTimersByTime(SETTLE_MS);
    expect(said).toEqual(["Chapter Transmit.", "Step 13 of 40. narration 12"]);
  });

  it("says the MUST a step breaks", () => {
    expect(stepAnnouncement(frame(3, 7), 40)).toBe("Step 4 of 40. narration 3 This breaks a MUST of the virtio spec, N7: The driver MUST do it.");
  });
});
