/** Address translation where the architecture has it: the mapping table, and this step's lookup. */
import { LitElement, css, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { Frame } from "../../protocol";
import { theme } from "../theme";
import { mappingsOf, translationOf } from "./translation";

const hex = (n: number) => `0x${n.toString(16)}`;

@customElement("vv-address-map")
export class AddressMap extends LitElement {
  static override styles = [theme, css`
    :host { display: block; }
    .now { border: 2px solid var(--vv-accent); border-radius: 8px; padding: 6px 8px; margin-bottom: 6px; font-family: var(--vv-mono); font-size: 0.85em; }
    table { border-collapse: collapse; width: 100%; font-family: var(--vv-mono); font-size: 0.8em; }
    td, th { padding: 1px 6px; text-align: left; white-space: nowrap; }
    th { color: var(--vv-muted); font-weight: 500; }
    tr.hit td, tr.hit th { background: var(--vv-focus); }
    tbody th { font-weight: 400; color: var(--vv-muted); }
    .scroll { overflow-x: auto; }
  `];

  @property({ attribute: false }) frame: Frame | undefined;
  @property({ attribute: false }) extras: Record<string, unknown> | undefined;

  override render() {
    const now = translationOf(this.frame);
    const table = mappingsOf(this.extras);
    if (!now && !table) return nothing;
    const hit = (from: number, size: number) => now !== null && now.fromAddr >= from && now.fromAddr < from + size;
    return html`<h2>Address translation</h2>
      ${now ? html`<div class="now" role="status" aria-label="this step's translation">
        ${now.from} ${hex(now.fromAddr)} → ${now.to} ${hex(now.toAddr)}${now.length !== null ? html` <span class="muted">(${now.length} bytes)</span>` : nothing}</div>` : nothing}
      ${table ? html`<div class="muted">${table.title}</div><div class="scroll"><table aria-label=${table.title}>
        <thead><tr><th scope="col"></th>${table.columns.map((c) => html`<th scope="col">${c}</th>`)}<th scope="col">size</th><th scope="col"></th></tr></thead>
        <tbody>${table.rows.map((r) => html`<tr class=${hit(r.from, r.size) ? "hit" : ""}><th scope="row">${r.label}</th><td>${hex(r.from)}</td><td>${hex(r.to)}</td>
          ${table.columns.length > 2 ? html`<td>${r.backend === null ? "–" : hex(r.backend)}</td>` : nothing}<td>${hex(r.size)}</td><td class="muted">${r.note}</td></tr>`)}</tbody>
      </table></div>` : nothing}`;
  }
}
