/**
 * Where a timeline comes from: an exported trace (everything local, works offline) or a
 * live session over the websocket (the server sends frames ahead; moves inside the cache
 * are instant and confirmed by the server's `position`). A live connection that drops
 * after it was opened (a server worker restarted, a load balancer moved it) connects
 * again and rejoins its room or resumes its session, waiting a little longer each time.
 */
import type { ActionSpec, Chapter, ClientMessage, Frame, Keyframe, Poll, State, Trace, TraceHeader } from "../protocol";
import { upgradeTrace } from "./changes";
import type { TimelineStore } from "./store";
import { helloFor, openMessage, type OpenRequest } from "./hello";
import { takeEarly } from "./early-socket";

export interface Source {
  start(): Promise<void>;
  seek(step: number): void;
  play(speed: number): void;
  pause(): void;
  act(kind: string, params: Record<string, unknown>): void;
  /** The actions the reader may take next: a server builds their forks ahead. */
  prepare(actions: { kind: string; params: Record<string, unknown> }[]): void;
  close(): void;
  readonly live: boolean;
  sessionId: string | null;
}

export class TraceSource implements Source {
  readonly live = false;
  sessionId: string | null = null;
  constructor(private store: TimelineStore, private url: string, private initialStep = 0) {}

  async start(): Promise<void> {
    const response = await fetch(this.url);
    if (!response.ok) throw new Error(`could not load ${this.url}: ${response.status}`);
    this.load((await response.json()) as Trace);
  }

  load(file: Trace): void {
    if (file.format !== "virtio-viz-trace" || (file.version !== 1 && file.version !== 2)) {
      throw new Error("this file is not a virtio-viz trace (version 1 or 2)");
    }
    const trace = upgradeTrace(file);
    this.store.reset(trace);
    for (const k of trace.keyframes as Keyframe[]) this.store.addBase(k.step, k.state, k.memory);
    this.store.addFrames(trace.steps);
    this.store.setStep(this.initialStep);
  }

  seek(step: number): void { this.store.setStep(step); }
  play(): void {}
  pause(): void {}
  act(): void { this.store.error = "Actions need the live server; this is a recorded trace."; this.store.changed(); }
  prepare(): void {}
  close(): void {}
}

/** What the server answers with a `position` (after an `opened` or a `snapshot`). */
const ANSWERED_BY_POSITION = new Set<string>(["open", "resume", "join", "step", "back", "seek", "play", "pause", "act"]);
/** an error about the reader's `act` (its field is `action` or inside it), not `prepare`'s `actions` */
const REFUSED_ACT = /^action(\.|$)/;

function errorText(message: Record<string, unknown>): string {
  if (message.code === "version") return "This page and the server speak different protocol versions: reload the page.";
  return `${message.message as string}${message.field ? ` (${message.field as string})` : ""}`;
}

export class LiveSource implements Source {
  readonly live = true;
  sessionId: string | null = null;
  private socket: WebSocket | null = null;
  private ready: Promise<void> | null = null;
  private closing = false;
  private opened = false; // this connection has received a session
  private retries = 0;
  private unanswered = 0; // messages sent whose `position` has not come back yet

  constructor(private store: TimelineStore, private url: string, private request: OpenRequest) {}

  start(): Promise<void> {
    this.ready = new Promise((resolve, reject) => {
      const hello = this.hello();
      const early = takeEarly(this.url, JSON.stringify(hello)); // opened by the page's entry script
      const socket = early?.socket ?? new WebSocket(this.url);
      this.socket = socket;
      this.unanswered = early ? 1 : 0; // the early socket sends the hello
      const receive = (data: string) => { this.receive(JSON.parse(data) as Record<string, unknown>); resolve(); };
      if (early) early.adopt(receive);
      else {
        socket.addEventListener("open", () => this.send(hello));
        socket.addEventListener("message", (event) => receive(String(event.data)));
      }
      socket.addEventListener("error", () => reject(new Error("the live server could not be reached")));
      socket.addEventListener("close", () => {
        if (this.closing) return; // we closed it on purpose (another scenario, a room)
        this.store.error = "The connection to the server closed.";
        if (this.opened) this.reconnect();
        this.store.changed();
      });
    });
    return this.ready;
  }

  private reconnect(): void {
    this.store.error = "The connection to the server closed; connecting again…";
    const wait = Math.min(5000, 250 * 2 ** this.retries++);
    setTimeout(() => { if (!this.closing) this.start().catch(() => undefined); }, wait);
  }

  private hello(): ClientMessage { return helloFor(this.request, this.sessionId); }

  private send(message: ClientMessage): void {
    if (this.socket?.readyState !== WebSocket.OPEN) return;
    this.socket.send(JSON.stringify(message));
    if (ANSWERED_BY_POSITION.has(message.type)) this.unanswered++;
  }

  private receive(message: Record<string, unknown>): void {
    const store = this.store;
    switch (message.type) {
      case "opened": {
        this.opened = true;
        this.retries = 0;
        const snapshot = message.snapshot as { step: number; state: State; memory: never[]; status_history?: number[] };
        this.sessionId = message.session as string | null; // null for a follower
        store.role = message.role as never;
        store.error = store.refused = null;
        store.reset(message.header as TraceHeader, message.actions as ActionSpec[]);
        store.addBase(snapshot.step, snapshot.state, snapshot.memory, snapshot.status_history);
        break;
      }
      case "snapshot":
        store.addBase(message.step as number, message.state as State, message.memory as never[],
          message.status_history as number[] | undefined);
        break;
      case "position":
        this.unanswered = Math.max(0, this.unanswered - 1);
        if (!this.opened && this.request.room && this.request.token && this.request.scenario) {
          this.send(openMessage(this.request)); // an empty room: the presenter opens its story there
          break;
        }
        store.addFrames((message.frames as Frame[] | undefined) ?? []);
        store.playing = message.playing as boolean;
        // With later moves still unanswered this is an earlier one's reply: the page has
        // moved on already (onto steps it holds, at once), and the last reply says where
        // the session is. Taking this one would set the page back, and its next "one
        // more" would then overshoot (an embed's autoplay ran past its range under load).
        if (this.unanswered === 0) store.setStep(message.step as number);
        store.changed();
        break;
      case "poll":
        store.poll = message as unknown as Poll;
        store.changed();
        break;
      case "notice":
        store.notice = message.code === "rooms_local" ? message.message as string : null;
        store.changed();
        break;
      case "grown": // a live VM's timeline grew; nobody moves
        store.grow(message.step_count as number, message.chapters as Chapter[], (message.stopped as string | null) ?? null);
        store.addFrames((message.frames as Frame[] | undefined) ?? []);
        store.changed();
        break;
      case "error":
        this.unanswered = Math.max(0, this.unanswered - 1);
        if (REFUSED_ACT.test(String(message.field ?? ""))) store.refused = { step: store.step, message: message.message as string };
        else store.error = errorText(message);
        store.changed();
        break;
    }
  }

  seek(step: number): void {
    const target = Math.max(0, Math.min(step, this.store.length - 1));
    if (target === this.store.step + 1) this.send({ type: "step", count: 1 });
    else if (target === this.store.step - 1) this.send({ type: "back", count: 1 });
    else this.send({ type: "seek", step: target });
    if (this.store.has(target)) this.store.setStep(target);
  }

  play(speed: number): void { this.send({ type: "play", speed }); }
  pause(): void { this.send({ type: "pause" }); }
  act(kind: string, params: Record<string, unknown>): void {
    this.store.refused = null;
    this.send({ type: "act", action: { kind, params: params as never } });
  }
  prepare(actions: { kind: string; params: Record<string, unknown> }[]): void {
    this.send({ type: "prepare", actions: actions as never });
  }
  /** A room's poll: the presenter opens and reveals, a follower answers (api/polls.py). */
  poll(message: Extract<ClientMessage, { type: "poll_open" | "poll_answer" | "poll_reveal" }>): void { this.send(message); }
  close(): void { this.closing = true; this.socket?.close(); }
}
