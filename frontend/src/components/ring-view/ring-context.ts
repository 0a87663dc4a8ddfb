import type { Frame, QueueState } from "../../protocol";
import type { SparseMemory } from "../../store/memory";
import { overlaps, type Focus } from "../../layout/ring-fields";

/** What a ring renderer needs: the queue, the bytes, this step's frame, the shared focus,
 * and the slots to draw rows for ([first, last): a long ring draws only what is in view). */
export interface RingContext {
  queue: QueueState;
  memory: SparseMemory;
  frame: Frame | undefined;
  focused: Focus | null;
  rows: [number, number];
  point(focus: Focus | null): void;
}

/** Did this step write any of these bytes? */
export function written(frame: Frame | undefined, addr: number, length: number): boolean {
  return !!frame?.memory.some((run) => run.addr < addr + length && addr < run.addr + run.hex.length / 2);
}

/** Did this step's event read any of these bytes? */
export function read(frame: Frame | undefined, addr: number, length: number): boolean {
  return !!frame?.event.reads.some(([at, n]) => at < addr + length && addr < at + n);
}

export function classes(ctx: RingContext, addr: number, length: number, extra: Record<string, boolean> = {}): string {
  const all: Record<string, boolean> = {
    changed: written(ctx.frame, addr, length),
    focus: overlaps(ctx.focused, addr, length),
    ...extra,
  };
  return Object.keys(all).filter((k) => all[k]).join(" ");
}

export function num(value: unknown): number | null {
  return typeof value === "number" ? value : null;
}
