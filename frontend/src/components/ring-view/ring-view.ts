/** A virtqueue as the bytes in guest memory say it is: split or packed, changes highlighted. */
import { LitElement, css, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { Frame, QueueState } from "../../protocol";
import type { SparseMemory } from "../../store/memory";
import {
  PACKED_F_AVAIL, PACKED_F_USED, availRing, eventSuppression, flagNames, freeList, hex,
  packedDescriptors, splitDescriptors, usedRing,
} from "../../layout/ring";
import { theme } from "../theme";

export interface Focus { addr: number; length: number; label: string }

function touched(frame: Frame | undefined, addr: number, length: number): boolean {
  return !!frame?.memory.some((run) => run.addr < addr + length && addr < run.addr + run.hex.length / 2);
}

@customElement("vv-rings")
export class RingView extends LitElement {
  static override styles = [theme, css`
    :host { display: block; }
    .tabs { display: flex; gap: 6px; flex-wrap: wrap; margin-bottom: 8px; }
    .tabs button[aria-pressed="true"] { border-color: var(--vv-accent); background: var(--vv-focus); }
    .cols { display: grid; grid-template-columns: minmax(300px, 2fr) minmax(150px, 1fr) minmax(190px, 1fr); gap: 10px; }
    @media (max-width: 900px) { .cols { grid-template-columns: 1fr; } }
    table { border-collapse: collapse; width: 100%; font-family: var(--vv-mono); font-size: 0.82em; }
    th { text-align: left; color: var(--vv-muted); font-weight: 500; position: sticky; top: 0; background: var(--vv-panel); }
    td, th { padding: 1px 6px; white-space: nowrap; }
    tr.changed td { background: var(--vv-changed); }
    tr.flight td:first-child { box-shadow: inset 3px 0 var(--vv-notification); }
    tr.free td { color: var(--vv-muted); }
    tr:hover td, tr.focus td { background: var(--vv-focus); }
    .scroll { max-height: 260px; overflow: auto; }
    .idx { display: grid; grid-template-columns: auto auto; gap: 2px 10px; font-family: var(--vv-mono); font-size: 0.85em; margin-bottom: 6px; }
    .idx .changed { background: var(--vv-changed); }
    .legend { font-size: 0.78em; }
    .avail { color: var(--vv-data); } .used { color: var(--vv-active); }
  `];

  @property({ attribute: false }) queues: QueueState[] = [];
  @property({ attribute: false }) memory: SparseMemory | null = null;
  @property({ attribute: false }) frame: Frame | undefined;
  @property({ type: Number }) selected = 0;

  private pointAt(addr: number, length: number, label: string): void {
    this.dispatchEvent(new CustomEvent<Focus>("focus-bytes", { detail: { addr, length, label }, bubbles: true, composed: true }));
  }

  override render() {
    const live = this.queues.filter((q) => q.areas.length);
    if (!live.length || !this.memory) return html`<h2>Virtqueues</h2><p class="muted">No queue is set up yet: the driver allocates the rings during queue setup.</p>`;
    const queue = live.find((q) => q.index === this.selected) ?? live[0]!;
    return html`<h2>Virtqueues</h2>
      <div class="tabs" role="group" aria-label="Queue">
        ${live.map((q) => html`<button aria-pressed=${q.index === queue.index} @click=${() => { this.selected = q.index; }}>${q.index}: ${q.name} (${q.format}, ${q.size})</button>`)}
      </div>
      ${queue.format === "split" ? this.split(queue, this.memory) : this.packed(queue, this.memory)}`;
  }

  private split(q: QueueState, memory: SparseMemory) {
    const [desc, avail, used] = ["desc", "avail", "used"].map((n) => q.areas.find((a) => a.name === n)!);
    if (!desc || !avail || !used) return nothing;
    const descs = splitDescriptors(memory, desc.addr, q.size);
    const a = availRing(memory, avail.addr, q.size), u = usedRing(memory, used.addr, q.size);
    const drv = q.driver ?? {}, dev = q.device ?? {};
    const free = new Set(q.driver ? freeList(descs, drv.free_head as number, drv.num_free as number) : []);
    const flight = new Set([...((drv.in_flight as number[]) ?? [])]);
    const f = this.frame;
    return html`<div class="cols">
      <div>
        <div class="legend muted">Descriptor table at ${hex(desc.addr)}: <span style="box-shadow: inset 3px 0 var(--vv-notification); padding-left: 4px">in flight</span>, grey = free list (from free_head ${drv.free_head ?? "-"}, ${drv.num_free ?? "-"} free)</div>
        <div class="scroll"><table aria-label="Descriptor table">
          <thead><tr><th>#</th><th>addr</th><th>len</th><th>flags</th><th>next</th></tr></thead>
          <tbody>${descs.map((d) => html`<tr class="${touched(f, desc.addr + 16 * d.index, 16) ? "changed" : ""} ${flight.has(d.index) ? "flight" : ""} ${free.has(d.index) ? "free" : ""}"
              @mouseenter=${() => this.pointAt(desc.addr + 16 * d.index, 16, `descriptor ${d.index}`)}>
            <td>${d.index}</td><td>${hex(d.addr)}</td><td>${d.len}</td><td>${flagNames(d.flags)}</td><td>${d.flags & 1 ? d.next : html`<span class="muted">${d.next}</span>`}</td></tr>`)}</tbody>
        </table></div>
      </div>
      <div>
        <div class="idx">
          <span>avail.flags</span><span class=${touched(f, avail.addr, 2) ? "changed" : ""}>${a.flags}</span>
          <span>avail.idx</span><span class=${touched(f, avail.addr + 2, 2) ? "changed avail" : "avail"}>${a.idx}</span>
          <span>used_event</span><span class=${touched(f, avail.addr + 4 + 2 * q.size, 2) ? "changed" : ""}>${a.usedEvent}</span>
          <span title="the device's private count of entries it has taken">last_avail_idx</span><span>${dev.last_avail_idx ?? "-"}</span>
        </div>
        <div class="scroll"><table aria-label="Available ring">
          <thead><tr><th>avail.ring</th><th>head</th></tr></thead>
          <tbody>${a.ring.map((head, i) => html`<tr class=${touched(f, avail.addr + 4 + 2 * i, 2) ? "changed" : ""} @mouseenter=${() => this.pointAt(avail.addr + 4 + 2 * i, 2, `avail.ring[${i}]`)}><td>[${i}]${i === (a.idx % q.size) ? " ◀ idx" : ""}</td><td>${head}</td></tr>`)}</tbody>
        </table></div>
      </div>
      <div>
        <div class="idx">
          <span>used.flags</span><span class=${touched(f, used.addr, 2) ? "changed" : ""}>${u.flags}</span>
          <span>used.idx</span><span class=${touched(f, used.addr + 2, 2) ? "changed used" : "used"}>${u.idx}</span>
          <span>avail_event</span><span class=${touched(f, used.addr + 4 + 8 * q.size, 2) ? "changed" : ""}>${u.availEvent}</span>
          <span title="the driver's private count of used entries it has read">last_used_idx</span><span>${drv.last_used_idx ?? "-"}</span>
        </div>
        <div class="scroll"><table aria-label="Used ring">
          <thead><tr><th>used.ring</th><th>id</th><th>len</th></tr></thead>
          <tbody>${u.ring.map((e, i) => html`<tr class=${touched(f, used.addr + 4 + 8 * i, 8) ? "changed" : ""} @mouseenter=${() => this.pointAt(used.addr + 4 + 8 * i, 8, `used.ring[${i}]`)}><td>[${i}]${i === (u.idx % q.size) ? " ◀ idx" : ""}</td><td>${e.id}</td><td>${e.len}</td></tr>`)}</tbody>
        </table></div>
      </div>
    </div>`;
  }

  private packed(q: QueueState, memory: SparseMemory) {
    const [ring, drvEv, devEv] = ["ring", "driver_event", "device_event"].map((n) => q.areas.find((a) => a.name === n)!);
    if (!ring || !drvEv || !devEv) return nothing;
    const descs = packedDescriptors(memory, ring.addr, q.size);
    const drv = q.driver ?? {}, dev = q.device ?? {};
    const de = eventSuppression(memory, drvEv.addr), ve = eventSuppression(memory, devEv.addr);
    const f = this.frame;
    const mode = (flags: number) => ["enable", "disable", "desc"][flags] ?? String(flags);
    return html`<div class="cols">
      <div class="scroll"><table aria-label="Packed descriptor ring">
        <thead><tr><th>slot</th><th>addr</th><th>len</th><th>id</th><th>AVAIL</th><th>USED</th><th>flags</th></tr></thead>
        <tbody>${descs.map((d) => html`<tr class=${touched(f, ring.addr + 16 * d.slot, 16) ? "changed" : ""} @mouseenter=${() => this.pointAt(ring.addr + 16 * d.slot, 16, `descriptor slot ${d.slot}`)}>
          <td>${d.slot}${d.slot === drv.next_avail ? " ◀ drv" : ""}${d.slot === dev.next_avail ? " ◀ dev" : ""}</td><td>${hex(d.addr)}</td><td>${d.len}</td><td>${d.id}</td>
          <td>${d.flags & PACKED_F_AVAIL ? 1 : 0}</td><td>${d.flags & PACKED_F_USED ? 1 : 0}</td><td>${flagNames(d.flags & 7)}</td></tr>`)}</tbody>
      </table></div>
      <div class="idx">
        <span>driver: next_avail</span><span>${drv.next_avail ?? "-"}</span>
        <span>driver: avail wrap counter</span><span>${drv.avail_wrap_counter ?? "-"}</span>
        <span>driver: next_used</span><span>${drv.next_used ?? "-"}</span>
        <span>driver: used wrap counter</span><span>${drv.used_wrap_counter ?? "-"}</span>
        <span>device: next_avail</span><span>${dev.next_avail ?? "-"}</span>
        <span>device: avail wrap counter</span><span>${dev.avail_wrap_counter ?? "-"}</span>
        <span>device: next_used</span><span>${dev.next_used ?? "-"}</span>
        <span>device: used wrap counter</span><span>${dev.used_wrap_counter ?? "-"}</span>
      </div>
      <div class="idx">
        <span>driver event</span><span class=${touched(f, drvEv.addr, 4) ? "changed" : ""}>${mode(de.flags)} off ${de.offset} wrap ${de.wrap}</span>
        <span>device event</span><span class=${touched(f, devEv.addr, 4) ? "changed" : ""}>${mode(ve.flags)} off ${ve.offset} wrap ${ve.wrap}</span>
      </div>
    </div>`;
  }
}
