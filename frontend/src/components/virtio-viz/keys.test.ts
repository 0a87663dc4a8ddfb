import { describe, expect, it } from "vitest";
import type { TraceHeader } from "../../protocol";
import { TimelineStore } from "../../store/store";
import { keyAction, stepFor } from "./keys";

const press = (key: string, tagName = "BODY") =>
  ({ key, composedPath: () => [{ tagName }] }) as unknown as KeyboardEvent;

describe("keyboard", () => {
  it("maps the keys a reader and a presenter's clicker send", () => {
    expect(keyAction(press("ArrowRight"))).toBe("step");
    expect(keyAction(press("PageUp"))).toBe("back");
    expect(keyAction(press("]"))).toBe("next-chapter");
    expect(keyAction(press("B"))).toBe("blank");
    expect(keyAction(press("?"))).toBe("help");
    expect(keyAction(press("x"))).toBeNull();
  });

  it("leaves keys to the control that has the focus, except Escape", () => {
    expect(keyAction(press("ArrowRight", "INPUT"))).toBeNull();
    expect(keyAction(press(" ", "BUTTON"))).toBeNull();
    expect(keyAction(press("ArrowRight", "BUTTON"))).toBe("step");
    expect(keyAction(press("Escape", "SELECT"))).toBe("close");
  });
});

describe("moves", () => {
  it("go back to a chapter's start before the chapter before it, and on to the next", () => {
    const store = new TimelineStore();
    store.reset({ step_count: 30, chapters: [
      { index: 0, id: "a", title: "A", intro: "", first_step: 0, step_count: 10 },
      { index: 1, id: "b", title: "B", intro: "", first_step: 10, step_count: 20 }] } as unknown as TraceHeader);
    store.step = 14;
    expect(stepFor(store, "prev-chapter")).toBe(10);
    store.step = 10;
    expect(stepFor(store, "prev-chapter")).toBe(0);
    expect(stepFor(store, "next-chapter")).toBe(29); // no chapter after: the last step
    expect([stepFor(store, "back"), stepFor(store, "step"), stepFor(store, "first"), stepFor(store, "last")]).toEqual([9, 11, 0, 29]);
  });
});
