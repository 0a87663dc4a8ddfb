import { describe, expect, it } from "vitest";
import type { Frame, State, TraceHeader } from "../protocol";
import { SparseMemory } from "./memory";
import { TimelineStore } from "./store";

const queue = (index: number, avail: number) => ({
  index, name: `q${index}`, format: "split" as const, size: 4, enabled: true, msix_vector: 1,
  areas: [], driver: { avail_idx: avail }, device: null,
});
const base: State = {
  status: { value: 0, names: [] }, features: { device_id: 1, offered: "0x0", driver: "0x0", negotiated: "0x0" },
  device: {}, queues: [queue(0, 0), queue(1, 0)], extras: {},
};
const frame = (index: number, changes: Frame["changes"], memory: Frame["memory"] = []): Frame => ({
  index, chapter: 0, box: "driver", route: null, hops: [], narration: `step ${index}`, memory, changes,
  event: { kind: "k", actor: "driver", plane: "data", spec: "§2.7", analog: "a", summary: "", queue: null, values: {}, reads: [], writes: [], rule: null, requirement: null },
});
const header = { step_count: 4, chapters: [{ index: 0, id: "c", title: "C", intro: "", first_step: 0, step_count: 4 }] } as unknown as TraceHeader;

describe("TimelineStore", () => {
  function filled(): TimelineStore {
    const store = new TimelineStore();
    store.reset(header);
    store.addBase(0, base, [{ addr: 0x1000, hex: "0000" }]);
    store.addFrames([
      frame(0, {}),
      frame(1, { status: { value: 1, names: [] } }, [{ addr: 0x1000, hex: "0100" }]),
      frame(2, { status: { value: 3, names: [] } }, [{ addr: 0x1002, hex: "ff" }]),
      frame(3, { queues: [{ index: 0, driver: { set: { avail_idx: 1 } } }] }, [{ addr: 0x1000, hex: "0200" }]),
    ]);
    return store;
  }

  it("computes any step from the base and the frames after it, forward and back", () => {
    const store = filled();
    expect(store.view(3)!.state.queues[0]!.driver?.avail_idx).toBe(1);
    expect(store.view(3)!.memory.u16(0x1000)).toBe(2);
    expect(store.view(1)!.state.status.value).toBe(1);
    expect(store.view(1)!.memory.u16(0x1000)).toBe(1);
    expect(store.view(2)!.memory.read(0x1000, 3)).toEqual(new Uint8Array([1, 0, 0xff]));
  });

  it("names the queue the story acted on last, through steps that name none", () => {
    const store = filled();
    const on = (index: number, queue: number | null): Frame => { const f = frame(index, {}); f.event = { ...f.event, queue }; return f; };
    expect(store.actingQueue(3)).toBeNull();
    store.addFrames([on(1, 1), on(2, null), on(3, 0)]);
    expect(store.actingQueue(1)).toBe(1);
    expect(store.actingQueue(2)).toBe(1);
    expect(store.actingQueue(3)).toBe(0);
  });

  it("knows which steps it can show without the server", () => {
    const store = filled();
    expect(store.has(3)).toBe(true);
    store.addFrames([frame(5, {})]);
    expect(store.has(5)).toBe(false); // step 4 is missing
  });

  it("recomputes a view once the frame it lacked arrives", () => {
    const store = new TimelineStore();
    store.reset(header);
    store.addBase(0, base, []);
    expect(store.view(0)!.frame).toBeUndefined();
    store.addFrames([frame(0, {})]);
    expect(store.view(0)!.frame?.narration).toBe("step 0");
  });

  it("lists the status values written so far", () => {
    expect(filled().statusHistory(3)).toEqual([1, 3]);
  });

  it("starts the status history from the server's list when opened past the writes", () => {
    const store = new TimelineStore();
    store.reset({ ...header, step_count: 10 } as TraceHeader);
    store.addBase(6, { ...base, status: { value: 11, names: [] } }, [], [0, 1, 3, 11]);
    store.addFrames([frame(6, {}), frame(7, { status: { value: 15, names: [] } }), frame(8, {})]);
    expect(store.statusHistory(6)).toEqual([0, 1, 3, 11]);
    expect(store.statusHistory(8)).toEqual([0, 1, 3, 11, 15]);
    expect(store.statusHistory(2)).toEqual([]); // before the snapshot: only frames count
  });
});

describe("SparseMemory", () => {
  it("merges writes and reads unwritten bytes as zero", () => {
    const m = new SparseMemory();
    m.write(10, new Uint8Array([1, 2]));
    m.write(13, new Uint8Array([4]));
    m.write(12, new Uint8Array([3]));
    expect(m.runCount).toBe(1);
    expect(m.read(9, 6)).toEqual(new Uint8Array([0, 1, 2, 3, 4, 0]));
    m.write(0, new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
    expect(m.u64(0)).toBe(2 ** 64 - 1);
  });

  it("tells the bytes it holds from the ones never written", () => {
    const m = new SparseMemory();
    m.write(10, new Uint8Array([0, 0]));
    m.write(14, new Uint8Array([7]));
    expect(m.held(9, 7)).toEqual(new Uint8Array([0, 1, 1, 0, 0, 1, 0]));
  });
});

describe("violation steps", () => {
  it("lists the held frames whose event broke a rule, and notices new frames", () => {
    const store = new TimelineStore();
    store.reset(header);
    const broken = (index: number): Frame => {
      const f = frame(index, {});
      return { ...f, event: { ...f.event, rule: 42, requirement: "the driver MUST ..." } };
    };
    store.addFrames([frame(0, {}), broken(1)]);
    expect(store.violationSteps()).toEqual([1]);
    store.addFrames([frame(2, {}), broken(3)]);
    expect(store.violationSteps()).toEqual([1, 3]);
  });
});
