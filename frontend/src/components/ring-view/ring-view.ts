/** A virtqueue as the bytes in guest memory say it is: split or packed, changes highlighted. */
import { LitElement, html } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { Frame, QueueState } from "../../protocol";
import { SparseMemory } from "../../store/memory";
import { slotsTouched, type Focus } from "../../layout/ring-fields";
import { theme } from "../theme";
import { ROW_HEIGHT, ringStyles } from "./ring-styles";
import { renderSplit } from "./split-ring";
import { renderPacked } from "./packed-ring";
import { isTraced, renderTraced } from "./traced-ring";
import { marksIn, playStep, type Marks } from "./ring-motion";

export type { Focus } from "../../layout/ring-fields";

/** Rings longer than this draw only the rows in view (and a margin). */
const ALL_ROWS = 64, MARGIN_ROWS = 12, HEADER_ROWS = 2;

@customElement("vv-rings")
export class RingView extends LitElement {
  static override styles = [theme, ringStyles];

  @property({ attribute: false }) queues: QueueState[] = [];
  @property({ attribute: false }) memory: SparseMemory | null = null;
  @property({ attribute: false }) frame: Frame | undefined;
  @property({ attribute: false }) focused: Focus | null = null;
  @property({ type: Number }) selected = -1;
  /** The queue the story acted on last (a step may name none: the view stays there). */
  @property({ attribute: false }) acting: number | null = null;
  /** How long the step's token travels (ms): ring changes play as it arrives; 0: at once. */
  @property({ type: Number }) motionMs = 0;
  @state() private firstRow = 0;
  @state() private shownRows = 40;

  private marks: Marks | null = null;
  private marksStep = -1;
  private scroller: HTMLElement | null = null;
  private onScroll = () => requestAnimationFrame(() => this.noteScroll());

  private point(focus: Focus | null): void {
    if (!focus) return;
    this.dispatchEvent(new CustomEvent<Focus>("focus-bytes", { detail: focus, bubbles: true, composed: true }));
  }

  /** The queue to show: the reader's pick, else the one the story acts on (this step's,
   * or the last one named before it), else the first. */
  private current(live: QueueState[]): QueueState {
    const picked = live.find((q) => q.index === this.selected);
    if (picked) return picked;
    const acting = this.frame?.event.queue ?? this.acting;
    return live.find((q) => q.index === acting) ?? live[0]!;
  }

  private rows(size: number): [number, number] {
    if (size <= ALL_ROWS) return [0, size];
    const first = Math.max(0, this.firstRow - MARGIN_ROWS);
    return [first, Math.min(size, this.firstRow + this.shownRows + MARGIN_ROWS)];
  }

  override render() {
    const live = this.queues.filter((q) => q.areas.length);
    const memory = this.memory ?? new SparseMemory();
    if (!live.length || (!this.memory && !live.some((q) => isTraced({ queue: q })))) {
      return html`<h2>Virtqueues</h2><p class="muted">No queue is set up yet: the driver allocates the rings during queue setup.</p>`;
    }
    const queue = this.current(live);
    const ctx = { queue, memory, frame: this.frame, focused: this.focused, rows: this.rows(queue.size), point: (f: Focus | null) => this.point(f) };
    return html`<div class="tabs" role="group" aria-label="Queue"><h2>Virtqueues</h2>
        ${live.map((q) => html`<button aria-pressed=${q.index === queue.index} @click=${() => { this.selected = q.index; }}>${q.index}: ${q.name} (${q.format}, ${q.size})</button>`)}
        ${this.selected >= 0 ? html`<button class="muted" title="show the queue each step acts on" @click=${() => { this.selected = -1; }}>follow the story</button>` : ""}
      </div>
      ${isTraced(ctx) ? renderTraced(ctx) : queue.format === "split" ? renderSplit(ctx) : renderPacked(ctx)}`;
  }

  private noteScroll(): void {
    const s = this.scroller;
    if (!s) return;
    this.firstRow = Math.max(0, Math.floor(s.scrollTop / ROW_HEIGHT));
    this.shownRows = Math.ceil(s.clientHeight / ROW_HEIGHT) + 1;
  }

  override updated(changed: Map<string, unknown>): void {
    const scroller = this.renderRoot.querySelector<HTMLElement>(".scroll");
    if (scroller !== this.scroller) {
      this.scroller?.removeEventListener("scroll", this.onScroll);
      scroller?.addEventListener("scroll", this.onScroll, { passive: true });
      this.scroller = scroller;
      if (scroller) this.noteScroll();
    }
    if (!changed.has("frame")) return;
    this.keepInView();
    const step = this.frame?.index ?? -1;
    playStep(this.renderRoot, step === this.marksStep + 1 ? this.marks : null, this.motionMs);
    this.marks = marksIn(this.renderRoot);
    this.marksStep = step;
  }

  /** Scroll the table (only the table) to the first slot this step touches. */
  private keepInView(): void {
    const s = this.scroller, frame = this.frame;
    const live = this.queues.filter((q) => q.areas.length);
    if (!s || !frame || !live.length) return;
    const queue = this.current(live);
    const slot = slotsTouched(queue, [...frame.event.writes, ...frame.event.reads, ...frame.memory.map((r) => [r.addr, r.hex.length / 2] as [number, number])])[0];
    if (slot === undefined) return;
    const top = slot * ROW_HEIGHT, view = s.clientHeight - HEADER_ROWS * ROW_HEIGHT;
    if (top < s.scrollTop || top + ROW_HEIGHT > s.scrollTop + view) s.scrollTop = Math.max(0, top - view / 3);
  }
}

declare global {
  interface HTMLElementTagNameMap { "vv-rings": RingView }
}
