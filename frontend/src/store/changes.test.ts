import { describe, expect, it } from "vitest";
import type { Changes, Frame, QueueState, State, Trace } from "../protocol";
import { applyChanges, upgradeTrace } from "./changes";
import fixture from "./fixtures/changes.json";
import { TimelineStore } from "./store";

const queue = (index: number, freeList: number[]): QueueState => ({
  index, name: `q${index}`, format: "split", size: 8, enabled: true, msix_vector: 1, areas: [],
  driver: { free_head: freeList[0] ?? 8, num_free: freeList.length, free_list: freeList, in_flight: [] }, device: null,
});
const base: State = {
  status: { value: 0, names: [] }, features: { device_id: 1, offered: "0x0", driver: "0x0", negotiated: "0x0" },
  device: {}, queues: [queue(0, [0, 1, 2, 3]), queue(1, [0, 1, 2, 3, 4, 5, 6, 7])], extras: {},
};

interface Recorded { keyframes: { step: number; state: State }[]; steps: { index: number; changes: Changes }[] }
const recorded = fixture as unknown as Record<string, Recorded>;

describe("applyChanges", () => {
  it("replaces top-level fields whole and edits queues by index, leaving the rest shared", () => {
    const next = applyChanges(base, {
      status: { value: 1, names: ["ACKNOWLEDGE"] },
      queues: [{ index: 1, set: { enabled: false }, driver: { set: { free_head: 3, num_free: 5 }, splice: { free_list: [0, 3, []], in_flight: [0, 0, [0]] } } }],
    });
    expect(next.status.value).toBe(1);
    expect(next.queues[1]!.enabled).toBe(false);
    expect(next.queues[1]!.driver).toEqual({ free_head: 3, num_free: 5, free_list: [3, 4, 5, 6, 7], in_flight: [0] });
    expect(next.queues[0]).toBe(base.queues[0]);
    expect(base.status.value).toBe(0);
    expect(base.queues[1]!.driver!.free_list).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it("splices a list: cut items at `at`, put others there", () => {
    const put = applyChanges(base, { queues: [{ index: 0, driver: { splice: { free_list: [1, 2, [9, 8, 7]] } } }] });
    expect(put.queues[0]!.driver!.free_list).toEqual([0, 9, 8, 7, 3]);
    const tail = applyChanges(base, { queues: [{ index: 0, driver: { splice: { free_list: [4, 0, [6]] } } }] });
    expect(tail.queues[0]!.driver!.free_list).toEqual([0, 1, 2, 3, 6]);
  });

  it("takes a queue sent whole as it is, keeping the queues in index order", () => {
    const whole = queue(2, []);
    const next = applyChanges({ ...base, queues: [] }, { queues: [{ index: 2, queue: whole }, { index: 0, queue: base.queues[0] }] });
    expect(next.queues.map((q) => q.index)).toEqual([0, 2]);
    expect(next.queues[1]).toBe(whole);
  });

  it("refuses an edit of a queue it never received", () => {
    expect(() => applyChanges(base, { queues: [{ index: 5, set: { enabled: false } }] })).toThrow("queue 5 is edited before it was sent whole");
  });

  for (const [name, trace] of Object.entries(recorded)) {
    it(`replays the server's frames of ${name} from step 0 into every keyframe's whole state`, () => {
      let state = {} as State;
      const byStep = new Map(trace.keyframes.map((k) => [k.step, k.state]));
      let checked = 0;
      for (const step of trace.steps) {
        state = applyChanges(state, step.changes);
        const whole = byStep.get(step.index);
        if (whole) { expect(state, `step ${step.index}`).toEqual(whole); checked++; }
      }
      expect(checked).toBe(trace.keyframes.length);
      expect(trace.steps.some((s) => s.changes.queues?.some((q) => q.driver?.splice))).toBe(true);
    });
  }
});

describe("a version-1 trace", () => {
  /** The fixture's trace as version 1 wrote it: every changed queue whole. */
  function asVersion1(trace: Recorded): Trace {
    let state = {} as State;
    const steps = trace.steps.map(({ index, changes }) => {
      state = applyChanges(state, changes);
      const changed = new Set(changes.queues?.map((q) => q.index));
      const { queues, ...rest } = changes;
      const old = queues ? { ...rest, queues: state.queues.filter((q) => changed.has(q.index)) } : rest;
      return { index, chapter: 0, narration: "", memory: [], changes: old } as unknown as Frame;
    });
    return { format: "virtio-viz-trace", version: 1, keyframes: trace.keyframes, steps } as unknown as Trace;
  }

  it("loads: its whole queues are read as whole queue changes and give the same states", () => {
    const trace = recorded["virtio-blk split"]!;
    const upgraded = upgradeTrace(asVersion1(trace));
    expect(upgraded.version).toBe(2);
    const store = new TimelineStore();
    store.reset({ step_count: trace.steps.length, chapters: [] } as unknown as Trace);
    store.addBase(0, trace.keyframes[0]!.state, []);
    store.addFrames(upgraded.steps);
    for (const { step, state } of trace.keyframes) expect(store.view(step)!.state, `step ${step}`).toEqual(state);
  });

  it("is left as it is when it is already version 2", () => {
    const trace = { version: 2, steps: [] } as unknown as Trace;
    expect(upgradeTrace(trace)).toBe(trace);
  });
});
