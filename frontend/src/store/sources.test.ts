import { afterEach, describe, expect, it, vi } from "vitest";
import { LiveSource } from "./sources";
import { TimelineStore } from "./store";
import schema from "../../schema/protocol.json";
import { FakeSocket } from "./fixtures/fake-socket";

const socket = (index: number) => FakeSocket.at(index);

const header = { step_count: 10, chapters: [] };
const opened = (role: string) => ({
  type: "opened", session: null, role, room: "ABCDEF", header, actions: [],
  snapshot: { step: 4, state: {}, memory: [], status_history: [] },
});

describe("LiveSource in a room", () => {
  afterEach(() => { vi.useRealTimers(); vi.unstubAllGlobals(); FakeSocket.made = []; });

  it("shows the server's notice while the room is local, and clears it when shared again", async () => {
    vi.stubGlobal("WebSocket", FakeSocket);
    const store = new TimelineStore();
    const source = new LiveSource(store, "ws://x/ws", { room: "ABCDEF" });
    const started = source.start();
    const server = socket(0);
    server.accept();
    server.say(opened("follower"));
    await started;
    server.say({ type: "notice", code: "rooms_local", message: "only this server" });
    expect(store.notice).toBe("only this server");
    server.say({ type: "notice", code: "rooms_shared", message: "back" });
    expect(store.notice).toBeNull();
  });

  it("connects again after the server went away and joins the room again", async () => {
    vi.useFakeTimers();
    vi.stubGlobal("WebSocket", FakeSocket);
    const store = new TimelineStore();
    const source = new LiveSource(store, "ws://x/ws", { room: "ABCDEF" });
    const started = source.start();
    socket(0).accept();
    socket(0).say(opened("follower"));
    await started;
    socket(0).drop();
    expect(store.error).toMatch(/connecting again/);
    await vi.advanceTimersByTimeAsync(300);
    expect(FakeSocket.made).toHaveLength(2);
    socket(1).accept();
    expect(socket(1).sent).toEqual([{ type: "join", version: 2, room: "ABCDEF", token: null }]);
    socket(1).say(opened("follower"));
    expect(store.error).toBeNull();
    expect(store.step).toBe(0);
  });

  it("names the server's protocol version, and asks for a reload when the server speaks another", async () => {
    vi.stubGlobal("WebSocket", FakeSocket);
    const store = new TimelineStore();
    const started = new LiveSource(store, "ws://x/ws", { session: "s1" }).start();
    socket(0).accept();
    expect(socket(0).sent).toEqual([{ type: "resume", version: schema["x-protocol-version"], session: "s1" }]);
    socket(0).say({ type: "error", code: "version", message: "this server speaks protocol version 1", field: "version" });
    await started;
    expect(store.error).toMatch(/different protocol versions: reload the page/);
  });

  it("does not connect again after the page closed it", () => {
    vi.useFakeTimers();
    vi.stubGlobal("WebSocket", FakeSocket);
    const source = new LiveSource(new TimelineStore(), "ws://x/ws", { room: "ABCDEF" });
    void source.start();
    socket(0).accept();
    socket(0).say(opened("follower"));
    source.close();
    vi.advanceTimersByTime(10_000);
    expect(FakeSocket.made).toHaveLength(1);
  });
});

describe("LiveSource moving", () => {
  afterEach(() => { vi.unstubAllGlobals(); FakeSocket.made = []; });

  async function opened4(): Promise<{ store: TimelineStore; source: LiveSource; server: FakeSocket }> {
    vi.stubGlobal("WebSocket", FakeSocket);
    const store = new TimelineStore();
    const source = new LiveSource(store, "ws://x/ws", { scenario: "s" });
    const started = source.start();
    const server = socket(0);
    server.accept();
    server.say(opened("solo"));
    await started;
    const frames = [4, 5, 6, 7, 8, 9].map((index) => ({ index, chapter: 0, changes: {}, memory: [], hops: [], box: "", route: null, narration: "", event: {} }));
    server.say({ type: "position", step: 4, playing: false, speed: 0, frames });
    return { store, source, server };
  }

  it("keeps its own step while later moves are unanswered, so a late reply cannot make it overshoot", async () => {
    const { store, source, server } = await opened4();
    source.seek(5);
    source.seek(6);
    server.say({ type: "position", step: 5, playing: true, speed: 4, frames: [] }); // the first's reply, late
    expect(store.step).toBe(6);
    source.seek(store.step + 1); // the autoplay's next tick
    server.say({ type: "position", step: 6, playing: true, speed: 4, frames: [] });
    server.say({ type: "position", step: 7, playing: true, speed: 4, frames: [] });
    expect(store.step).toBe(7);
    const moves = server.sent.filter((m) => m.type !== "open");
    expect(moves).toEqual([{ type: "step", count: 1 }, { type: "step", count: 1 }, { type: "step", count: 1 }]);
  });

  it("counts every press, and takes the server's step once every move is answered", async () => {
    const { store, source, server } = await opened4();
    for (let i = 0; i < 3; i++) source.seek(store.step + 1);
    expect(store.step).toBe(7);
    server.say({ type: "error", code: "rate_limited", message: "slow down", field: null }); // one refused
    server.say({ type: "position", step: 5, playing: false, speed: 0, frames: [] });
    expect(store.step).toBe(7);
    server.say({ type: "position", step: 6, playing: false, speed: 0, frames: [] });
    expect(store.step).toBe(6); // the session is where the server says, once all are answered
  });

  it("keeps a refused action for the Try it panel, at its step, and a prepare's error for the header", async () => {
    const { store, source, server } = await opened4();
    source.act("send_frame", { frame: "icmp_echo" });
    server.say({ type: "error", code: "action", message: "the device is not live (no DRIVER_OK)", field: "action.kind" });
    expect(store.refused).toEqual({ step: 4, message: "the device is not live (no DRIVER_OK)" });
    expect(store.error).toBeNull();
    source.act("send_frame", { frame: "arp_request" }); // the next try starts clean
    expect(store.refused).toBeNull();
    server.say({ type: "error", code: "action", message: "no such action", field: "actions.0.kind" });
    expect(store.refused).toBeNull();
    expect(store.error).toBe("no such action (actions.0.kind)");
  });
});
