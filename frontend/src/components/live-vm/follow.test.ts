import { describe, expect, it } from "vitest";
import { Follow } from "./follow";

describe("following a live VM", () => {
  it("goes to the newest step when the timeline grows", () => {
    const follow = new Follow();
    expect(follow.changed({ step: 0, length: 10 })).toBe(9);
    expect(follow.changed({ step: 9, length: 10 })).toBeNull();
    expect(follow.changed({ step: 9, length: 14 })).toBe(13);
  });
  it("stops when the reader steps back, and resumes on request", () => {
    const follow = new Follow();
    follow.changed({ step: 9, length: 10 });
    expect(follow.changed({ step: 8, length: 10 })).toBeNull();
    expect(follow.following).toBe(false);
    expect(follow.changed({ step: 8, length: 20 })).toBeNull(); // growth no longer moves it
    expect(follow.resume()).toBe(19);
    expect(follow.following).toBe(true);
  });
  it("takes a late answer to its own seek for what it is, not for the reader leaving", () => {
    const follow = new Follow();
    expect(follow.changed({ step: 0, length: 10 })).toBe(9); // not cached: the page waits
    expect(follow.changed({ step: 0, length: 15 })).toBe(14);
    expect(follow.changed({ step: 14, length: 15 })).toBeNull(); // cached: moved at once
    expect(follow.changed({ step: 9, length: 15 })).toBeNull(); // the server confirms 9, late
    expect(follow.following).toBe(true);
    expect(follow.changed({ step: 14, length: 15 })).toBeNull(); // and then 14
  });
});
