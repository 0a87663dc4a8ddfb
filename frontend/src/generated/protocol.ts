/* Generated from the server JSON Schema by `npm run gen:protocol`. Do not edit. */

export type Client =
  Open | Resume | Join | Step1 | Back | Seek | Play | Pause | Act | Prepare | PollOpen | PollAnswer | PollReveal;
export type Type = "open";
export type Version = number;
export type Scenario = string | null;
export type ScenarioFile = string | null;
export type Seed = number;
export type Kind = string;
export type At = number;
/**
 * @maxItems 256
 */
export type Actions = PlacedActionIn[];
export type Step = number;
export type Type1 = "resume";
export type Version1 = number;
export type Session = string;
export type Type2 = "join";
export type Version2 = number;
export type Room = string;
export type Token = string | null;
export type Type3 = "step";
export type Count = number;
export type Type4 = "back";
export type Count1 = number;
export type Type5 = "seek";
export type Step2 = number;
export type Type6 = "play";
export type Speed = number;
export type Type7 = "pause";
export type Type8 = "act";
export type Kind1 = string;
export type Type9 = "prepare";
/**
 * @maxItems 3
 */
export type Actions1 = [] | [ActionIn] | [ActionIn, ActionIn] | [ActionIn, ActionIn, ActionIn];
export type Type10 = "poll_open";
export type Question = string;
export type Type11 = "poll_answer";
export type Question1 = string;
export type Answer =
  | number
  | string
  | []
  | [string]
  | [string, string]
  | [string, string, string]
  | [string, string, string, string]
  | [string, string, string, string, string]
  | [string, string, string, string, string, string]
  | [string, string, string, string, string, string, string]
  | [string, string, string, string, string, string, string, string]
  | [string, string, string, string, string, string, string, string, string]
  | [string, string, string, string, string, string, string, string, string, string]
  | [string, string, string, string, string, string, string, string, string, string, string]
  | [string, string, string, string, string, string, string, string, string, string, string, string]
  | [string, string, string, string, string, string, string, string, string, string, string, string, string]
  | [string, string, string, string, string, string, string, string, string, string, string, string, string, string]
  | [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string
    ]
  | [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string
    ];
export type Type12 = "poll_reveal";
export type Server = Opened | SnapshotOut | Position | Notice | Grown | PollOut | ErrorOut;
export type Type13 = "opened";
export type Version3 = number;
/**
 * the id to `resume` this session by; null for a follower, who only watches the room's session and can never move it
 */
export type Session1 = string | null;
export type Role = "solo" | "presenter" | "follower";
export type Room1 = string | null;
export type Format = "virtio-viz-trace";
export type Version4 = number;
export type FeatureNames = {
  [k: string]: unknown;
}[];
export type Chapters = {
  [k: string]: unknown;
}[];
export type StepCount = number;
export type Stopped = string | null;
export type KeyframeInterval = number;
export type Id = string;
export type Step3 = number;
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
export type Answer1 = number | string | string[];
export type Explanation = string;
export type Spec = string;
export type Source = "story" | "file" | "generated";
export type Questions = Question2[];
export type Actions2 = {
  [k: string]: unknown;
}[];
export type Type14 = "snapshot";
export type Step4 = number;
export type Memory = {
  [k: string]: unknown;
}[];
/**
 * the device status values up to `step`, oldest first, repeats merged
 */
export type StatusHistory = number[];
export type Type15 = "position";
export type Step5 = number;
export type Playing = boolean;
export type Speed1 = number;
export type Frames = {
  [k: string]: unknown;
}[];
export type Type16 = "notice";
export type Code = "rooms_local" | "rooms_shared";
export type Message = string;
export type Type17 = "grown";
export type StepCount1 = number;
export type Chapters1 = {
  [k: string]: unknown;
}[];
export type Stopped1 = string | null;
export type Frames1 = {
  [k: string]: unknown;
}[];
export type Type18 = "poll";
export type State1 = "open" | "revealed";
export type Question3 = string;
export type Step6 = number;
export type Prompt1 = string;
export type AnswerType1 = "number" | "choice" | "choices" | "box";
export type Choices1 = string[];
/**
 * this follower's answer was counted
 */
export type Answered = boolean;
/**
 * answers by value (no names)
 */
export type Tally = {
  [k: string]: number;
} | null;
export type Total = number | null;
export type Answer2 = number | string | string[] | null;
export type Explanation1 = string | null;
export type Spec1 = string;
export type Type19 = "error";
export type Code1 = string;
export type Message1 = string;
export type Field = string | null;

/**
 * Protocol version 2.
 */
export interface VirtioVizWebsocketProtocol {
  client: Client;
  server: Server;
  [k: string]: unknown;
}
/**
 * Start a session on a built-in scenario or an uploaded scenario file.
 */
export interface Open {
  type: Type;
  version: Version;
  scenario?: Scenario;
  scenario_file?: ScenarioFile;
  options?: Options;
  seed?: Seed;
  actions?: Actions;
  step?: Step;
}
export interface Options {
  [k: string]: number | string | boolean | string[];
}
export interface PlacedActionIn {
  kind: Kind;
  params?: Params;
  at: At;
}
export interface Params {
  [k: string]: number | string | boolean;
}
/**
 * Reattach to a session after a dropped connection.
 */
export interface Resume {
  type: Type1;
  version: Version1;
  session: Session;
}
/**
 * Follow a room; with the presenter token, control it.
 */
export interface Join {
  type: Type2;
  version: Version2;
  room: Room;
  token?: Token;
}
export interface Step1 {
  type: Type3;
  count?: Count;
}
export interface Back {
  type: Type4;
  count?: Count1;
}
export interface Seek {
  type: Type5;
  step: Step2;
}
export interface Play {
  type: Type6;
  speed?: Speed;
}
export interface Pause {
  type: Type7;
}
/**
 * Perform an action at the current step: the timeline forks there.
 */
export interface Act {
  type: Type8;
  action: ActionIn;
}
/**
 * A reader's action: a ring-lab move, a feature toggle, a fault, a frame.
 */
export interface ActionIn {
  kind: Kind1;
  params?: Params1;
}
export interface Params1 {
  [k: string]: number | string | boolean;
}
/**
 * The actions the reader may take next, at the current step: the server builds their
 * forks while a worker is idle, so an `act` that follows finds its fork built. No reply.
 */
export interface Prepare {
  type: Type9;
  actions: Actions1;
}
/**
 * The presenter puts one of the story's questions to the room.
 */
export interface PollOpen {
  type: Type10;
  question: Question;
}
/**
 * A follower's answer to the question the room is asked (once per question).
 */
export interface PollAnswer {
  type: Type11;
  question: Question1;
  answer: Answer;
}
/**
 * The presenter closes the poll: everyone sees the answer, and the room the step.
 */
export interface PollReveal {
  type: Type12;
}
/**
 * A session (re)started: its header, actions the reader may take, where it stands.
 */
export interface Opened {
  type?: Type13;
  version?: Version3;
  session: Session1;
  role?: Role;
  room?: Room1;
  header: TraceHeader;
  actions: Actions2;
  snapshot: SnapshotOut;
}
/**
 * Everything of a trace except keyframes and frames (docs/trace-format.md).
 */
export interface TraceHeader {
  format: Format;
  version: Version4;
  scenario: Scenario1;
  topology: Topology;
  feature_names: FeatureNames;
  chapters: Chapters;
  step_count: StepCount;
  stopped: Stopped;
  keyframe_interval: KeyframeInterval;
  questions?: Questions;
  [k: string]: unknown;
}
export interface Scenario1 {
  [k: string]: unknown;
}
export interface Topology {
  [k: string]: unknown;
}
/**
 * A question put to the reader at step `step - 1` about step `step` (virtio_viz.quiz):
 * the answer and the explanation are read from the model's event at that step.
 */
export interface Question2 {
  id: Id;
  step: Step3;
  kind: Kind2;
  prompt: Prompt;
  answer_type: AnswerType;
  choices: Choices;
  answer: Answer1;
  explanation: Explanation;
  spec: Spec;
  source: Source;
}
/**
 * The whole state at `step` and every byte written so far.
 */
export interface SnapshotOut {
  type?: Type14;
  step: Step4;
  state: State;
  memory: Memory;
  status_history?: StatusHistory;
}
export interface State {
  [k: string]: unknown;
}
/**
 * Where the timeline stands now (after a step, back, seek, or the presenter's move),
 * with the frames the client does not have yet, in order (deltas: docs/trace-format.md):
 * one message per move, so a step costs one round trip.
 */
export interface Position {
  type?: Type15;
  step: Step5;
  playing?: Playing;
  speed?: Speed1;
  frames?: Frames;
}
/**
 * How the room this connection is in is doing. With several workers sharing Redis,
 * `rooms_local` says the shared store cannot be reached: the room goes on only among
 * the connections of this worker until `rooms_shared` says it is whole again.
 */
export interface Notice {
  type?: Type16;
  code: Code;
  message: Message;
}
/**
 * The session's timeline grew (a live VM keeps adding steps): how long it is now, its
 * chapters, why it stopped growing if it did, and the new frames that fall inside what
 * the client is sent anyway. It moves nobody: the client stays at its step.
 */
export interface Grown {
  type?: Type17;
  step_count: StepCount1;
  chapters: Chapters1;
  stopped?: Stopped1;
  frames?: Frames1;
}
/**
 * A room's poll (server/virtio_viz/api/polls.py): the question, and for a presenter,
 * or for everyone once revealed, the tally and the answer.
 */
export interface PollOut {
  type?: Type18;
  state: State1;
  question: Question3;
  step: Step6;
  prompt: Prompt1;
  answer_type: AnswerType1;
  choices: Choices1;
  answered?: Answered;
  tally: Tally;
  total: Total;
  answer: Answer2;
  explanation: Explanation1;
  spec: Spec1;
}
export interface ErrorOut {
  type?: Type19;
  code: Code1;
  message: Message1;
  field?: Field;
}
