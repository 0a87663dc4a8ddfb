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

  it("falls back to the first step of the default scenario", () => {
    expect(readUrl("?step=-3")).toMatchObject({ scenario: "qemu-emulated", step: 0, src: null });
  });
});
