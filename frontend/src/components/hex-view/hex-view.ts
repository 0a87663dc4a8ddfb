/** Guest memory as hex: the bytes this step wrote are marked, the focused structure outlined. */
import { LitElement, css, html } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { Area, Frame } from "../../protocol";
import type { SparseMemory } from "../../store/memory";
import { hexToBytes } from "../../store/memory";
import { theme } from "../theme";
import type { Focus } from "../ring-view/ring-view";

const ROW = 16;

@customElement("vv-hex")
export class HexView extends LitElement {
  static override styles = [theme, css`
    :host { display: block; }
    .bar { display: flex; gap: 8px; align-items: center; margin-bottom: 6px; flex-wrap: wrap; }
    .scroll { max-height: 240px; overflow: auto; font-family: var(--vv-mono); font-size: 0.78em; line-height: 1.5; }
    .row { white-space: pre; }
    .addr { color: var(--vv-muted); }
    .b.w { background: var(--vv-changed); }
    .b.f { outline: 1px solid var(--vv-accent); background: var(--vv-focus); }
    .ascii { color: var(--vv-muted); }
  `];

  @property({ attribute: false }) memory: SparseMemory | null = null;
  @property({ attribute: false }) areas: Area[] = [];
  @property({ attribute: false }) frame: Frame | undefined;
  @property({ attribute: false }) focused: Focus | null = null;
  @property({ type: String }) selected = "";

  private regions(): { key: string; label: string; addr: number; size: number }[] {
    const list = this.areas.map((a) => ({ key: `${a.name}@${a.addr}`, label: `${a.label} @ 0x${a.addr.toString(16)}`, addr: a.addr, size: Math.min(a.size, 4096) }));
    const written = this.frame?.memory[0];
    if (written) {
      const length = written.hex.length / 2;
      const start = written.addr - (written.addr % ROW);
      list.unshift({ key: "written", label: "bytes written by this step", addr: start, size: Math.min(512, written.addr + length - start + ROW) });
    }
    return list;
  }

  override render() {
    const memory = this.memory;
    const regions = this.regions();
    if (!memory || !regions.length) return html`<h2>Guest memory</h2><p class="muted">Nothing written yet.</p>`;
    const focusRegion = this.focused ? regions.find((r) => this.focused!.addr >= r.addr && this.focused!.addr < r.addr + r.size) : undefined;
    const region = focusRegion ?? regions.find((r) => r.key === this.selected) ?? regions[0]!;
    const bytes = memory.read(region.addr, region.size);
    const written = new Set<number>();
    for (const run of this.frame?.memory ?? []) for (let i = 0; i < run.hex.length / 2; i++) written.add(run.addr + i);
    const f = this.focused;
    const rows = [];
    for (let off = 0; off < bytes.length; off += ROW) {
      const base = region.addr + off;
      const cells = [];
      let ascii = "";
      for (let i = 0; i < ROW && off + i < bytes.length; i++) {
        const a = base + i, v = bytes[off + i]!;
        const cls = `b ${written.has(a) ? "w" : ""} ${f && a >= f.addr && a < f.addr + f.length ? "f" : ""}`;
        cells.push(html`<span class=${cls}>${v.toString(16).padStart(2, "0")}</span>${i === 7 ? "  " : " "}`);
        ascii += v >= 32 && v < 127 ? String.fromCharCode(v) : ".";
      }
      rows.push(html`<div class="row"><span class="addr">${base.toString(16).padStart(8, "0")}  </span>${cells} <span class="ascii">${ascii}</span></div>`);
    }
    return html`<h2>Guest memory</h2>
      <div class="bar">
        <select aria-label="memory region" @change=${(e: Event) => { this.selected = (e.target as HTMLSelectElement).value; this.focused = null; }}>
          ${regions.map((r) => html`<option value=${r.key} ?selected=${r.key === region.key}>${r.label}</option>`)}
        </select>
        ${f ? html`<span class="muted">${f.label}: ${f.length} bytes at 0x${f.addr.toString(16)}</span>` : ""}
      </div>
      <div class="scroll" aria-label="hex dump">${rows}</div>`;
  }
}

export { hexToBytes };
