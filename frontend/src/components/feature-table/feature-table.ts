/** Feature bits: what the device offers, what the driver accepted, what was negotiated. */
import { LitElement, css, html } from "lit";
import { customElement, property } from "lit/decorators.js";
import { theme } from "../theme";
import { featureRows, type FeatureName, type FeatureWords } from "./features";

export { bitSet } from "./features";

@customElement("vv-features")
export class FeatureTable extends LitElement {
  static override styles = [theme, css`
    :host { display: block; }
    .scroll { max-height: 240px; overflow: auto; }
    table { border-collapse: collapse; width: 100%; font-size: 0.8em; }
    td, th { padding: 1px 6px; text-align: left; white-space: nowrap; }
    th { color: var(--vv-muted); font-weight: 500; position: sticky; top: 0; background: var(--vv-panel); }
    td.y { color: var(--vv-active); } td.n { color: var(--vv-muted); }
    tr.declined td:first-child, tr.declined td:nth-child(2), td.declined-mark { color: var(--vv-notification); }
    .legend { font-size: 0.75em; margin: 4px 0 0; }
  `];

  @property({ attribute: false }) names: FeatureName[] = [];
  @property({ attribute: false }) features: FeatureWords | null = null;

  override render() {
    const f = this.features;
    if (!f) return html`<h2>Features</h2>`;
    const rows = featureRows(this.names, f);
    const wrote = f.driver !== "0x0";
    const mark = (on: boolean, what: string) => html`<td class=${on ? "y" : "n"} aria-label=${on ? what : `not ${what}`}>${on ? "✔" : "·"}</td>`;
    return html`<h2>Features <span class="mono muted">${f.negotiated}</span></h2>
      <div class="scroll" tabindex="0" role="group" aria-label="feature bits, scrolls"><table aria-label="feature bits">
        <thead><tr><th scope="col">bit</th><th scope="col">name</th><th scope="col">offered</th><th scope="col">driver</th><th scope="col">negotiated</th></tr></thead>
        <tbody>${rows.map((r) => {
          const declined = r.offered && !r.driver && wrote; // said in a mark as well as in colour
          return html`<tr class=${declined ? "declined" : ""} title=${r.section ? `virtio-1.2 ${r.section}` : ""}>
          <td>${r.bit}</td><td class="mono">${r.name}</td>${mark(r.offered, "offered")}${declined
            ? html`<td class="declined-mark" aria-label="declined">✗</td>` : mark(r.driver, "accepted")}${mark(r.negotiated, "negotiated")}</tr>`;
        })}</tbody>
      </table></div>
      ${wrote ? html`<p class="legend muted">✗ and orange: offered by the device, left out by the driver.</p>` : ""}`;
  }
}
