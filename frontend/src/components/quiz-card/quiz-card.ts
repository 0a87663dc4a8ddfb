/**
 * <vv-quiz>: one question before its step. The reader answers (a number, one choice,
 * several, or a box: a click on the diagram or a button here), then sees whether it was
 * right, why, and the spec section. In a room the same card is the poll: a follower
 * answers once and waits for the reveal; the presenter sees the tally grow, counts only.
 * Everything works from the keyboard: choices are buttons, the number a labelled field.
 */
import { LitElement, css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { Question } from "../../protocol";
import type { Given } from "../../store/quiz";
import { SPEC_URL } from "../narration-panel/narration-panel";
import { theme } from "../theme";
import { bars, parseNumber } from "./bars";

export type QuizMode = "reader" | "quiz" | "follower" | "presenter";
/** What the card shows of a question: a follower does not get the answer before the reveal. */
export type Asked = Pick<Question, "id" | "step" | "prompt" | "answer_type" | "choices" | "spec">;
export interface Outcome { answer: Question["answer"]; explanation: string | null }
export interface PollView { state: "open" | "revealed"; tally: Record<string, number> | null; total: number | null; answered: boolean }

@customElement("vv-quiz")
export class QuizCard extends LitElement {
  static override styles = [theme, css`
    :host { display: block; }
    .prompt { font-size: 1.05em; margin: 4px 0 10px; line-height: 1.4; }
    .meta { display: flex; gap: 8px; justify-content: space-between; flex-wrap: wrap; font-size: 0.85em; }
    .options { display: flex; flex-wrap: wrap; gap: 6px; margin: 0; padding: 0; border: 0; }
    .options button[aria-pressed="true"] { border-color: var(--vv-accent); background: var(--vv-focus); }
    label.check { display: flex; gap: 6px; align-items: center; width: 100%; }
    form { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
    input[type="text"] { width: 8em; background: var(--vv-panel-2); border: 1px solid var(--vv-line); border-radius: 6px; padding: 4px 6px; }
    .verdict { font-weight: 600; margin: 10px 0 4px; }
    .right { color: var(--vv-active); }
    .wrong { color: var(--vv-violation); }
    .why { line-height: 1.4; margin: 4px 0; }
    a { color: var(--vv-accent); }
    .row { display: flex; gap: 8px; margin-top: 8px; flex-wrap: wrap; align-items: center; }
    ul.tally { list-style: none; padding: 0; margin: 8px 0; display: grid; gap: 4px; }
    ul.tally li { display: grid; grid-template-columns: minmax(0, 12em) 1fr 3ch; gap: 8px; align-items: center; font-size: 0.9em; }
    .bar { height: 14px; background: var(--vv-data); border-radius: 3px; min-width: 2px; }
    li.is-right .bar { background: var(--vv-active); }
    .name { overflow-wrap: anywhere; }
    .count { text-align: right; font-family: var(--vv-mono); }
    .error { color: var(--vv-violation); font-size: 0.9em; }
  `];

  @property({ attribute: false }) question: Asked | null = null;
  @property() mode: QuizMode = "reader";
  /** the reader's own answer and whether it was right */
  @property({ attribute: false }) result: { given: Given; right: boolean } | null = null;
  /** the answer and why, once the card may show them */
  @property({ attribute: false }) outcome: Outcome | null = null;
  @property({ attribute: false }) poll: PollView | null = null;
  @property({ attribute: false }) score: { right: number; answered: number; total: number } | null = null;
  /** a box's label, for box questions */
  @property({ attribute: false }) label: (box: string) => string = (b) => b;
  /** the presenter stands before a question the room is not asked yet */
  @property({ type: Boolean }) canAsk = false;
  @property({ type: Boolean }) more = false;
  @state() private picked: string[] = [];
  @state() private problem: string | null = null;

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has("question") && (changed.get("question") as Asked | null)?.id !== this.question?.id) {
      this.picked = []; this.problem = null;
    }
  }

  private emit(name: string, detail?: unknown): void {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  private give(given: Given): void { this.problem = null; this.emit("quiz-answer", given); }

  private get answering(): boolean {
    if (this.mode === "presenter") return false;
    if (this.mode === "follower") return this.poll?.state === "open" && !this.poll.answered;
    return this.result === null;
  }

  override render() {
    const q = this.question;
    if (!q) return this.empty();
    return html`<section aria-label="question" aria-live="polite">
      <div class="meta muted"><span>${this.mode === "follower" || this.mode === "presenter" ? "Poll: predict the next step" : "Predict the next step"}</span>
        ${this.score ? html`<span class="score" aria-label="score">${this.score.right} right of ${this.score.answered} answered · ${this.score.total} questions</span>` : nothing}</div>
      <p class="prompt" id="prompt">${q.prompt}</p>
      ${this.answering ? this.inputs(q) : nothing}
      ${this.mode === "follower" && this.poll?.answered && this.poll.state === "open" ? html`<p class="muted" role="status">Your answer is in. Wait for the reveal.</p>` : nothing}
      ${this.problem ? html`<p class="error" role="alert">${this.problem}</p>` : nothing}
      ${this.result ? html`<p class="verdict ${this.result.right ? "right" : "wrong"}" role="status">${this.result.right ? "Right!" : "Not quite."}
        <span class="muted given">You said ${this.said(q, this.result.given)}.</span></p>` : nothing}
      ${this.poll?.tally ? this.histogram(q) : nothing}
      ${this.outcome ? this.why(q, this.outcome) : nothing}
      ${this.actions()}
    </section>`;
  }

  private empty() {
    const text = this.mode === "follower" ? "When the presenter asks the room a question, it appears here."
      : this.more ? "No question about the coming step. Move on to the next question." : "No question about the coming step.";
    return html`<p class="muted">${text}</p>${this.score ? html`<p class="score" aria-label="score">${this.score.right} right of ${this.score.answered} answered · ${this.score.total} questions</p>` : nothing}
      ${this.actions()}`;
  }

  private inputs(q: Asked) {
    switch (q.answer_type) {
      case "number":
        return html`<form @submit=${(e: Event) => { e.preventDefault(); this.submitNumber(); }}>
          <label for="number">Your answer</label><input id="number" type="text" inputmode="numeric" autocomplete="off" aria-describedby="prompt">
          <button type="submit">answer</button></form>`;
      case "choice":
        return html`<div class="options" role="group" aria-labelledby="prompt">${q.choices.map((c) => html`<button @click=${() => this.give(c)}>${c}</button>`)}</div>`;
      case "box":
        return html`<p class="muted">Click the box on the diagram, or pick it here:</p>
          <div class="options" role="group" aria-labelledby="prompt">${q.choices.map((b) => html`<button data-choice=${b} @click=${() => this.give(b)}>${this.label(b)}</button>`)}</div>`;
      case "choices":
        return html`<fieldset class="options" aria-labelledby="prompt">${q.choices.map((c) => html`<label class="check">
            <input type="checkbox" .checked=${this.picked.includes(c)} @change=${(e: Event) => this.pick(c, (e.target as HTMLInputElement).checked)}>${c}</label>`)}
          <button @click=${() => this.give(q.choices.filter((c) => this.picked.includes(c)))}>answer</button></fieldset>`;
    }
  }

  private said(q: Asked, given: Given): string {
    if (Array.isArray(given)) return given.length ? given.join(", ") : "none of them";
    return q.answer_type === "box" ? this.label(String(given)) : String(given);
  }

  private pick(choice: string, on: boolean): void {
    this.picked = on ? [...this.picked, choice] : this.picked.filter((c) => c !== choice);
  }

  private submitNumber(): void {
    const field = this.renderRoot.querySelector<HTMLInputElement>("#number");
    const value = parseNumber(field?.value ?? "");
    if (value === null) { this.problem = "Type a whole number (decimal, or hex with 0x)."; return; }
    this.give(value);
  }

  private histogram(q: Asked) {
    const tally = this.poll?.tally ?? {};
    const shown = bars(q, tally, this.outcome?.answer ?? null, (k) => q.answer_type === "box" ? this.label(k) : k);
    const most = Math.max(1, ...shown.map((b) => b.count));
    return html`<ul class="tally" aria-label="answers so far: ${this.poll?.total ?? 0}">${shown.map((b) => html`<li class=${b.right ? "is-right" : ""}
        aria-label="${b.label}: ${b.count}${b.right ? " (right)" : ""}"><span class="name">${b.label}${b.right ? " ✓" : ""}</span>
        <span class="bar" style="width: ${(100 * b.count) / most}%"></span><span class="count">${b.count}</span></li>`)}</ul>
      <p class="muted total">${this.poll?.total ?? 0} answer${this.poll?.total === 1 ? "" : "s"}</p>`;
  }

  private why(q: Asked, outcome: Outcome) {
    const answer = q.answer_type === "box" && Array.isArray(outcome.answer) ? outcome.answer.map(this.label).join(" or ")
      : Array.isArray(outcome.answer) ? outcome.answer.join(", ") || "none of them" : String(outcome.answer);
    return html`<p class="why"><b>Answer:</b> <span class="answer">${answer}</span></p>
      ${outcome.explanation ? html`<p class="why explanation">${outcome.explanation}</p>` : nothing}
      <p><a href=${SPEC_URL} target="_blank" rel="noopener" title="Open the virtio 1.2 specification">virtio-1.2 ${q.spec}</a></p>`;
  }

  private actions() {
    const buttons = [];
    if (this.mode === "presenter" && this.canAsk) buttons.push(html`<button @click=${() => this.emit("poll-open")} aria-keyshortcuts="o">ask the room (O)</button>`);
    if (this.mode === "presenter" && this.poll?.state === "open") buttons.push(html`<button @click=${() => this.emit("poll-reveal")} aria-keyshortcuts="v">reveal (V)</button>`);
    if (this.mode === "quiz" && this.more) buttons.push(html`<button class="next" @click=${() => this.emit("quiz-next")}>${this.result ? "next question →" : "skip →"}</button>`);
    if (this.mode === "quiz" && this.score?.answered) buttons.push(html`<button class="reset" @click=${() => this.emit("quiz-reset")}>start the score again</button>`);
    return buttons.length ? html`<div class="row">${buttons}</div>` : nothing;
  }
}

declare global {
  interface HTMLElementTagNameMap { "vv-quiz": QuizCard }
}
