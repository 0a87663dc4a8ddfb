import { describe, expect, it } from "vitest";
import { keyAction } from "./keys";

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
