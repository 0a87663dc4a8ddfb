/**
 * The timeline store: what the browser holds of a timeline and the state at any step.
 *
 * How this works: the store keeps bases (snapshots and keyframes: a whole state plus
 * memory) and frames (what changed at each step). The state at step k is the nearest
 * base at or before k with the frames after it applied; stepping forward reuses the last
 * computed view, so playing costs one frame per step. Views read; sources write.
 */
import type { ActionSpec, Chapter, Frame, MemoryRun, Poll, State, TraceHeader } from "../protocol";
import { applyChanges } from "./changes";
import { SparseMemory, hexToBytes } from "./memory";

export interface StepView { step: number; state: State; memory: SparseMemory; frame: Frame | undefined }

interface Base { state: State; memory: SparseMemory }

export class TimelineStore extends EventTarget {
  header: TraceHeader | null = null;
  actions: ActionSpec[] = [];
  step = 0;
  playing = false;
  speed = 4;
  role: "solo" | "presenter" | "follower" = "solo";
  error: string | null = null;
  /** the server's refusal of the reader's last action, and the step it was asked at: the
   * "Try it" panel shows it beside the button (on a phone the header is off screen) */
  refused: { step: number; message: string } | null = null;
  /** A live room's state, from the server: set while the room reaches only this server. */
  notice: string | null = null;
  /** The question the room is asked now, or was last (a live room only). */
  poll: Poll | null = null;
  private frames = new Map<number, Frame>();
  private bases = new Map<number, Base>();
  private statusUpTo: { step: number; values: number[] } | null = null;
  private last: StepView | null = null;
  private violationCache: { count: number; steps: number[] } | null = null;

  get length(): number { return this.header?.step_count ?? 0; }

  /** Start over with another timeline. Nobody is told yet: the step, a base and the
   * frames come next (`setStep` tells), so a fork is drawn once, not first half empty. */
  reset(header: TraceHeader, actions: ActionSpec[] = []): void {
    this.header = header;
    this.actions = actions;
    this.frames.clear();
    this.violationCache = null;
    this.bases.clear();
    this.statusUpTo = null;
    this.last = null;
  }

  /** A timeline that grows (a live VM) is now this long, with these chapters. */
  grow(stepCount: number, chapters: Chapter[], stopped: string | null): void {
    if (this.header) this.header = { ...this.header, step_count: stepCount, chapters, stopped };
  }

  /** A snapshot; `statusHistory` (from a live server) is the status values up to `step`,
   * so the history strip is whole even when the frames before `step` never came. */
  addBase(step: number, state: State, memory: MemoryRun[], statusHistory?: number[]): void {
    this.bases.set(step, { state, memory: SparseMemory.from(memory) });
    if (statusHistory) this.statusUpTo = { step, values: statusHistory };
    if (this.last && this.last.step >= step) this.last = null;
  }

  addFrames(frames: Frame[]): void {
    for (const frame of frames) this.frames.set(frame.index, frame);
    const last = this.last;
    if (last && frames.some((f) => f.index <= last.step)) this.last = null; // it lacked them
  }

  frame(step: number): Frame | undefined { return this.frames.get(step); }

  /** True when the state at `step` can be computed without asking the server. */
  has(step: number): boolean { return this.baseFor(step) !== null; }

  setStep(step: number): void {
    const clamped = Math.max(0, Math.min(step, this.length - 1));
    if (clamped === this.step && this.last?.step === clamped) return;
    this.step = clamped;
    this.changed();
  }

  changed(): void { this.dispatchEvent(new Event("change")); }

  private baseFor(step: number): number | null {
    let best: number | null = null;
    for (const b of this.bases.keys()) if (b <= step && (best === null || b > best)) best = b;
    if (best === null) return null;
    for (let i = best + 1; i <= step; i++) if (!this.frames.has(i)) return null;
    return best;
  }

  /** The state and memory at `step`, or null if the store lacks what it needs. */
  view(step: number = this.step): StepView | null {
    if (this.last && this.last.step === step) return this.last;
    const base = this.baseFor(step);
    if (base === null) return null;
    let from: StepView;
    if (this.last && this.last.step < step && this.last.step >= base) {
      from = { ...this.last, memory: this.last.memory.clone() };
    } else {
      const b = this.bases.get(base)!;
      from = { step: base, state: b.state, memory: b.memory.clone(), frame: this.frames.get(base) };
    }
    let { state } = from;
    for (let i = from.step + 1; i <= step; i++) {
      const frame = this.frames.get(i)!;
      state = applyChanges(state, frame.changes);
      for (const run of frame.memory) from.memory.write(run.addr, hexToBytes(run.hex));
    }
    this.last = { step, state, memory: from.memory, frame: this.frames.get(step) };
    return this.last;
  }

  /** Status values written so far, oldest first (for the status history strip). */
  statusHistory(step: number = this.step): number[] {
    const known = this.statusUpTo && this.statusUpTo.step <= step ? this.statusUpTo : null;
    const seen: number[] = known ? [...known.values] : [];
    for (let i = known ? known.step + 1 : 0; i <= step; i++) {
      const status = this.frames.get(i)?.changes.status;
      if (status && seen[seen.length - 1] !== status.value) seen.push(status.value);
    }
    return seen;
  }

  /** Steps whose event broke a MUST of the spec, among the frames held so far. */
  violationSteps(): number[] {
    if (this.violationCache?.count !== this.frames.size) {
      const steps = [...this.frames.values()].filter((f) => f.event.rule !== null).map((f) => f.index).sort((a, b) => a - b);
      this.violationCache = { count: this.frames.size, steps };
    }
    return this.violationCache.steps;
  }

  /** The first answer `pick` gives walking back from `step` over the frames held, or null. */
  lookBack<T>(step: number, pick: (frame: Frame) => T | null): T | null {
    for (let i = step; i >= 0; i--) {
      const frame = this.frames.get(i);
      if (!frame) return null; // the frames before this one never came
      const found = pick(frame);
      if (found !== null) return found;
    }
    return null;
  }

  /** The queue the story acted on last, at or before `step`: a step that names no queue
   * (a register write, an interrupt) leaves the ring view where the story was. */
  actingQueue(step: number = this.step): number | null {
    return this.lookBack(step, (frame) => frame.event.queue);
  }

  chapterAt(step: number = this.step): number {
    const chapters = this.header?.chapters ?? [];
    const found = chapters.findIndex((c) => step >= c.first_step && step < c.first_step + c.step_count);
    return Math.max(0, found);
  }
}
