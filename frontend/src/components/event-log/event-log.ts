/** The last steps, newest at the bottom; click one to go there. */
import { LitElement, css, html } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { Frame } from "../../protocol";
import { PLANE_COLOUR, theme } from "../theme";

@customElement("vv-log")
export class EventLog extends LitElement {
  static override styles = [theme, css`
    :host { display: flex; flex-direction: column; min-height: 0; }
    ol { position: relative; list-style: none; margin: 0; padding: 0; font-size: 0.8em; flex: 1; min-height: 0; max-height: var(--vv-log-max, 220px); overflow: auto; }
    li { padding: 2px 4px; border-left: 3px solid transparent; cursor: pointer; display: flex; gap: 6px; }
    li.current { background: var(--vv-focus); }
    li.current .n { color: var(--vv-text); }
    li.violation { color: var(--vv-violation); }
    .n { font-family: var(--vv-mono); color: var(--vv-muted); min-width: 3.5em; text-align: right; }
  `];

  @property({ attribute: false }) frames: Frame[] = [];
  @property({ type: Number }) current = 0;

  override render() {
    return html`<h2>Event log</h2><ol aria-label="recent events">
      ${this.frames.map((f) => html`<li class="${f.index === this.current ? "current" : ""} ${f.event.rule !== null ? "violation" : ""}"
        style="border-left-color: ${PLANE_COLOUR[f.event.plane]}" tabindex="0"
        @click=${() => this.go(f.index)} @keydown=${(e: KeyboardEvent) => e.key === "Enter" && this.go(f.index)}>
        <span class="n">${f.index + 1}</span><span>${f.narration}</span></li>`)}
    </ol>`;
  }

  override updated(): void {
    // Scroll the list itself (scrollIntoView would scroll the whole page too).
    const list = this.renderRoot.querySelector("ol");
    const current = this.renderRoot.querySelector<HTMLElement>("li.current");
    if (list && current) list.scrollTop = current.offsetTop - list.clientHeight + current.offsetHeight + 4;
  }

  private go(step: number): void {
    this.dispatchEvent(new CustomEvent<number>("seek", { detail: step, bubbles: true, composed: true }));
  }
}
