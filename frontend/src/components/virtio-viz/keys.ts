/** The page's keyboard: which key does what, and the help dialog that lists it. */
import { html } from "lit";
import type { Command } from "../timeline-bar/timeline-bar";
import type { TimelineStore } from "../../store/store";

export type KeyAction = Command | "help" | "blank" | "close";

const KEYS: Record<string, KeyAction> = {
  ArrowRight: "step", PageDown: "step", ArrowLeft: "back", PageUp: "back",
  Home: "first", End: "last", "]": "next-chapter", "[": "prev-chapter", " ": "play",
  "?": "help", b: "blank", B: "blank", Escape: "close",
};

/** Is the reader typing into a field (then letters and arrows are the field's)? */
export function isTyping(e: KeyboardEvent): boolean {
  const target = e.composedPath()[0] as HTMLElement | undefined;
  return !!target && ["INPUT", "SELECT", "TEXTAREA"].includes(target.tagName);
}

/** What a key press asks for, or null when it belongs to a control that has the focus. */
export function keyAction(e: KeyboardEvent): KeyAction | null {
  const target = e.composedPath()[0] as HTMLElement | undefined;
  if (isTyping(e) && e.key !== "Escape") return null;
  // Space and Enter on a focused button or link belong to that control.
  if (target && ["BUTTON", "A", "SUMMARY"].includes(target.tagName) && (e.key === " " || e.key === "Enter")) return null;
  return KEYS[e.key] ?? null;
}

export function helpDialog(close: () => void, panels: { key: string; title: string }[] = []) {
  const keys: [string, string][] = [["→ or PageDown", "next step"], ["← or PageUp", "previous step"], ["space", "play or pause"],
    ["[ and ]", "previous and next chapter"], ["Home / End", "first and last step"],
    ["↑ / ↓", "next or previous descriptor, in the descriptor table"],
    ...panels.map((p): [string, string] => [p.key.toUpperCase(), `open or close the ${p.title} panel`]),
    ["B", "blank the screen"], ["?", "this help"], ["Esc", "close"]];
  return html`<div class="scrim" @click=${close}></div>
    <div class="help panel" role="dialog" aria-modal="true" aria-label="keyboard help">
    <h2>Keyboard</h2><dl>${keys.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>
    <p class="muted">Point at a descriptor, a ring entry or a byte: the ring view and the hex view outline the same bytes. Click a descriptor's address to see its buffer.</p>
    <p class="muted">Every view is a permalink: the address bar keeps the scenario, its options and the step. For a lecture hall, add <code>&amp;theme=projector</code> to the address: large type on black.</p>
    <button @click=${close}>close</button></div>`;
}

/** Where a move takes the reader from the store's step (chapter keys go to a chapter's start). */
export function stepFor(s: TimelineStore, command: Exclude<Command, "play">): number {
  const chapters = s.header?.chapters ?? [], here = s.chapterAt(), c = chapters[here];
  switch (command) {
    case "first": return 0;
    case "last": return s.length - 1;
    case "back": return s.step - 1;
    case "step": return s.step + 1;
    case "prev-chapter": return c && s.step > c.first_step ? c.first_step : chapters[Math.max(0, here - 1)]?.first_step ?? 0;
    case "next-chapter": return chapters[here + 1]?.first_step ?? s.length - 1;
  }
}
