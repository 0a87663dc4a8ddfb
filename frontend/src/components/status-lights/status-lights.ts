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

@customElement("vv-status")
export class StatusLights extends LitElement {
  static override styles = [theme, css`
    :host { display: block; }
    ul { list-style: none; margin: 0; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(140px, 1fr)); gap: 4px 10px; }
    li { display: flex; align-items: center; gap: 6px; font-family: var(--vv-mono); font-size: 0.8em; }
    .lamp { width: 12px; height: 12px; border-radius: 50%; border: 1px solid var(--vv-line); background: transparent; flex: none; }
    .on .lamp { background: var(--vv-active); border-color: var(--vv-active); box-shadow: 0 0 8px var(--vv-active); }
    .on.bad .lamp { background: var(--vv-violation); border-color: var(--vv-violation); box-shadow: 0 0 8px var(--vv-violation); }
    .history { margin-top: 6px; font-family: var(--vv-mono); font-size: 0.8em; color: var(--vv-muted); overflow-wrap: anywhere; }
  `];

  @property({ type: Number }) value = 0;
  @property({ attribute: false }) history: number[] = [];

  override render() {
    return html`<h2>Device status <span class="mono">0x${this.value.toString(16)}</span></h2>
      <ul aria-label="device status bits">${STATUS_BITS.map(([bit, name, what]) => {
        const on = (this.value & bit) !== 0;
        return html`<li class="${on ? "on" : ""} ${bit >= 64 ? "bad" : ""}" title=${what} aria-label="${name} ${on ? "set" : "clear"}"><span class="lamp"></span>${name}</li>`;
      })}</ul>
      <div class="history" aria-label="status values so far">${this.history.length > 1 ? `so far: ${this.history.map((v) => `0x${v.toString(16)}`).join(" → ")}` : ""}</div>`;
  }
}
