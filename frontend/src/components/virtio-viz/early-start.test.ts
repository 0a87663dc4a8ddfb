import { describe, expect, it } from "vitest";
import { urlRequest, wsUrlFor } from "./early-start";

describe("the request a url-state page makes before its code loads", () => {
  it("joins the room of a join link", () => {
    expect(urlRequest("?room=ABCDEF")).toMatchObject({ room: "ABCDEF", token: undefined });
  });

  it("opens the story at the URL's step with its options and actions, or at the start of an embedded range", () => {
    expect(urlRequest("?scenario=vhost-net&step=7&queue_size=64&act=3:send_frame")).toEqual({
      scenario: "vhost-net", options: { queue_size: 64 }, step: 6, room: undefined, token: undefined,
      actions: [{ at: 2, kind: "send_frame", params: {} }],
    });
    expect(urlRequest("?scenario=vhost-net&step=2&from=10")?.step).toBe(9);
  });

  it("makes none for a trace, the speaker's notes, or a live VM (claimed first)", () => {
    expect(urlRequest("?src=/api/scenarios/vdpa/trace")).toBeNull();
    expect(urlRequest("?notes=1")).toBeNull();
    expect(urlRequest("?scenario=live")).toBeNull();
  });

  it("talks to the page's own server, over TLS when the page came over it", () => {
    expect(wsUrlFor("https://viz.example/embed?room=A")).toBe("wss://viz.example/ws");
    expect(wsUrlFor("http://127.0.0.1:8000/")).toBe("ws://127.0.0.1:8000/ws");
  });
});
