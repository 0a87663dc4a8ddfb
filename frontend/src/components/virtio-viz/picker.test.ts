import { describe, expect, it } from "vitest";
import { isShippedRecording, readPick } from "./picker";

describe("scenario menu", () => {
  it("reads a scenario and a recording choice", () => {
    expect(readPick("scenario:vhost-net")).toEqual({ scenario: "vhost-net" });
    expect(readPick("src:/api/recordings/qemu-split/trace")).toEqual({ src: "/api/recordings/qemu-split/trace" });
  });

  it("keeps the menu only for the server's own recordings", () => {
    expect(isShippedRecording("/api/recordings/qemu-packed/trace")).toBe(true);
    expect(isShippedRecording("trace.json")).toBe(false);
    expect(isShippedRecording("https://example.org/api/recordings/x/trace")).toBe(false);
    expect(isShippedRecording("/api/recordings/../../etc/trace")).toBe(false);
    expect(isShippedRecording(null)).toBe(false);
  });
});
