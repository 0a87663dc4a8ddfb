import { describe, expect, it } from "vitest";
import { readUrl, writeUrl } from "./url-state";

describe("URL state", () => {
  it("round-trips scenario, options and the (1-based) step", () => {
    const state = readUrl("?scenario=vhost-net&ring=packed&queue_size=8&event_idx=0&step=42");
    expect(state.scenario).toBe("vhost-net");
    expect(state.step).toBe(41);
    expect(state.options).toEqual({ ring: "packed", queue_size: 8, event_idx: false });
    expect(readUrl(writeUrl(state))).toEqual(state);
  });

  it("carries the reader's actions, in order, before the step", () => {
    const query = "?scenario=qemu-emulated&act=200%3Asend_frame%3Aframe%3Dicmp_echo&act=250%3Aneeds_reset&step=223";
    const state = readUrl(query);
    expect(state.actions).toEqual([
      { at: 199, kind: "send_frame", params: { frame: "icmp_echo" } }, { at: 249, kind: "needs_reset", params: {} }]);
    expect(writeUrl(state)).toBe(query);
    expect(writeUrl({ ...state, src: "/t.json" })).not.toContain("act=");
  });

  it("keeps the dock's open panels", () => {
    const state = readUrl("?scenario=vdpa&step=3&open=memory,log");
    expect(state.open).toEqual(["memory", "log"]);
    expect(writeUrl(state)).toBe("?scenario=vdpa&step=3&open=memory%2Clog");
  });

  it("falls back to the first step of the default scenario", () => {
    expect(readUrl("?step=-3")).toMatchObject({ scenario: "qemu-emulated", step: 0, src: null });
  });
});
