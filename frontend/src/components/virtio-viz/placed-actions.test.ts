import { describe, expect, it } from "vitest";
import { actionText, actionsText, readAction, readActions, type PlacedAction } from "./placed-actions";

describe("placed actions as text", () => {
  it("writes an action after a 1-based step, with its parameters", () => {
    expect(actionText({ at: 199, kind: "send_frame", params: { frame: "icmp_echo" } })).toBe("200:send_frame:frame=icmp_echo");
    expect(actionText({ at: -1, kind: "reset", params: {} })).toBe("0:reset");
  });

  it("round-trips numbers, booleans and text that looks like either, or holds separators", () => {
    const tricky: PlacedAction = { at: 4, kind: "write_desc", params: {
      index: 3, addr: 0x10002000, write: true, name: "12", flag: "true", note: 'a: b "c" d' } };
    expect(readAction(actionText(tricky))).toEqual(tricky);
    const two = [tricky, { at: 9, kind: "needs_reset", params: {} }];
    expect(readActions(actionsText(two))).toEqual(two);
  });

  it("ignores text that is not an action", () => {
    expect(readAction("x:send_frame")).toBeNull();
    expect(readAction("3:")).toBeNull();
    expect(readAction("3:send_frame:frame")).toBeNull();
    expect(readAction('3:k:a="unterminated')).toBeNull();
    expect(readActions("junk 4:reset")).toEqual([{ at: 3, kind: "reset", params: {} }]);
  });
});
