/** Feature bits: what the device offers, what the driver accepted, what was negotiated. */
import { LitElement, css, html } from "lit";
import { customElement, property } from "lit/decorators.js";
import { theme } from "../theme";

export function bitSet(word: string, bit: number): boolean {
  return ((BigInt(word) >> BigInt(bit)) & 1n) === 1n;
}

@customElement("vv-features")
export class FeatureTable extends LitElement {
  static override styles = [theme, css`
    :host { display: block; }
    .scroll { max-height: 240px; overflow: auto; }
    table { border-collapse: collapse; width: 100%; font-size: 0.8em; }
    td, th { padding: 1px 6px; text-align: left; white-space: nowrap; }
    th { color: var(--vv-muted); font-weight: 500; position: sticky; top: 0; background: var(--vv-panel); }
    td.y { color: var(--vv-active); } td.n { color: var(--vv-muted); }
    tr.declined td:first-child { color: var(--vv-notification); }
  `];

  @property({ attribute: false }) names: { bit: number; name: string; section: string }[] = [];
  @property({ attribute: false }) features: { offered: string; driver: string; negotiated: string } | null = null;

  override render() {
    const f = this.features;
    if (!f) return html`<h2>Features</h2>`;
    const rows = this.names.filter((n) => bitSet(f.offered, n.bit) || bitSet(f.driver, n.bit));
    const mark = (on: boolean) => html`<td class=${on ? "y" : "n"}>${on ? "✔" : "·"}</td>`;
    return html`<h2>Features <span class="mono muted">${f.negotiated}</span></h2>
      <div class="scroll"><table aria-label="feature bits">
        <thead><tr><th>bit</th><th>name</th><th>offered</th><th>driver</th><th>negotiated</th></tr></thead>
        <tbody>${rows.map((n) => {
          const offered = bitSet(f.offered, n.bit), driver = bitSet(f.driver, n.bit);
          const declined = offered && !driver && f.driver !== "0x0";
          return html`<tr class=${declined ? "declined" : ""} title="virtio-1.2 ${n.section}"><td>${n.bit}</td><td class="mono">${n.name}</td>${mark(offered)}${mark(driver)}${mark(bitSet(f.negotiated, n.bit))}</tr>`;
        })}</tbody>
      </table></div>`;
  }
}
