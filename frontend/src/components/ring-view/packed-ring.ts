/** The packed virtqueue (virtio-1.2 §2.8): one descriptor ring, wrap counters, event suppression. */
import { html, nothing } from "lit";
import { PACKED_F_AVAIL, PACKED_F_USED, eventSuppression, flagNames, hex, packedDescriptors, type PackedDesc } from "../../layout/ring";
import { descriptorFocus, structureAt } from "../../layout/ring-fields";
import { classes, num, read, type RingContext } from "./ring-context";
import { ROW_HEIGHT } from "./ring-styles";

const MODES = ["ENABLE", "DISABLE", "DESC"];

/** What a descriptor's AVAIL/USED bits say (§2.8.1), for a row's state column. */
export function packedSlotState(d: PackedDesc): "available" | "used" | "empty" {
  const avail = (d.flags & PACKED_F_AVAIL) !== 0, used = (d.flags & PACKED_F_USED) !== 0;
  if (avail !== used) return "available";
  if (d.addr === 0 && d.len === 0 && d.id === 0 && d.flags === 0) return "empty";
  return "used";
}

export function renderPacked(ctx: RingContext) {
  const q = ctx.queue;
  const area = (name: string) => q.areas.find((a) => a.name === name);
  const ring = area("ring"), drvEv = area("driver_event"), devEv = area("device_event");
  if (!ring || !drvEv || !devEv) return nothing;
  const descs = packedDescriptors(ctx.memory, ring.addr, q.size);
  const drv = q.driver ?? {}, dev = q.device ?? {};
  const marks = (slot: number) => [
    num(drv.next_avail) === slot ? "◀ driver adds" : "",
    num(dev.next_avail) === slot ? "◀ device reads" : "",
    num(drv.next_used) === slot ? "◀ driver collects" : "",
  ].filter(Boolean).join(" ");
  const counter = (who: string, name: string, value: unknown) =>
    html`<span class="chip private" title="${who}'s private state">${who} ${name} <b>${value ?? "–"}</b></span>`;
  const suppression = (title: string, addr: number, who: string) => {
    const e = eventSuppression(ctx.memory, addr);
    return html`<span class="chip ${classes(ctx, addr, 4)}" title="written by the ${who}" @mouseenter=${() => ctx.point(structureAt([q], addr))}>
      ${title}: <b>${MODES[e.flags] ?? e.flags}</b>${e.flags === 2 ? html` at ${e.offset}, wrap ${e.wrap}` : nothing}</span>`;
  };
  const [first, last] = ctx.rows;
  const rows = [];
  for (let slot = first; slot < last; slot++) {
    const d = descs[slot]!, at = ring.addr + 16 * slot;
    rows.push(html`<tr data-index=${slot} class=${classes(ctx, at, 16, { read: read(ctx.frame, at, 16), free: packedSlotState(d) === "empty" })} @mouseenter=${() => ctx.point(descriptorFocus(q, slot))}>
      <td class="d">${slot}</td><td class="d">${hex(d.addr)}</td><td class="d">${d.len}</td><td class="d">${d.id}</td><td class="d">${flagNames(d.flags & 7)}</td>
      <td class="d ${d.flags & PACKED_F_AVAIL ? "on" : "dim"}">${d.flags & PACKED_F_AVAIL ? 1 : 0}</td>
      <td class="d ${d.flags & PACKED_F_USED ? "on" : "dim"}">${d.flags & PACKED_F_USED ? 1 : 0}</td>
      <td class="d state-${packedSlotState(d)}">${packedSlotState(d)}</td><td class="d dim">${marks(slot)}</td></tr>`);
  }
  return html`<div class="areas">
      <div><h3>Descriptor ring <span class="muted">${q.size} × 16 B at ${hex(ring.addr)}</span></h3>
        <div class="chips">${counter("driver", "next_avail", drv.next_avail)}${counter("driver", "avail wrap", drv.avail_wrap_counter)}
          ${counter("driver", "next_used", drv.next_used)}${counter("driver", "used wrap", drv.used_wrap_counter)}</div></div>
      <div><h3>Device's positions</h3>
        <div class="chips">${counter("device", "next_avail", dev.next_avail)}${counter("device", "avail wrap", dev.avail_wrap_counter)}
          ${counter("device", "next_used", dev.next_used)}${counter("device", "used wrap", dev.used_wrap_counter)}</div></div>
      <div><h3>Event suppression</h3>
        <div class="chips">${suppression("driver event (used buffer notifications)", drvEv.addr, "driver")}
          ${suppression("device event (driver notifications)", devEv.addr, "device")}</div></div>
    </div>
    <div class="scroll" tabindex="0" aria-label="Packed descriptor ring, by slot"><table aria-label="Packed descriptor ring">
      <thead><tr><th colspan="9" scope="colgroup">descriptor ring</th></tr>
        <tr><th scope="col">slot</th><th scope="col">addr</th><th scope="col">len</th><th scope="col">id</th><th scope="col">flags</th><th scope="col">A</th><th scope="col">U</th><th scope="col">state</th><th scope="col"></th></tr></thead>
      <tbody>${first > 0 ? html`<tr class="spacer" style="height: ${first * ROW_HEIGHT}px"></tr>` : nothing}${rows}${last < q.size ? html`<tr class="spacer" style="height: ${(q.size - last) * ROW_HEIGHT}px"></tr>` : nothing}</tbody>
    </table></div>
    <p class="note muted">A descriptor is available when its AVAIL bit differs from its USED bit and matches the driver's avail wrap counter; the device marks it used by making both bits equal to its own wrap counter. Each lap around the ring flips the counters.</p>`;
}
