import { describe, expect, it } from "vitest";
import type { Question, TraceHeader } from "../protocol";
import { Score, answerText, isRight, nextStop, questionAt } from "./quiz";

const base = { kind: "k", prompt: "p", explanation: "why", spec: "§2.7.13", source: "story" as const, choices: [] as string[] };
const number: Question = { ...base, id: "avail_idx@10", step: 10, answer_type: "number", answer: 3 };
const choice: Question = { ...base, id: "status_bit@4", step: 4, answer_type: "choice", choices: ["ACKNOWLEDGE", "DRIVER"], answer: "DRIVER" };
const choices: Question = { ...base, id: "negotiated@7", step: 7, answer_type: "choices", choices: ["A", "B", "C"], answer: ["A", "C"] };
const box: Question = { ...base, id: "kick_lands@20", step: 20, answer_type: "box", choices: ["kvm", "qemu", "vhost"], answer: ["vhost", "qemu"] };
const header = { scenario: { id: "s", options: { ring: "split" }, actions: [] }, questions: [choice, choices, number, box] } as unknown as TraceHeader;

class Memory { items = new Map<string, string>(); getItem(k: string) { return this.items.get(k) ?? null; } setItem(k: string, v: string) { this.items.set(k, v); } }

describe("answers", () => {
  it("checks each answer type as the server does (quiz/question.py)", () => {
    expect(isRight(number, 3)).toBe(true);
    expect(isRight(number, 4)).toBe(false);
    expect(isRight(number, "3")).toBe(false);
    expect(isRight(choice, "DRIVER")).toBe(true);
    expect(isRight(choice, "ACKNOWLEDGE")).toBe(false);
    expect(isRight(choices, ["C", "A"])).toBe(true); // order free
    expect(isRight(choices, ["A"])).toBe(false);
    expect(isRight(choices, ["A", "C", "B"])).toBe(false);
    expect(isRight(box, "qemu")).toBe(true); // any box of the answer
    expect(isRight(box, "kvm")).toBe(false);
  });
  it("says the answer in words", () => {
    expect(answerText(box, (b) => b.toUpperCase())).toBe("VHOST or QEMU");
    expect(answerText({ ...choices, answer: [] })).toBe("none of them");
    expect(answerText(number)).toBe("3");
  });
});

describe("where questions stand", () => {
  it("asks a question one step before the step it is about", () => {
    expect(questionAt(header, 3)).toBe(choice);
    expect(questionAt(header, 4)).toBeNull();
    expect(questionAt(null, 3)).toBeNull();
  });
  it("moves quiz mode from question to question", () => {
    expect(nextStop(header, -1)).toBe(3);
    expect(nextStop(header, 3)).toBe(6);
    expect(nextStop(header, 9)).toBe(19);
    expect(nextStop(header, 19)).toBeNull();
  });
});

describe("the score", () => {
  it("keeps first answers across a reload, per scenario and options", () => {
    const storage = new Memory(), key = Score.keyFor(header);
    const score = new Score(storage, key);
    expect(score.answer(choice, "ACKNOWLEDGE").right).toBe(false);
    expect(score.answer(choice, "DRIVER").right).toBe(true); // told, but the score keeps the first
    score.answer(number, 3);
    const again = new Score(storage, key);
    expect(again.tally(header.questions!)).toEqual({ right: 1, answered: 2, total: 4 });
    expect(again.result(choice)).toEqual({ given: "ACKNOWLEDGE", right: false });
    const packed = { ...header, scenario: { ...header.scenario, options: { ring: "packed" } } } as TraceHeader;
    expect(Score.keyFor(packed)).not.toBe(key);
    again.reset();
    expect(new Score(storage, key).tally(header.questions!).answered).toBe(0);
  });
  it("starts again from a damaged entry, and works with no storage", () => {
    const storage = new Memory();
    storage.setItem("k", "{not json");
    expect(new Score(storage, "k").tally([choice]).answered).toBe(0);
    const none = new Score(null, "k");
    none.answer(choice, "DRIVER");
    expect(none.tally([choice])).toEqual({ right: 1, answered: 1, total: 1 });
  });
});
