/** A virtqueue as the bytes in guest memory say it is: split or packed, changes highlighted. */
import { LitElement, html } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { Frame, QueueState } from "../../protocol";
import { SparseMemory } from "../../store/memory";
import type { Focus } from "../../layout/ring-fields";
import { theme } from "../theme";
import { ringStyles } from "./ring-styles";
import { renderSplit } from "./split-ring";
import { renderPacked } from "./packed-ring";
import { isTraced, renderTraced } from "./traced-ring";

export type { Focus } from "../../layout/ring-fields";

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

  override render() {
    const live = this.queues.filter((q) => q.areas.length);
    const memory = this.memory ?? new SparseMemory();
    if (!live.length || (!this.memory && !live.some((q) => isTraced({ queue: q })))) {
      return html`<h2>Virtqueues</h2><p class="muted">No queue is set up yet: the driver allocates the rings during queue setup.</p>`;
    }
    const queue = this.current(live);
    const ctx = { queue, memory, frame: this.frame, focused: this.focused, point: (f: Focus | null) => this.point(f) };
    return html`<h2>Virtqueues</h2>
      <div class="tabs" role="group" aria-label="Queue">
        ${live.map((q) => html`<button aria-pressed=${q.index === queue.index} @click=${() => { this.selected = q.index; }}>${q.index}: ${q.name} (${q.format}, ${q.size})</button>`)}
        ${this.selected >= 0 ? html`<button class="muted" title="show the queue each step acts on" @click=${() => { this.selected = -1; }}>follow the story</button>` : ""}
      </div>
      ${isTraced(ctx) ? renderTraced(ctx) : queue.format === "split" ? renderSplit(ctx) : renderPacked(ctx)}`;
  }
}
