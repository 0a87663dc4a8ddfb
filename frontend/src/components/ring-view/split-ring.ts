/** The split virtqueue (virtio-1.2 §2.7): descriptor table with its chains, available and used rings. */
import { html, svg, nothing } from "lit";
import { availRing, driverFreeList, flagNames, hex, splitDescriptors, usedRing } from "../../layout/ring";
import { chainFrom, chainLinks, linkPath, pendingSlots } from "../../layout/ring-marks";
import { descriptorFocus, structureAt } from "../../layout/ring-fields";
import { GUTTER, ROW_HEIGHT } from "./ring-styles";
import { classes, num, read, type RingContext } from "./ring-context";

export function renderSplit(ctx: RingContext) {
  const q = ctx.queue, memory = ctx.memory;
  const area = (name: string) => q.areas.find((a) => a.name === name);
  const desc = area("desc"), avail = area("avail"), used = area("used");
  if (!desc || !avail || !used) return nothing;
  const descs = splitDescriptors(memory, desc.addr, q.size);
  const a = availRing(memory, avail.addr, q.size), u = usedRing(memory, used.addr, q.size);
  const drv = q.driver ?? {}, dev = q.device ?? {};
  const freeHead = num(drv.free_head), numFree = num(drv.num_free);
  const privateFree = driverFreeList(q.driver, q.size); // the driver's own list, not in the table
  const free = privateFree ?? [];
  const freeSet = new Set(free);
  const heads = Array.isArray(drv.in_flight) ? (drv.in_flight as number[]) : [];
  const inFlight = new Set(heads.flatMap((h) => chainFrom(descs, h)));
  const links = chainLinks(descs, free);
  const lastAvail = num(dev.last_avail_idx), lastUsed = num(drv.last_used_idx);
  const waitingForDevice = new Set(pendingSlots(a.idx, lastAvail, q.size));
  const waitingForDriver = new Set(pendingSlots(u.idx, lastUsed, q.size));
  const at = (offset: number, base: number) => structureAt([q], base + offset);

  const chip = (name: string, value: unknown, addr: number | null, title: string) => html`<span
      class="chip ${addr === null ? "private" : classes(ctx, addr, 2)}" title=${title}
      @mouseenter=${() => addr !== null && ctx.point(structureAt([q], addr))}>${name} <b>${value ?? "–"}</b></span>`;

  const descTable = html`
    <h3>Descriptor table <span class="muted">at ${hex(desc.addr)}, ${q.size} × 16 bytes</span></h3>
    <div class="legend muted"><span><i></i>chain (NEXT)</span><span title="Linux keeps the free list in its private desc_extra[].next; the table holds no free links"><i class="free"></i>${privateFree === null ? "free list not recorded" : html`driver's private free list: free_head ${freeHead ?? "–"}, ${numFree ?? "–"} free (not in guest memory)`}</span><span><i class="flight"></i>in flight</span><span><i class="changed"></i>written this step</span></div>
    <div class="scroll" tabindex="0" aria-label="Descriptor table, arrow keys move between descriptors" @keydown=${(e: KeyboardEvent) => moveFocus(e, ctx, q.size)}>
      <div class="desc-wrap">
        <svg class="links" height=${q.size * ROW_HEIGHT} viewBox="0 0 ${GUTTER} ${q.size * ROW_HEIGHT}" aria-hidden="true">
          ${links.map((l) => svg`<path class=${l.kind} d=${linkPath(l, ROW_HEIGHT, GUTTER)}></path>`)}
          ${freeHead !== null && q.driver ? svg`<circle class="dot" cx=${GUTTER - 4} cy=${(freeHead + 0.5) * ROW_HEIGHT} r="2.5"></circle>` : nothing}
        </svg>
        <table aria-label="Descriptor table">
          <thead><tr><th>#</th><th>addr</th><th>len</th><th>flags</th><th>next</th></tr></thead>
          <tbody>${descs.map((d) => html`<tr data-index=${d.index}
              class=${classes(ctx, desc.addr + 16 * d.index, 16, { flight: inFlight.has(d.index), free: freeSet.has(d.index), read: read(ctx.frame, desc.addr + 16 * d.index, 16) })}
              @mouseenter=${() => ctx.point(descriptorFocus(q, d.index))}>
            <td>${d.index}</td><td class="buf" title="click to see this buffer in the hex view"
              @click=${() => d.len && ctx.point({ addr: d.addr, length: Math.min(d.len, 1024), label: `buffer of descriptor ${d.index}` })}>${hex(d.addr)}</td><td>${d.len}</td><td>${flagNames(d.flags)}</td><td class=${d.flags & 1 ? "" : "dim"}>${d.next}</td></tr>`)}</tbody>
        </table>
      </div>
    </div>`;

  const availStrip = html`
    <h3>Available ring <span class="muted">driver → device, at ${hex(avail.addr)}</span></h3>
    <div class="chips">
      ${chip("avail.flags", a.flags, avail.addr, "1 = VIRTQ_AVAIL_F_NO_INTERRUPT: the driver asks for no interrupts")}
      ${chip("avail.idx", a.idx, avail.addr + 2, "where the driver will put the next entry (free-running, mod 2^16)")}
      ${chip("used_event", a.usedEvent, avail.addr + 4 + 2 * q.size, "with VIRTIO_F_EVENT_IDX: interrupt me when used.idx passes this")}
      ${chip("last_avail_idx", lastAvail, null, "the device's private count of entries taken (not in shared memory)")}
    </div>
    <div class="strip avail" role="list" aria-label="Available ring entries">
      ${a.ring.map((head, i) => html`<div role="listitem" class="cell ${classes(ctx, avail.addr + 4 + 2 * i, 2, { pending: waitingForDevice.has(i) })}"
          title="avail.ring[${i}]${waitingForDevice.has(i) ? ": published, not yet taken by the device" : ""}"
          @mouseenter=${() => ctx.point(at(4 + 2 * i, avail.addr))}>
        <span class="i">[${i}]</span>${head}
        ${i === a.idx % q.size ? html`<span class="mark producer" title="avail.idx points here">idx</span>` : nothing}
        ${lastAvail !== null && i === lastAvail % q.size && i !== a.idx % q.size ? html`<span class="mark consumer" title="the device reads this entry next">◆</span>` : nothing}
      </div>`)}
    </div>`;

  const usedStrip = html`
    <h3>Used ring <span class="muted">device → driver, at ${hex(used.addr)}</span></h3>
    <div class="chips">
      ${chip("used.flags", u.flags, used.addr, "1 = VIRTQ_USED_F_NO_NOTIFY: the device asks for no kicks")}
      ${chip("used.idx", u.idx, used.addr + 2, "where the device will put the next used element")}
      ${chip("avail_event", u.availEvent, used.addr + 4 + 8 * q.size, "with VIRTIO_F_EVENT_IDX: kick me when avail.idx passes this")}
      ${chip("last_used_idx", lastUsed, null, "the driver's private count of used elements it has collected")}
    </div>
    <div class="strip used" role="list" aria-label="Used ring entries">
      ${u.ring.map((e, i) => html`<div role="listitem" class="cell ${classes(ctx, used.addr + 4 + 8 * i, 8, { pending: waitingForDriver.has(i) })}"
          title="used.ring[${i}]${waitingForDriver.has(i) ? ": returned, not yet collected by the driver" : ""}"
          @mouseenter=${() => ctx.point(at(4 + 8 * i, used.addr))}>
        <span class="i">[${i}]</span>id ${e.id}<br /><span class="dim">len</span> ${e.len}
        ${i === u.idx % q.size ? html`<span class="mark producer" title="used.idx points here">idx</span>` : nothing}
        ${lastUsed !== null && i === lastUsed % q.size && i !== u.idx % q.size ? html`<span class="mark consumer" title="the driver collects this element next">◆</span>` : nothing}
      </div>`)}
    </div>
    <p class="note muted">Blue cells: entries one side has published and the other has not taken yet. <b>idx</b>: the next slot to fill; ◆: the next slot the other side reads. Dashed chips are private counters, not guest memory.</p>`;

  return html`<div class="cols"><div>${descTable}</div><div>${availStrip}${usedStrip}</div></div>`;
}

function moveFocus(e: KeyboardEvent, ctx: RingContext, size: number): void {
  if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
  e.preventDefault();
  const focused = ctx.focused;
  const current = focused?.queue === ctx.queue.index && focused.descriptor !== undefined ? focused.descriptor : -1;
  const next = Math.max(0, Math.min(size - 1, current + (e.key === "ArrowDown" ? 1 : -1)));
  ctx.point(descriptorFocus(ctx.queue, next));
  const scroller = e.currentTarget as HTMLElement;
  const row = scroller.querySelector<HTMLElement>(`tr[data-index="${next}"]`);
  if (row) {
    const top = row.offsetTop, bottom = top + row.offsetHeight;
    if (top - ROW_HEIGHT < scroller.scrollTop) scroller.scrollTop = top - ROW_HEIGHT;
    else if (bottom > scroller.scrollTop + scroller.clientHeight) scroller.scrollTop = bottom - scroller.clientHeight;
  }
}
