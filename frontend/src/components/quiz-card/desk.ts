/**
 * The quiz panel's logic for the page: which question the card shows, what an answer
 * does, and the presenter's poll keys.
 *
 * A reader standing before a question's step answers it; the page then shows the step
 * and the card says whether the answer was right and why. Quiz mode (`quiz=1`) moves
 * from question to question (→ goes to the next one; a question must be answered before
 * its step is shown) and keeps the score in localStorage. In a room the card is the poll
 * (store.poll): the presenter asks the question of the coming step with O and reveals it
 * with V; a follower answers once.
 */
import { html } from "lit";
import type { Poll, Question, TraceHeader } from "../../protocol";
import type { TimelineStore } from "../../store/store";
import { LiveSource, type Source } from "../../store/sources";
import { Score, browserStorage, isRight, nextStop, questionAt, type Given, type Result } from "../../store/quiz";
import type { Asked, Outcome, PollView, QuizMode } from "./quiz-card";
import "./quiz-card";

export interface DeskHost {
  store: TimelineStore;
  source(): Source | null;
  seek(step: number): void;
  changed(): void;
  /** open the quiz panel and bring it into view */
  showQuiz(): void;
}

export class QuizDesk {
  private score: Score | null = null;
  /** the question answered last: its card stays while the page shows its step */
  private answered: Question | null = null;
  /** a follower's answers to the room's polls, by question id */
  private mine = new Map<string, Given>();
  private shownPoll: string | null = null;

  constructor(private host: DeskHost, readonly quizMode: boolean) {}

  private get store(): TimelineStore { return this.host.store; }

  private scoreFor(header: TraceHeader): Score {
    const key = Score.keyFor(header);
    if (this.score?.key !== key) this.score = new Score(this.quizMode ? browserStorage() : null, key);
    return this.score;
  }

  get offered(): boolean { return !!this.store.header?.questions?.length || this.store.role !== "solo"; }

  /** The question the card is about at the current step (the reader's, not a poll). */
  private question(): Question | null {
    const s = this.store;
    if (this.answered && this.answered.step === s.step) return this.answered;
    return questionAt(s.header, s.step);
  }

  /** → in quiz mode: not past an unanswered question; else on to the next question. */
  stepTarget(): number | null {
    if (!this.quizMode || !this.store.header) return null;
    const q = this.question(), score = this.scoreFor(this.store.header);
    if (q && q.step === this.store.step + 1 && !score.result(q)) return this.store.step; // answer first
    return nextStop(this.store.header, this.store.step) ?? null;
  }

  /** Quiz mode starts at the first question, unless the page was opened further on. */
  start(opened: number): void {
    const first = this.quizMode && opened === 0 ? nextStop(this.store.header, -1) : null;
    if (first !== null) this.host.seek(first);
  }

  answer(given: Given): void {
    const s = this.store;
    if (s.role === "follower") { this.answerPoll(given); return; }
    const q = this.question();
    if (!q || !s.header || q.step !== s.step + 1 || this.scoreFor(s.header).result(q) && this.quizMode) return;
    this.scoreFor(s.header).answer(q, given);
    this.answered = q;
    this.host.seek(q.step); // the step the question was about
    this.host.changed();
  }

  /** A click on a box of the diagram answers a question that asks for one. */
  click(e: Event): void {
    const target = e.composedPath().find((t): t is Element => t instanceof Element && t.hasAttribute("data-box"));
    const box = target?.getAttribute("data-box"), poll = this.store.poll;
    if (!box) return;
    const asked = this.store.role === "follower" ? poll?.state === "open" ? poll : null : this.question();
    if (asked?.answer_type === "box" && asked.choices.includes(box)) this.answer(box);
  }

  private answerPoll(given: Given): void {
    const poll = this.store.poll, source = this.host.source();
    if (!poll || poll.state !== "open" || poll.answered || !(source instanceof LiveSource)) return;
    this.mine.set(poll.question, given);
    source.poll({ type: "poll_answer", question: poll.question, answer: given as never });
  }

  /** A follower's page shows the quiz panel when the presenter asks the room (once a question). */
  storeChanged(): void {
    const poll = this.store.poll;
    if (!poll || poll.state !== "open" || this.shownPoll === poll.question || this.store.role !== "follower") return;
    this.shownPoll = poll.question;
    this.host.showQuiz();
  }

  next(): void {
    const s = this.store, q = questionAt(s.header, s.step);
    if (this.answered && q && q !== this.answered) { this.answered = null; this.host.changed(); return; }
    this.answered = null;
    const stop = nextStop(s.header, s.step);
    if (stop !== null) this.host.seek(stop);
  }

  reset(): void { this.score?.reset(); this.answered = null; this.host.changed(); }

  /** The presenter's keys: O asks the room the coming step's question, V reveals. */
  key(e: KeyboardEvent): boolean {
    if (this.store.role !== "presenter" || e.ctrlKey || e.metaKey || e.altKey) return false;
    if (e.key === "o" || e.key === "O") { this.ask(); return true; }
    if (e.key === "v" || e.key === "V") { this.reveal(); return true; }
    return false;
  }

  private ask(): void {
    const q = questionAt(this.store.header, this.store.step), source = this.host.source();
    if (q && source instanceof LiveSource) source.poll({ type: "poll_open", question: q.id });
  }

  private reveal(): void {
    const source = this.host.source();
    if (this.store.poll?.state === "open" && source instanceof LiveSource) source.poll({ type: "poll_reveal" });
  }

  /** The card, for the quiz panel. */
  render() {
    const s = this.store, header = s.header;
    if (!header) return html``;
    const labels = new Map(header.topology.boxes.map((b) => [b.id, b.label]));
    const label = (box: string) => labels.get(box) ?? box;
    if (s.role !== "solo") return this.renderPoll(label);
    const q = this.question(), score = this.scoreFor(header);
    const result: Result | null = q ? score.result(q) : null;
    const shown = result && (this.answered === q || this.quizMode) ? result : null;
    const mode: QuizMode = this.quizMode ? "quiz" : "reader";
    return html`<vv-quiz .question=${q} mode=${mode} .result=${shown} .label=${label}
      .outcome=${shown && q ? { answer: q.answer, explanation: q.explanation } : null}
      .score=${this.quizMode ? score.tally(header.questions ?? []) : null} ?more=${nextStop(header, s.step) !== null}
      @quiz-answer=${(e: CustomEvent<Given>) => this.answer(e.detail)} @quiz-next=${() => this.next()}
      @quiz-reset=${() => this.reset()}></vv-quiz>`;
  }

  private renderPoll(label: (box: string) => string) {
    const s = this.store, poll = s.poll, presenter = s.role === "presenter";
    const current = poll && (poll.state === "open" || poll.step === s.step) ? poll : null;
    const asked: Asked | null = current ? { ...current, id: current.question } : presenter ? questionAt(s.header, s.step) : null;
    const view: PollView | null = current ? { state: current.state, tally: current.tally ?? null, total: current.total ?? null, answered: current.answered ?? false } : null;
    const outcome: Outcome | null = current?.state === "revealed" ? { answer: current.answer!, explanation: current.explanation ?? null } : null;
    const given = current ? this.mine.get(current.question) : undefined;
    const result = outcome && given !== undefined ? { given, right: isRight(pollQuestion(current!), given) } : null;
    if (view && given !== undefined) view.answered = true;
    return html`<vv-quiz .question=${asked} mode=${presenter ? "presenter" : "follower"} .poll=${view} .outcome=${outcome}
      .result=${result} .label=${label} ?canAsk=${presenter && !!asked && current?.state !== "open" && !current}
      @quiz-answer=${(e: CustomEvent<Given>) => this.answer(e.detail)}
      @poll-open=${() => this.ask()} @poll-reveal=${() => this.reveal()}></vv-quiz>`;
  }
}

/** A revealed poll as a question, to check a follower's answer against it. */
function pollQuestion(poll: Poll): Question {
  return { id: poll.question, step: poll.step, kind: "", prompt: poll.prompt, answer_type: poll.answer_type,
    choices: poll.choices, answer: poll.answer ?? "", explanation: poll.explanation ?? "", spec: poll.spec, source: "story" };
}
