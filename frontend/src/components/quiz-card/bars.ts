/** The bars of a poll's histogram, and a number typed by the reader: pure functions. */
import type { Question } from "../../protocol";

export interface Bar { key: string; label: string; count: number; right: boolean }

/**
 * One bar per answer given, in the question's order (each choice gets a bar, at 0 when
 * nobody picked it; numbers go smallest first). `right` marks the right answer's bar once
 * it is known. The server keys a set of choices as "a + b" in the question's order.
 */
export function bars(q: Pick<Question, "answer_type" | "choices">, tally: Record<string, number>,
  answer: Question["answer"] | null, label: (key: string) => string = (k) => k): Bar[] {
  const keys = q.answer_type === "choice" || q.answer_type === "box" ? [...q.choices] : [];
  const extra = Object.keys(tally).filter((k) => !keys.includes(k));
  extra.sort((a, b) => q.answer_type === "number" ? Number(a) - Number(b) : a.localeCompare(b));
  const rightKey = answer === null ? null : keyOf(q, answer);
  return [...keys, ...extra].map((key) => ({
    key, label: label(key), count: tally[key] ?? 0,
    right: q.answer_type === "box" && Array.isArray(answer) ? answer.includes(key) : key === rightKey,
  }));
}

/** The bar an answer is counted on (the server's api/polls.py tally_key). */
export function keyOf(q: Pick<Question, "answer_type" | "choices">, given: Question["answer"]): string {
  if (q.answer_type === "choices" && Array.isArray(given)) return q.choices.filter((c) => given.includes(c)).join(" + ") || "(none)";
  return Array.isArray(given) ? given.join(" + ") : String(given);
}

/** A typed number: decimal or 0x hex, a whole number, or null. */
export function parseNumber(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (!/^(-?\d+|0x[0-9a-f]+)$/.test(t)) return null;
  const value = t.startsWith("0x") ? parseInt(t.slice(2), 16) : parseInt(t, 10);
  return Number.isSafeInteger(value) ? value : null;
}
