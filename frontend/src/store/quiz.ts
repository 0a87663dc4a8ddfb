/**
 * The reader's side of the questions: which question stands before the coming step,
 * whether an answer is right, and the score, kept in the browser.
 *
 * How this works: the questions and their answers come in the timeline's header (the
 * model computed them: a trace file or an exported page carries them too, so no server
 * is needed to check an answer). A question about step k is asked while the reader
 * stands at step k - 1. The score is the reader's first answer to each question, in
 * localStorage under the scenario and its options: reloading the page keeps it, and
 * there is no account.
 */
import type { Question, TraceHeader } from "../protocol";

export type Given = number | string | string[];

/** A question's answer as the reader sees it (a box's label, not its id). */
export function answerText(q: Question, label: (box: string) => string = (b) => b): string {
  if (q.answer_type === "box") return (q.answer as string[]).map(label).join(" or ");
  if (Array.isArray(q.answer)) return q.answer.length ? q.answer.join(", ") : "none of them";
  return String(q.answer);
}

/** Is `given` a right answer to `q`? (the server's quiz/question.py decides the same way) */
export function isRight(q: Question, given: Given): boolean {
  switch (q.answer_type) {
    case "number": return typeof given === "number" && Number.isInteger(given) && given === q.answer;
    case "choice": return given === q.answer;
    case "choices": {
      if (!Array.isArray(given) || !Array.isArray(q.answer)) return false;
      const want = new Set(q.answer), got = new Set(given);
      return want.size === got.size && [...want].every((c) => got.has(c));
    }
    case "box": return typeof given === "string" && Array.isArray(q.answer) && q.answer.includes(given);
  }
}

/** The question asked at `step` (about step + 1), if any. */
export function questionAt(header: TraceHeader | null, step: number): Question | null {
  return header?.questions?.find((q) => q.step === step + 1) ?? null;
}

/** Where quiz mode goes from `step`: the step before the next question (null: none left). */
export function nextStop(header: TraceHeader | null, step: number): number | null {
  const next = header?.questions?.find((q) => q.step - 1 > step);
  return next ? next.step - 1 : null;
}

export interface Result { given: Given; right: boolean }

/** A scenario's questions answered so far, first answers only, kept in `storage`. */
export class Score {
  private results: Record<string, Result>;

  constructor(private storage: Pick<Storage, "getItem" | "setItem"> | null, readonly key: string) {
    this.results = Score.read(storage, key);
  }

  static keyFor(header: TraceHeader): string {
    const s = header.scenario;
    return `virtio-viz-quiz:${s.id}:${JSON.stringify(s.options)}:${JSON.stringify(s.actions)}`;
  }

  private static read(storage: Pick<Storage, "getItem"> | null, key: string): Record<string, Result> {
    try {
      const saved = JSON.parse(storage?.getItem(key) ?? "{}") as unknown;
      return saved && typeof saved === "object" && !Array.isArray(saved) ? saved as Record<string, Result> : {};
    } catch {
      return {}; // a damaged entry starts the score again
    }
  }

  /** Record the first answer to `q` (a later one does not change the score). */
  answer(q: Question, given: Given): Result {
    const result = { given, right: isRight(q, given) };
    if (!(q.id in this.results)) {
      this.results[q.id] = result;
      try { this.storage?.setItem(this.key, JSON.stringify(this.results)); } catch { /* full or private: keep it in memory */ }
    }
    return result;
  }

  result(q: Question): Result | null { return this.results[q.id] ?? null; }

  /** Right answers, answers given, and questions in all. */
  tally(questions: Question[]): { right: number; answered: number; total: number } {
    const mine = questions.map((q) => this.results[q.id]).filter((r): r is Result => !!r);
    return { right: mine.filter((r) => r.right).length, answered: mine.length, total: questions.length };
  }

  reset(): void {
    this.results = {};
    try { this.storage?.setItem(this.key, "{}"); } catch { /* as above */ }
  }
}

/** The browser's localStorage, or null where there is none (a sandboxed frame). */
export function browserStorage(): Storage | null {
  try { return window.localStorage; } catch { return null; }
}
