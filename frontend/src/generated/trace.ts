/* Generated from the server JSON Schema by `npm run gen:protocol`. Do not edit. */

export type Format = "virtio-viz-trace";
export type Version = 2;
export type Generator = string;
export type Id = string;
export type Title = string;
export type Summary = string;
export type Seed = number;
export type At = number;
export type Kind = string;
export type Actions = PlacedAction[];
export type Bit = number;
export type Name = string;
export type Section = string;
export type FeatureNames = FeatureName[];
export type Index = number;
export type Id1 = string;
export type Title1 = string;
export type Intro = string;
export type FirstStep = number;
export type StepCount = number;
export type Chapters = Chapter[];
export type StepCount1 = number;
export type Stopped = string | null;
export type KeyframeInterval = number;
export type Step = number;
export type Value = number;
export type Names = string | string[];
export type DeviceId = number;
export type Offered = string;
export type Driver = string;
export type Negotiated = string;
export type Index1 = number;
export type Name1 = string;
export type Format1 = "split" | "packed";
export type Size = number;
export type Enabled = boolean;
export type MsixVector = number | null;
export type Name2 = string;
export type Label = string;
export type Addr = number;
export type Size1 = number;
export type Areas = Area[];
/**
 * the driver's free list in list order, from free_head (split: descriptor indices; packed: buffer ids). Private state, as Linux keeps it in desc_extra[].next: guest memory holds no free links. null or absent when not recorded
 */
export type FreeList = number[] | null;
export type Queues = QueueState[];
export type Addr1 = number;
export type Hex = string;
export type Memory = MemoryRun[];
export type Keyframes = Keyframe[];
export type Index2 = number;
export type Chapter1 = number;
export type Kind1 = string;
export type Actor = string;
export type Plane = "control" | "data" | "notification";
export type Spec = string;
export type Analog = string;
/**
 * what happened, in words; absent when it is the frame's narration
 */
export type Summary1 = string | null;
export type Queue = number | null;
/**
 * [address, length] ranges read
 */
export type Reads = [unknown, unknown][];
/**
 * [address, length] ranges written
 */
export type Writes = [unknown, unknown][];
/**
 * the N-number of the MUST this event breaks
 */
export type Rule = number | null;
export type Requirement = string | null;
export type Box = string | null;
export type Route = string | null;
export type Hops = string[];
export type Narration = string;
export type Memory1 = MemoryRun[];
export type Device1 = {
  [k: string]: unknown;
} | null;
export type Queues1 = QueueChange[] | null;
export type Index3 = number;
/**
 * the queue's changed fields
 */
export type Set = {
  [k: string]: unknown;
} | null;
/**
 * the counters that changed
 */
export type Set1 = {
  [k: string]: unknown;
} | null;
/**
 * for each list that changed, [at, cut, put]: remove `cut` items at index `at` and insert the items `put` there
 */
export type Splice = {
  /**
   * @minItems 3
   * @maxItems 3
   */
  [k: string]: [unknown, unknown, unknown];
} | null;
export type Extras1 = {
  [k: string]: unknown;
} | null;
export type Steps = Frame[];
export type Id2 = string;
export type Step1 = number;
export type Kind2 = string;
export type Prompt = string;
export type AnswerType = "number" | "choice" | "choices" | "box";
/**
 * the options; for `box`, the boxes worth clicking
 */
export type Choices = string[];
/**
 * number: the integer; choice: one choice; choices: the set; box: any of these box ids is right
 */
export type Answer = number | string | string[];
export type Explanation = string;
export type Spec1 = string;
export type Source = "story" | "file" | "generated";
/**
 * questions for the reader, in step order
 */
export type Questions = Question[];
/**
 * an imported recording: what it cannot show
 */
export type Limitations = string[] | null;
/**
 * an imported recording: the file it came from
 */
export type Source1 = {
  [k: string]: unknown;
} | null;
/**
 * an imported recording whose device lived on both ring formats: the diagram for each (`state.device.ring` says which is in force)
 */
export type Topologies = {
  [k: string]: {
    [k: string]: unknown;
  };
} | null;
/**
 * an imported recording: each device's lives, in order
 */
export type Lives = {
  [k: string]: Life[];
} | null;
export type Number = number;
/**
 * who brought it up: "the firmware" or "the driver"
 */
export type Driver1 = string;
export type Ring = "split" | "packed";
export type EventIdx = boolean;
export type Negotiated1 = string;
export type DriverOk = boolean;
export type EndedByReset = boolean;
/**
 * null: none of its steps are in this document
 */
export type FirstStep1 = number | null;
export type LastStep = number | null;
/**
 * an imported recording: QMP replies taken with it
 */
export type Qmp =
  | {
      [k: string]: unknown;
    }[]
  | null;
/**
 * an imported recording: per device, how it compares with the model's run
 */
export type Comparison = {
  [k: string]: {
    [k: string]: unknown;
  }[];
} | null;

/**
 * A whole timeline, replayable with no server.
 */
export interface VirtioVizTraceVersion2 {
  format: Format;
  version: Version;
  generator: Generator;
  scenario: Scenario;
  topology: Topology;
  feature_names: FeatureNames;
  chapters: Chapters;
  step_count: StepCount1;
  stopped: Stopped;
  keyframe_interval: KeyframeInterval;
  keyframes: Keyframes;
  steps: Steps;
  questions?: Questions;
  limitations?: Limitations;
  source?: Source1;
  topologies?: Topologies;
  lives?: Lives;
  qmp?: Qmp;
  comparison?: Comparison;
}
export interface Scenario {
  id: Id;
  title: Title;
  summary: Summary;
  options: Options;
  seed: Seed;
  actions: Actions;
}
export interface Options {
  [k: string]: unknown;
}
export interface PlacedAction {
  at: At;
  kind: Kind;
  params: Params;
}
export interface Params {
  [k: string]: number | string | boolean;
}
export interface Topology {
  [k: string]: unknown;
}
export interface FeatureName {
  bit: Bit;
  name: Name;
  section: Section;
}
export interface Chapter {
  index: Index;
  id: Id1;
  title: Title1;
  intro: Intro;
  first_step: FirstStep;
  step_count: StepCount;
}
/**
 * The whole state at `step`, and every byte written up to it.
 */
export interface Keyframe {
  step: Step;
  state: State;
  memory: Memory;
}
/**
 * Everything the views show at one step.
 */
export interface State {
  status: Status;
  features: Features;
  device: Device;
  queues: Queues;
  extras: Extras;
}
export interface Status {
  value: Value;
  names: Names;
}
export interface Features {
  device_id: DeviceId;
  offered: Offered;
  driver: Driver;
  negotiated: Negotiated;
}
export interface Device {
  [k: string]: unknown;
}
export interface QueueState {
  index: Index1;
  name: Name1;
  format: Format1;
  size: Size;
  enabled: Enabled;
  msix_vector: MsixVector;
  areas: Areas;
  /**
   * the driver's counters, null before setup
   */
  driver: DriverSide | null;
  /**
   * the device's counters, null before setup
   */
  device: Open | null;
}
export interface Area {
  name: Name2;
  label: Label;
  addr: Addr;
  size: Size1;
}
/**
 * The driver's private bookkeeping for one queue; the other counters depend on the
 * ring format (docs/trace-format.md, QueueState).
 */
export interface DriverSide {
  free_list?: FreeList;
  [k: string]: unknown;
}
export interface Open {
  [k: string]: unknown;
}
export interface Extras {
  [k: string]: unknown;
}
/**
 * Bytes of guest memory starting at `addr`, as hex.
 */
export interface MemoryRun {
  addr: Addr1;
  hex: Hex;
}
/**
 * One step: its event, the bytes it wrote, and what it changed in the state.
 */
export interface Frame {
  index: Index2;
  chapter: Chapter1;
  event: TraceEvent;
  box: Box;
  route: Route;
  hops: Hops;
  narration: Narration;
  memory: Memory1;
  changes: Changes;
}
/**
 * One model event: who did what, where the spec says so, and what real software does.
 */
export interface TraceEvent {
  kind: Kind1;
  actor: Actor;
  plane: Plane;
  spec: Spec;
  analog: Analog;
  summary?: Summary1;
  queue: Queue;
  values: Values;
  reads: Reads;
  writes: Writes;
  rule: Rule;
  requirement: Requirement;
}
export interface Values {
  [k: string]: unknown;
}
/**
 * The state fields a step changed: top-level fields whole, queues as `QueueChange`s.
 */
export interface Changes {
  status?: Status | null;
  features?: Features | null;
  device?: Device1;
  queues?: Queues1;
  extras?: Extras1;
}
/**
 * What changed in the queue with this `index`: the whole queue (`queue`), or its
 * changed fields (`set`) and edits of its sides' counters (`driver`, `device`).
 */
export interface QueueChange {
  index: Index3;
  /**
   * the whole queue: new, or with other fields than before
   */
  queue?: QueueState | null;
  set?: Set;
  driver?: SideEdit | null;
  device?: SideEdit | null;
}
/**
 * What changed in one side's counters: values whole, lists as splices.
 */
export interface SideEdit {
  set?: Set1;
  splice?: Splice;
}
/**
 * A question put to the reader at step `step - 1` about step `step` (virtio_viz.quiz):
 * the answer and the explanation are read from the model's event at that step.
 */
export interface Question {
  id: Id2;
  step: Step1;
  kind: Kind2;
  prompt: Prompt;
  answer_type: AnswerType;
  choices: Choices;
  answer: Answer;
  explanation: Explanation;
  spec: Spec1;
  source: Source;
}
/**
 * One bring-up of an imported device: from the first status after a reset to the next
 * reset (virtio-1.2 §2.4), with the ring it ran and the device as it left it.
 */
export interface Life {
  number: Number;
  driver: Driver1;
  ring: Ring;
  event_idx: EventIdx;
  negotiated: Negotiated1;
  driver_ok: DriverOk;
  ended_by_reset: EndedByReset;
  first_step: FirstStep1;
  last_step: LastStep;
  final: Final;
}
/**
 * the device's state when the life ended
 */
export interface Final {
  [k: string]: unknown;
}
