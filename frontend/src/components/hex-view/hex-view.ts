/**
 * Guest memory as hex: the bytes this step wrote are marked, the focused structure is
 * outlined field by field. Pointing at a byte of a ring structure focuses that structure
 * in the ring view too (and the other way round).
 */
import { LitElement, css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { Frame, QueueState } from "../../protocol";
import type { SparseMemory } from "../../store/memory";
import { structureAt, type Focus } from "../../layout/ring-fields";
import { HEX_ROW, regionFor, regions, unrecorded, type Region } from "../../layout/hex-regions";
import { theme } from "../theme";

const FIELD_COLOURS = ["var(--vv-data)", "var(--vv-notification)", "var(--vv-control)", "var(--vv-active)"];

@customElement("vv-hex")
export class HexView extends LitElement {
  static override styles = [theme, css`
    :host { display: block; }
    .bar { display: flex; gap: 8px; align-items: center; margin-bottom: 6px; flex-wrap: wrap; }
    .bar select { max-width: 100%; }
    .scroll { max-height: 300px; overflow: auto; position: relative; font-family: var(--vv-mono); font-size: 0.78em; line-height: 1.55; }
    .row { white-space: pre; }
    .addr { color: var(--vv-muted); }
    .b { border-radius: 2px; }
    .b.w { background: var(--vv-changed); }
    .b.u, .sw.u { color: var(--vv-muted); opacity: 0.7; }
    .b.r, .sw.r { text-decoration: underline 2px var(--vv-accent); text-underline-offset: 3px; }
    .b.f, .sw.f { outline: 1px solid var(--vv-accent); background: var(--vv-focus); }
    .sw { font-family: var(--vv-mono); border-radius: 2px; padding: 0 3px; }
    .sw.w { background: var(--vv-changed); }
    .key { font-size: 0.75em; display: flex; gap: 12px; flex-wrap: wrap; }
    .ascii { color: var(--vv-muted); }
    .fields { display: flex; gap: 10px; flex-wrap: wrap; font-size: 0.78em; font-family: var(--vv-mono); }
    .fields i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
  `];

  @property({ attribute: false }) memory: SparseMemory | null = null;
  @property({ attribute: false }) queues: QueueState[] = [];
  @property({ attribute: false }) frame: Frame | undefined;
  @property({ attribute: false }) focused: Focus | null = null;
  @state() private picked = "";

  private point(e: MouseEvent): void {
    const addr = Number((e.target as HTMLElement).dataset.addr ?? NaN);
    if (!Number.isFinite(addr) || (this.focused && addr >= this.focused.addr && addr < this.focused.addr + this.focused.length)) return;
    const focus = structureAt(this.queues, addr);
    if (focus) this.dispatchEvent(new CustomEvent<Focus>("focus-bytes", { detail: focus, bubbles: true, composed: true }));
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has("focused") && this.focused) this.picked = ""; // a new focus chooses the region
  }

  override render() {
    const memory = this.memory;
    if (!memory) return html`<h2>Guest memory</h2><p class="muted">Nothing written yet.</p>`;
    const list = regions(this.frame, this.queues, memory);
    const f = this.focused;
    const reads = this.frame?.event.reads ?? [];
    let region: Region | undefined = list.find((r) => r.key === this.picked);
    if (!region && f) region = regionFor(list, f.addr, f.length);
    if (!region && !this.frame?.memory.length && reads[0]) region = regionFor(list, reads[0][0], reads[0][1]);
    region ??= list[0];
    if (!region) return html`<h2>Guest memory</h2><p class="muted">Nothing written yet.</p>`;
    if (!list.some((r) => r.key === region!.key)) list.unshift(region);
    const bytes = memory.read(region.addr, region.size);
    const unknown = unrecorded(this.queues, memory, region.addr, region.size);
    const anyUnknown = unknown.includes(1);
    const written = new Set<number>(), read = new Set<number>();
    for (const run of this.frame?.memory ?? []) for (let i = 0; i < run.hex.length / 2; i++) written.add(run.addr + i);
    for (const [at, n] of reads) for (let i = 0; i < Math.min(n, 4096); i++) read.add(at + i);
    const fieldOf = (a: number) => f?.fields?.findIndex((x) => a >= x.addr && a < x.addr + x.length) ?? -1;
    const rows = [];
    for (let off = 0; off < bytes.length; off += HEX_ROW) {
      const base = region.addr + off;
      const cells = [];
      let ascii = "";
      for (let i = 0; i < HEX_ROW && off + i < bytes.length; i++) {
        const a = base + i, v = bytes[off + i]!;
        if (unknown[off + i]) {
          cells.push(html`<span class="b u" data-addr=${a} title="not in the recording">??</span>${i === 7 ? "  " : " "}`);
          ascii += " ";
          continue;
        }
        const inFocus = !!f && a >= f.addr && a < f.addr + f.length;
        const field = inFocus ? fieldOf(a) : -1;
        const style = field >= 0 ? `background: color-mix(in srgb, ${FIELD_COLOURS[field % 4]} 35%, transparent)` : "";
        cells.push(html`<span class="b ${written.has(a) ? "w" : ""} ${read.has(a) ? "r" : ""} ${inFocus ? "f" : ""}" data-addr=${a} style=${style}>${v.toString(16).padStart(2, "0")}</span>${i === 7 ? "  " : " "}`);
        ascii += v >= 32 && v < 127 ? String.fromCharCode(v) : ".";
      }
      rows.push(html`<div class="row"><span class="addr">${base.toString(16).padStart(8, "0")}  </span>${cells} <span class="ascii">${ascii}</span></div>`);
    }
    return html`<h2>Guest memory</h2>
      <div class="bar">
        <select aria-label="memory region" @change=${(e: Event) => { this.picked = (e.target as HTMLSelectElement).value; }}>
          ${list.map((r) => html`<option value=${r.key} ?selected=${r.key === region!.key}>${r.label}</option>`)}
        </select>
      </div>
      ${f ? html`<div class="fields" aria-live="polite"><span class="muted">${f.label}, ${f.length} bytes at 0x${f.addr.toString(16)}:</span>
        ${(f.fields ?? []).map((x, i) => html`<span><i style="background: ${FIELD_COLOURS[i % 4]}"></i>${x.name}</span>`)}</div>` : nothing}
      <div class="key muted">${anyUnknown ? html`<span><span class="sw u">??</span> not in the recording (a trace holds no ring bytes)</span>` : nothing}<span><span class="sw w">00</span> written by this step</span><span><span class="sw r">00</span> read by this step</span><span><span class="sw f">00</span> the structure you point at</span></div>
      <div class="scroll" aria-label="hex dump" @mouseover=${(e: MouseEvent) => this.point(e)}>${rows}</div>`;
  }

  override updated(): void {
    // Keep the focused bytes in sight, scrolling only the dump (never the page).
    const first = this.renderRoot.querySelector<HTMLElement>(".b.f");
    const scroller = this.renderRoot.querySelector<HTMLElement>(".scroll");
    if (!first || !scroller) return;
    const top = first.offsetTop; // .scroll is the offset parent
    if (top < scroller.scrollTop || top > scroller.scrollTop + scroller.clientHeight - 20) scroller.scrollTop = Math.max(0, top - 40);
  }
}
