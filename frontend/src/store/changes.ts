/**
 * A frame's `changes` applied to a state (docs/trace-format.md, "Changes"), and the
 * version-1 form of them read as version 2.
 *
 * How this works: top-level fields come whole; a queue change either carries the whole
 * queue or edits it: `set` replaces fields, and `driver` / `device` edit that side's
 * counters (`set` for values, `splice` = [at, cut, put] for lists). Nothing given is
 * modified: unchanged parts of the state stay the same objects from step to step.
 */
import type { Changes, QueueChange, QueueState, SideEdit, State, Trace } from "../protocol";

type Side = NonNullable<QueueState["driver"]>;

function editedSide(side: Side, edit: SideEdit): Side {
  const next: Side = { ...side, ...(edit.set as Side | undefined) };
  for (const [key, [at, cut, put]] of Object.entries(edit.splice ?? {})) {
    const list = next[key] as number[];
    next[key] = [...list.slice(0, at), ...(put as number[]), ...list.slice(at + cut)];
  }
  return next;
}

function changedQueue(old: QueueState | undefined, change: QueueChange): QueueState {
  if (change.queue) return change.queue;
  if (!old) throw new Error(`queue ${change.index} is edited before it was sent whole`);
  const next: QueueState = { ...old, ...change.set };
  if (change.driver) next.driver = editedSide(next.driver!, change.driver);
  if (change.device) next.device = editedSide(next.device!, change.device);
  return next;
}

export function applyChanges(state: State, changes: Changes): State {
  const { queues, ...rest } = changes;
  const next: State = { ...state, ...rest } as State;
  if (queues) {
    const byIndex = new Map((state.queues ?? []).map((q) => [q.index, q] as [number, QueueState]));
    for (const change of queues) byIndex.set(change.index, changedQueue(byIndex.get(change.index), change));
    next.queues = [...byIndex.values()].sort((a, b) => a.index - b.index);
  }
  return next;
}

/** A version-1 trace read as version 2: its changed queues came whole. */
export function upgradeTrace(trace: Trace): Trace {
  if (trace.version !== 1) return trace;
  const steps = trace.steps.map((frame) => {
    const queues = frame.changes.queues as unknown as QueueState[] | undefined;
    if (!queues) return frame;
    return { ...frame, changes: { ...frame.changes, queues: queues.map((q) => ({ index: q.index, queue: q })) } };
  });
  return { ...trace, version: 2, steps };
}
