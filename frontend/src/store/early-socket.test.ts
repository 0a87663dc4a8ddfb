import { afterEach, describe, expect, it, vi } from "vitest";
import { earlyOpen, takeEarly } from "./early-socket";
import { LiveSource } from "./sources";
import { TimelineStore } from "./store";
import { FakeSocket } from "./fixtures/fake-socket";

const URL = "ws://x/ws";
const JOIN = { room: "ABCDEF" };
const header = { step_count: 10, chapters: [] };
const opened = { type: "opened", session: null, role: "follower", room: "ABCDEF", header, actions: [],
  snapshot: { step: 4, state: {}, memory: [], status_history: [] } };
const position = { type: "position", step: 4, playing: false, frames: [] };

describe("a socket opened before the page's code loaded", () => {
  afterEach(() => { vi.unstubAllGlobals(); FakeSocket.made = []; takeEarly("", ""); });

  it("says hello as soon as it is open, and the source that asks the same reads what came before it started", async () => {
    vi.stubGlobal("WebSocket", FakeSocket);
    earlyOpen(URL, JOIN);
    const server = FakeSocket.at(0);
    server.accept();
    expect(server.sent).toEqual([{ type: "join", version: 2, room: "ABCDEF", token: null }]);
    server.say(opened);
    server.say(position);
    const store = new TimelineStore();
    const source = new LiveSource(store, URL, JOIN);
    await source.start();
    expect(FakeSocket.made).toHaveLength(1); // no second socket, no second hello
    expect(server.sent).toHaveLength(1);
    expect(store.role).toBe("follower");
    expect(store.step).toBe(4);
    source.seek(5); // the hello counted as answered: the page's own moves go out as usual
    expect(server.sent.at(-1)).toEqual({ type: "step", count: 1 });
  });

  it("still connecting when taken: it sends the hello once open, and what comes goes to the source", async () => {
    vi.stubGlobal("WebSocket", FakeSocket);
    earlyOpen(URL, JOIN);
    const store = new TimelineStore();
    const started = new LiveSource(store, URL, JOIN).start();
    const server = FakeSocket.at(0);
    server.accept();
    server.say(opened);
    await started;
    expect(server.sent).toEqual([{ type: "join", version: 2, room: "ABCDEF", token: null }]);
    expect(store.role).toBe("follower");
  });

  it("is closed, and a socket of its own opened, when the page asks for something else", async () => {
    vi.stubGlobal("WebSocket", FakeSocket);
    earlyOpen(URL, JOIN);
    const early = FakeSocket.at(0);
    early.accept();
    const started = new LiveSource(new TimelineStore(), URL, { scenario: "vhost-net", step: 2 }).start();
    expect(early.readyState).toBe(3);
    const own = FakeSocket.at(1);
    own.accept();
    expect(own.sent[0]).toMatchObject({ type: "open", scenario: "vhost-net", step: 2 });
    own.say(opened);
    await started;
  });

  it("is not used when it closed before the page started, nor a second time", async () => {
    vi.stubGlobal("WebSocket", FakeSocket);
    earlyOpen(URL, JOIN);
    FakeSocket.at(0).drop();
    const first = new LiveSource(new TimelineStore(), URL, JOIN).start();
    expect(FakeSocket.made).toHaveLength(2);
    FakeSocket.at(1).accept();
    FakeSocket.at(1).say(opened);
    await first;
    earlyOpen(URL, JOIN);
    expect(takeEarly(URL, JSON.stringify({ type: "join", version: 2, room: "ABCDEF", token: null }))).not.toBeNull();
    expect(takeEarly(URL, JSON.stringify({ type: "join", version: 2, room: "ABCDEF", token: null }))).toBeNull();
  });
});
