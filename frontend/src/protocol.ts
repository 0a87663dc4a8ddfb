/**
 * The one typed protocol file. Messages come from the server's JSON Schema
 * (`generated/protocol.ts`, by `npm run gen:protocol`); the trace objects below follow
 * docs/trace-format.md, which the server sends as plain JSON inside those messages.
 */
import type { Client, PollOut, Server } from "./generated/protocol";

/** The version a page's first message names (api/protocol.py PROTOCOL_VERSION). */
export const PROTOCOL_VERSION = 2;

export type ClientMessage = Client;
export type ServerMessage = Server;
/** A room's poll as the server tells it (api/polls.py): no answer for a follower before the reveal. */
export type Poll = Omit<PollOut, "type">;

export type Plane = "control" | "data" | "notification";

export interface MemoryRun { addr: number; hex: string }

export interface TraceEvent {
  kind: string;
  actor: string;
  plane: Plane;
  spec: string;
  analog: string;
  /** Absent when it is the frame's narration (said once). */
  summary?: string;
  queue: number | null;
  values: Record<string, unknown>;
  reads: [number, number][];
  writes: [number, number][];
  rule: number | null;
  requirement: string | null;
}

export interface Area { name: string; label: string; addr: number; size: number }

export interface QueueState {
  index: number;
  name: string;
  format: "split" | "packed";
  size: number;
  enabled: boolean;
  msix_vector: number | null;
  areas: Area[];
  driver: Record<string, number | boolean | number[]> | null;
  device: Record<string, number | boolean | number[]> | null;
}

export interface State {
  status: { value: number; names: string[] };
  features: { device_id: number; offered: string; driver: string; negotiated: string };
  device: Record<string, unknown>;
  queues: QueueState[];
  extras: Record<string, unknown>;
}

export interface Frame {
  index: number;
  chapter: number;
  event: TraceEvent;
  box: string;
  route: string | null;
  hops: string[];
  narration: string;
  memory: MemoryRun[];
  changes: Changes;
}

/** What a step changed (docs/trace-format.md, "Changes"; store/changes.ts applies it). */
export type Changes = Partial<Omit<State, "queues">> & { queues?: QueueChange[] };
/** One queue: whole (`queue`), or its changed fields and edits of its sides' counters. */
export interface QueueChange {
  index: number;
  queue?: QueueState;
  set?: Partial<Omit<QueueState, "index">>;
  driver?: SideEdit;
  device?: SideEdit;
}
/** A side's counters that changed; a list as [at, cut, put]: `cut` items at `at` become `put`. */
export interface SideEdit { set?: Record<string, unknown>; splice?: Record<string, [number, number, unknown[]]> }

export interface Keyframe { step: number; state: State; memory: MemoryRun[] }

export interface Chapter {
  index: number;
  id: string;
  title: string;
  intro: string;
  first_step: number;
  step_count: number;
}

export interface Box {
  id: string; label: string; kind: string; parent: string | null;
  sublabel: string | null; layer: number; column: number;
}
export interface Wire { id: string; a: string; b: string; plane: Plane; label: string; detail: string }
export interface Route {
  name: string; start: string; hops: string[]; label: string; variant: string; suppressed: boolean;
}
export interface Topology {
  id: string; title: string; summary: string; boxes: Box[]; wires: Wire[]; routes: Route[];
  placement: Record<string, string | null>;
}

export interface TraceHeader {
  format: "virtio-viz-trace";
  version: number;
  scenario: { id: string; title: string; summary: string; options: Record<string, unknown>; seed: number; actions: unknown[] };
  topology: Topology;
  feature_names: { bit: number; name: string; section: string }[];
  chapters: Chapter[];
  step_count: number;
  stopped: string | null;
  keyframe_interval: number;
  comparison?: Record<string, ComparisonRow[]> | null;
  /** An imported recording whose device lived on both ring formats: a diagram for each. */
  topologies?: Record<string, Topology> | null;
  /** An imported recording: each device's lives (bring-ups), in order. */
  lives?: Record<string, Life[]> | null;
  /** What the reader may be asked to predict, in step order (answers computed by the model). */
  questions?: Question[];
}

/** A question asked at step `step - 1` about step `step` (docs/scenario-format.md). */
export interface Question {
  id: string; step: number; kind: string; prompt: string;
  answer_type: "number" | "choice" | "choices" | "box"; choices: string[];
  answer: number | string | string[]; explanation: string; spec: string;
  source: "story" | "file" | "generated";
}

/** One bring-up of an imported device, from the first status after a reset to the next reset. */
export interface Life {
  number: number; driver: string; ring: "split" | "packed"; event_idx: boolean; negotiated: string;
  driver_ok: boolean; ended_by_reset: boolean; first_step: number | null; last_step: number | null;
}

export interface ComparisonRow { topic: string; real: string; model: string; agree: boolean; note: string }

export interface Trace extends TraceHeader { keyframes: Keyframe[]; steps: Frame[] }

export interface ActionParam {
  name: string; kind: "int" | "str" | "bool" | "choice"; label: string;
  minimum: number | null; maximum: number | null; choices: string[]; default: unknown;
}
export interface ActionSpec { kind: string; label: string; help: string; params: ActionParam[] }

// -- The trace objects above, checked against the server's published trace schema -----
// (`generated/trace.ts`, from /api/schema/trace): the build fails if they drift apart.
import type * as Schema from "./generated/trace";

type Assignable<From, To> = From extends To ? true : false;
const conforms: [
  Assignable<Frame, Schema.Frame>,
  Assignable<QueueChange, Schema.QueueChange>,
  Assignable<Keyframe, Schema.Keyframe>,
  Assignable<State, Schema.State>,
  Assignable<QueueState, Schema.QueueState>,
  Assignable<Chapter, Schema.Chapter>,
  Assignable<Question, Schema.Question>,
  Assignable<Schema.Frame["event"]["plane"], Plane>,
] = [true, true, true, true, true, true, true, true];
void conforms;
