/** Controls and the scrubber: play, step, chapter jumps, speed; chapter marks on the track. */
import { LitElement, css, html } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { Chapter } from "../../protocol";
import { theme } from "../theme";

export type Command = "first" | "prev-chapter" | "back" | "play" | "step" | "next-chapter" | "last";

@customElement("vv-timeline")
export class TimelineBar extends LitElement {
  static override styles = [theme, css`
    :host { display: block; }
    .controls { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; }
    .track { position: relative; flex: 1; min-width: 160px; height: 34px; }
    input[type="range"] { width: 100%; margin: 0; position: absolute; top: 8px; accent-color: var(--vv-accent); }
    .mark { position: absolute; top: -2px; width: 10px; height: 12px; margin-left: -5px; padding: 0; border: 0; border-radius: 0; background: transparent; cursor: pointer; z-index: 1; }
    .mark::before { content: ""; position: absolute; left: 4px; top: 2px; width: 2px; height: 8px; background: var(--vv-muted); }
    .mark.here::before { background: var(--vv-accent); width: 3px; }
    .mark.violation { top: 22px; }
    .mark.violation::before { background: var(--vv-violation); width: 3px; height: 10px; }
    .mark:hover::after, .mark:focus-visible::after { content: attr(data-title); position: absolute; bottom: 14px; left: 0; white-space: nowrap; font-size: 0.75em; color: var(--vv-text); background: var(--vv-panel-2); border: 1px solid var(--vv-line); padding: 1px 6px; border-radius: 4px; pointer-events: none; }
    .count { font-family: var(--vv-mono); font-size: 0.85em; min-width: 8em; text-align: right; }
    button.primary { min-width: 4.5em; border-color: var(--vv-accent); }
    @media (max-width: 600px) {
      .controls { gap: 4px; }
      button { padding: 3px 8px; }
      select { display: none; }
      .track { flex-basis: 100%; order: 2; height: 26px; }
      .count { min-width: 0; margin-left: auto; }
    }
  `];

  @property({ type: Number }) step = 0;
  @property({ type: Number }) total = 0;
  @property({ type: Boolean }) playing = false;
  @property({ type: Number }) speed = 4;
  @property({ attribute: false }) chapters: Chapter[] = [];
  @property({ attribute: false }) violations: number[] = [];
  @property({ type: Boolean }) disabled = false;

  private emit(command: Command): void {
    this.dispatchEvent(new CustomEvent<Command>("command", { detail: command, bubbles: true, composed: true }));
  }

  override render() {
    const max = Math.max(0, this.total - 1);
    return html`<div class="controls" role="toolbar" aria-label="timeline controls">
      <button title="first step (Home)" aria-label="first step" ?disabled=${this.disabled} @click=${() => this.emit("first")}>|◀</button>
      <button title="previous chapter ([)" aria-label="previous chapter" ?disabled=${this.disabled} @click=${() => this.emit("prev-chapter")}>◀◀</button>
      <button title="back one step (←)" aria-label="back one step" ?disabled=${this.disabled} @click=${() => this.emit("back")}>◀</button>
      <button class="primary" title="play or pause (space)" aria-label=${this.playing ? "pause" : "play"} ?disabled=${this.disabled} @click=${() => this.emit("play")}>${this.playing ? "❚❚" : "▶ play"}</button>
      <button title="forward one step (→)" aria-label="forward one step" ?disabled=${this.disabled} @click=${() => this.emit("step")}>▶</button>
      <button title="next chapter (])" aria-label="next chapter" ?disabled=${this.disabled} @click=${() => this.emit("next-chapter")}>▶▶</button>
      <button title="last step (End)" aria-label="last step" ?disabled=${this.disabled} @click=${() => this.emit("last")}>▶|</button>
      <select aria-label="speed" @change=${(e: Event) => this.dispatchEvent(new CustomEvent<number>("speed", { detail: Number((e.target as HTMLSelectElement).value), bubbles: true, composed: true }))}>
        ${[1, 2, 4, 8, 20].map((s) => html`<option value=${s} ?selected=${s === this.speed}>${s} steps/s</option>`)}
      </select>
      <div class="track">
        ${this.chapters.map((c) => {
          const here = this.step >= c.first_step && this.step < c.first_step + c.step_count;
          return html`<button class="mark ${here ? "here" : ""}" style="left: ${max ? (100 * c.first_step) / max : 0}%" data-title=${c.title}
            aria-label="chapter ${c.index + 1}: ${c.title}" ?disabled=${this.disabled}
            @click=${() => this.dispatchEvent(new CustomEvent<number>("seek", { detail: c.first_step, bubbles: true, composed: true }))}></button>`;
        })}
        ${this.violations.map((v) => html`<button class="mark violation" style="left: ${max ? (100 * v) / max : 0}%" data-title="step ${v + 1}: a spec rule broken"
            aria-label="step ${v + 1} breaks a spec rule" @click=${() => this.dispatchEvent(new CustomEvent<number>("seek", { detail: v, bubbles: true, composed: true }))}></button>`)}
        <input type="range" min="0" max=${max} .value=${String(this.step)} aria-label="timeline position" ?disabled=${this.disabled}
          @input=${(e: Event) => this.dispatchEvent(new CustomEvent<number>("seek", { detail: Number((e.target as HTMLInputElement).value), bubbles: true, composed: true }))} />
      </div>
      <span class="count" aria-live="off">${this.total ? this.step + 1 : 0} / ${this.total}</span>
    </div>`;
  }
}
