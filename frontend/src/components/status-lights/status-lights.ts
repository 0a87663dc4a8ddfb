/** Device status as traffic lights, one per bit (virtio-1.2 §2.1), and the values so far. */
import { LitElement, css, html } from "lit";
import { customElement, property } from "lit/decorators.js";
import { theme } from "../theme";

export const STATUS_BITS: [number, string, string][] = [
  [1, "ACKNOWLEDGE", "a guest noticed the device"],
  [2, "DRIVER", "it has a driver for it"],
  [8, "FEATURES_OK", "features agreed"],
  [4, "DRIVER_OK", "the device is live"],
  [64, "DEVICE_NEEDS_RESET", "the device hit an error"],
  [128, "FAILED", "the driver gave up"],
];

export function statusNames(value: number): string[] {
  return STATUS_BITS.filter(([bit]) => value & bit).map(([, name]) => name);
}

/** What a status write changed, in a few characters: "+DRIVER", "reset", "-FEATURES_OK". */
export function statusChange(before: number | undefined, after: number): string {
  if (after === 0) return before === undefined ? "" : "reset";
  const was = before ?? 0;
  const added = statusNames(after & ~was).map((n) => `+${n}`);
  const removed = statusNames(was & ~after).map((n) => `-${n}`);
  return [...added, ...removed].join(" ");
}

@customElement("vv-status")
export class StatusLights extends LitElement {
  static override styles = [theme, css`
    :host { display: block; }
    ul { list-style: none; margin: 0; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 11.5em), 1fr)); gap: 4px 10px; }
    li { display: flex; align-items: center; gap: 6px; font-family: var(--vv-mono); font-size: 0.8em; }
    .lamp { width: 12px; height: 12px; border-radius: 50%; border: 1px solid var(--vv-line); background: transparent; flex: none; }
    .on .lamp { background: var(--vv-active); border-color: var(--vv-active); box-shadow: 0 0 8px var(--vv-active); }
    .on.bad .lamp { background: var(--vv-violation); border-color: var(--vv-violation); box-shadow: 0 0 8px var(--vv-violation); }
    .history { margin: 8px 0 0; padding: 0; list-style: none; display: flex; flex-wrap: wrap; gap: 2px 4px; font-family: var(--vv-mono); font-size: 0.75em; color: var(--vv-muted); }
    .history li { display: flex; gap: 4px; align-items: baseline; font-size: 1em; }
    .history .step { color: var(--vv-text); }
    .history .what { font-size: 0.9em; }
  `];

  @property({ type: Number }) value = 0;
  @property({ attribute: false }) history: number[] = [];

  override render() {
    return html`<h2>Device status <span class="mono">0x${this.value.toString(16)}</span></h2>
      <ul aria-label="device status bits">${STATUS_BITS.map(([bit, name, what]) => {
        const on = (this.value & bit) !== 0;
        return html`<li class="${on ? "on" : ""} ${bit >= 64 ? "bad" : ""}" title=${what} aria-label="${name} ${on ? "set" : "clear"}"><span class="lamp"></span>${name}</li>`;
      })}</ul>
      ${this.history.length > 1 ? html`<ol class="history" aria-label="status values so far">${this.history.map((v, i) => html`<li
          title=${statusNames(v).join(" | ") || "0: reset"}>${i ? html`<span class="arrow">→</span>` : ""}<span class="step">0x${v.toString(16)}</span>
          <span class="what">${statusChange(this.history[i - 1], v)}</span></li>`)}</ol>` : ""}`;
  }
}
