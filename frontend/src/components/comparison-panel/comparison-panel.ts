/** A real recording next to the model's run of the same device: agreements and differences. */
import { LitElement, css, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { ComparisonRow, Life } from "../../protocol";
import { theme } from "../theme";

@customElement("vv-comparison")
export class ComparisonPanel extends LitElement {
  static override styles = [theme, css`
    :host { display: block; }
    table { border-collapse: collapse; width: 100%; font-size: 0.8em; }
    td, th { padding: 3px 6px; text-align: left; vertical-align: top; border-bottom: 1px solid var(--vv-line); }
    th { color: var(--vv-muted); font-weight: 500; }
    td.v { font-family: var(--vv-mono); overflow-wrap: anywhere; }
    .lives { font-size: 0.8em; margin: 4px 0 10px; }
    .same { color: var(--vv-active); } .differs { color: var(--vv-notification); font-weight: 600; }
  `];

  @property({ attribute: false }) comparison: Record<string, ComparisonRow[]> | null = null;
  @property({ attribute: false }) lives: Record<string, Life[]> | null = null;

  /** Each bring-up of the device, so a reset and a second setup are not mistaken for one. */
  private renderLives(device: string) {
    const lives = this.lives?.[device] ?? [];
    if (!lives.length) return nothing;
    const one = (l: Life) => `${l.number}: ${l.driver}, ${l.ring} ring, event_idx ${l.event_idx ? "on" : "off"}`
      + (l.driver_ok ? "" : ", never DRIVER_OK") + (l.ended_by_reset ? ", ended by a reset" : "")
      + (l.first_step !== null ? ` (steps ${l.first_step}–${l.last_step})` : "");
    return html`<p class="lives"><span class="muted">${lives.length === 1 ? "One life" : `${lives.length} lives`}
      (the model is compared with the last one that reached DRIVER_OK):</span> ${lives.map(one).join("; ")}</p>`;
  }

  override render() {
    const devices = Object.entries(this.comparison ?? {});
    if (!devices.length) return nothing;
    return html`<h2>The recording next to the model</h2>
      ${devices.map(([device, rows]) => html`<table aria-label="${device}: recording and model">
        <thead><tr><th scope="col">${device}</th><th scope="col">real</th><th scope="col">model</th><th scope="col">agree?</th></tr></thead>
        <tbody>${rows.map((r) => html`<tr>
          <td>${r.topic}</td><td class="v">${r.real}</td><td class="v">${r.model}</td>
          <td><span class=${r.agree ? "same" : "differs"}>${r.agree ? "same" : "differs"}</span><br />${r.note}</td></tr>`)}</tbody>
      </table>${this.renderLives(device)}`)}`;
  }
}
