import { describe, expect, it, vi } from "vitest";
import type { Poll, Question, TraceHeader } from "../../protocol";
import { TimelineStore } from "../../store/store";
import { LiveSource } from "../../store/sources";
import { QuizDesk, type DeskHost } from "./desk";

vi.mock("./quiz-card", () => ({})); // the view needs a DOM; the desk's logic does not

const base = { kind: "k", prompt: "p", explanation: "why", spec: "§3.1.1", source: "story" as const };
const first: Question = { ...base, id: "status_bit@5", step: 5, answer_type: "choice", choices: ["A", "B"], answer: "B" };
const second: Question = { ...base, id: "avail_idx@9", step: 9, answer_type: "number", choices: [], answer: 1 };

/** A key press as the desk reads it (node has no KeyboardEvent). */
const press = (key: string) => ({ key, ctrlKey: false, metaKey: false, altKey: false }) as KeyboardEvent;

function desk(quizMode: boolean, role: TimelineStore["role"] = "solo") {
  const store = new TimelineStore();
  store.reset({ step_count: 20, chapters: [], questions: [first, second],
    scenario: { id: "s", options: {}, actions: [] }, topology: { boxes: [] } } as unknown as TraceHeader);
  store.role = role;
  const source = new LiveSource(store, "ws://unused", {});
  const sent = vi.spyOn(source, "poll").mockImplementation(() => undefined);
  const host: DeskHost = { store, source: () => source, seek: (n) => { store.step = n; }, changed: () => undefined, showQuiz: vi.fn() };
  return { store, host, sent, desk: new QuizDesk(host, quizMode) };
}

describe("quiz mode", () => {
  it("starts at the first question, holds → until it is answered, then goes on", () => {
    const { store, desk: d } = desk(true);
    d.start(0);
    expect(store.step).toBe(4);
    expect(d.stepTarget()).toBe(4); // not past the question
    d.answer("A"); // wrong, but answered: the step is shown
    expect(store.step).toBe(5);
    expect(d.stepTarget()).toBe(8);
    d.next();
    expect(store.step).toBe(8);
    d.answer(1);
    expect(d.stepTarget()).toBeNull(); // no question left: → steps as usual
  });
  it("leaves a page opened further on where it is, and the reader's → alone", () => {
    const { store, desk: d } = desk(true);
    store.step = 7;
    d.start(7);
    expect(store.step).toBe(7);
    expect(desk(false).desk.stepTarget()).toBeNull();
  });
});

describe("polls", () => {
  it("gives the presenter O to ask the coming step's question and V to reveal", () => {
    const { store, desk: d, sent } = desk(false, "presenter");
    store.step = 4;
    expect(d.key(press("o"))).toBe(true);
    expect(sent).toHaveBeenLastCalledWith({ type: "poll_open", question: first.id });
    d.key(press("v")); // nothing open yet: nothing sent
    expect(sent).toHaveBeenCalledTimes(1);
    store.poll = { state: "open", question: first.id, step: 5, prompt: "p", answer_type: "choice", choices: ["A", "B"],
      tally: {}, total: 0, answer: "B", explanation: null, spec: "§3.1.1" } as Poll;
    d.key(press("V"));
    expect(sent).toHaveBeenLastCalledWith({ type: "poll_reveal" });
  });
  it("lets a follower answer an open poll once, and not steer", () => {
    const { store, desk: d, sent, host } = desk(false, "follower");
    expect(d.key(press("o"))).toBe(false);
    store.poll = { state: "open", question: first.id, step: 5, prompt: "p", answer_type: "choice", choices: ["A", "B"],
      tally: null, total: null, answer: null, explanation: null, spec: "§3.1.1" } as Poll;
    d.storeChanged();
    d.storeChanged();
    expect(host.showQuiz).toHaveBeenCalledTimes(1); // the panel opens once per question
    d.answer("A");
    expect(sent).toHaveBeenLastCalledWith({ type: "poll_answer", question: first.id, answer: "A" });
  });
});
