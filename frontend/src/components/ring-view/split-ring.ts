/**
 * The split virtqueue (virtio-1.2 §2.7) as one table, slot by slot: descriptor i, then
 * avail.ring[i], then used.ring[i], so a head in the available ring and the id in a used
 * element sit level with the slots they name. Chains and the driver's private free list
 * (Linux keeps it in desc_extra[], not in the table) are drawn in the
 * gutter; the marks show where each side writes next and reads next.
 */
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
  const [first, last] = ctx.rows;

  const chip = (name: string, value: unknown, addr: number | null, title: string) => html`<span
      class="chip ${addr === null ? "private" : classes(ctx, addr, 2)}" title=${title}
      @mouseenter=${() => addr !== null && ctx.point(structureAt([q], addr))}>${name} <b data-value=${name}>${value ?? "–"}</b></span>`;
  const mark = (name: string, title: string, text: string, kind: "producer" | "consumer") =>
    html`<span class="mark ${kind}" data-mark=${name} title=${title}>${text}</span>`;

  const row = (i: number) => {
    const d = descs[i]!, at = desc.addr + 16 * i, availAt = avail.addr + 4 + 2 * i, usedAt = used.addr + 4 + 8 * i;
    const usedCls = classes(ctx, usedAt, 8, { pending: waitingForDriver.has(i) });
    return html`<tr data-index=${i} class=${classes(ctx, at, 16, { flight: inFlight.has(i), free: freeSet.has(i), read: read(ctx.frame, at, 16) })}>
      <td class="d" @mouseenter=${() => ctx.point(descriptorFocus(q, i))}>${i}</td>
      <td class="d buf" title="click to see this buffer in the memory panel" @mouseenter=${() => ctx.point(descriptorFocus(q, i))}
        @click=${() => d.len && ctx.point({ addr: d.addr, length: Math.min(d.len, 1024), label: `buffer of descriptor ${i}` })}>${hex(d.addr)}</td>
      <td class="d" @mouseenter=${() => ctx.point(descriptorFocus(q, i))}>${d.len}</td>
      <td class="d" @mouseenter=${() => ctx.point(descriptorFocus(q, i))}>${flagNames(d.flags)}</td>
      <td class="d ${d.flags & 1 ? "" : "dim"}" @mouseenter=${() => ctx.point(descriptorFocus(q, i))}>${d.next}</td>
      <td class="a ${classes(ctx, availAt, 2, { pending: waitingForDevice.has(i) })}" data-head=${a.ring[i]!}
        title="avail.ring[${i}]${waitingForDevice.has(i) ? ": published, not yet taken by the device" : ""}"
        @mouseenter=${() => ctx.point(structureAt([q], availAt))}>${a.ring[i]}
        ${i === a.idx % q.size ? mark("avail-idx", "avail.idx: the driver puts its next head here", "idx", "producer") : nothing}
        ${lastAvail !== null && i === lastAvail % q.size && i !== a.idx % q.size ? mark("last-avail", "last_avail_idx: the device takes this entry next", "◆", "consumer") : nothing}</td>
      <td class="u u1 ${usedCls}" data-id=${u.ring[i]!.id} title="used.ring[${i}].id${waitingForDriver.has(i) ? ": returned, not yet collected by the driver" : ""}"
        @mouseenter=${() => ctx.point(structureAt([q], usedAt))}>${u.ring[i]!.id}</td>
      <td class="u ${usedCls}" title="used.ring[${i}].len: bytes the device wrote" @mouseenter=${() => ctx.point(structureAt([q], usedAt))}>${u.ring[i]!.len}
        ${i === u.idx % q.size ? mark("used-idx", "used.idx: the device puts its next used element here", "idx", "producer") : nothing}
        ${lastUsed !== null && i === lastUsed % q.size && i !== u.idx % q.size ? mark("last-used", "last_used_idx: the driver collects this element next", "◆", "consumer") : nothing}</td>
    </tr>`;
  };
  const rows = [];
  for (let i = first; i < last; i++) rows.push(row(i));

  return html`<div class="areas">
      <div><h3>Descriptor table <span class="muted">${q.size} × 16 B at ${hex(desc.addr)}</span></h3>
        <div class="chips">${chip("free_head", freeHead, null, "the first descriptor on the driver's free list")}${chip("num_free", numFree, null, "descriptors the driver has free")}</div></div>
      <div><h3>Available ring <span class="muted">driver → device</span></h3>
        <div class="chips">
          ${chip("avail.flags", a.flags, avail.addr, "1 = VIRTQ_AVAIL_F_NO_INTERRUPT: the driver asks for no interrupts")}
          ${chip("avail.idx", a.idx, avail.addr + 2, "where the driver will put the next entry (free-running, mod 2^16)")}
          ${chip("used_event", a.usedEvent, avail.addr + 4 + 2 * q.size, "with VIRTIO_F_EVENT_IDX: interrupt me when used.idx passes this")}
          ${chip("last_avail_idx", lastAvail, null, "the device's private count of entries taken (not in shared memory)")}</div></div>
      <div><h3>Used ring <span class="muted">device → driver</span></h3>
        <div class="chips">
          ${chip("used.flags", u.flags, used.addr, "1 = VIRTQ_USED_F_NO_NOTIFY: the device asks for no kicks")}
          ${chip("used.idx", u.idx, used.addr + 2, "where the device will put the next used element")}
          ${chip("avail_event", u.availEvent, used.addr + 4 + 8 * q.size, "with VIRTIO_F_EVENT_IDX: kick me when avail.idx passes this")}
          ${chip("last_used_idx", lastUsed, null, "the driver's private count of used elements it has collected")}</div></div>
    </div>
    <div class="legend muted"><span><i></i>chain (NEXT)</span><span title="Linux keeps the free list in its private desc_extra[].next; the table holds no free links"><i class="free"></i>${privateFree === null ? "free list not recorded" : "driver's private free list (not in guest memory)"}</span><span><i class="flight"></i>in flight</span>
      <span><i class="pending"></i>published, not yet taken</span><span><i class="changed"></i>written this step</span><span><b>idx</b> next to fill · ◆ next to read · dashed: private counters</span></div>
    <div class="scroll" tabindex="0" aria-label="Descriptor table, arrow keys move between descriptors" @keydown=${(e: KeyboardEvent) => moveFocus(e, ctx, q.size)}>
      <div class="desc-wrap">
        <svg class="links" height=${q.size * ROW_HEIGHT} viewBox="0 0 ${GUTTER} ${q.size * ROW_HEIGHT}" aria-hidden="true">
          ${links.map((l) => svg`<path class=${l.kind} d=${linkPath(l, ROW_HEIGHT, GUTTER)}></path>`)}
          ${freeHead !== null && q.driver ? svg`<circle class="dot" cx=${GUTTER - 4} cy=${(freeHead + 0.5) * ROW_HEIGHT} r="2.5"></circle>` : nothing}
        </svg>
        <table aria-label="Descriptor table">
          <thead><tr><th colspan="5" scope="colgroup">descriptor table</th><th class="a" scope="colgroup">avail.ring</th><th class="u1" colspan="2" scope="colgroup">used.ring</th></tr>
            <tr><th scope="col">#</th><th scope="col">addr</th><th scope="col">len</th><th scope="col">flags</th><th scope="col">next</th>
              <th class="a" scope="col">head</th><th class="u1" scope="col">id</th><th scope="col">len</th></tr></thead>
          <tbody>${first > 0 ? html`<tr class="spacer" style="height: ${first * ROW_HEIGHT}px"></tr>` : nothing}${rows}${last < q.size ? html`<tr class="spacer" style="height: ${(q.size - last) * ROW_HEIGHT}px"></tr>` : nothing}</tbody>
        </table>
      </div>
    </div>`;
}

function moveFocus(e: KeyboardEvent, ctx: RingContext, size: number): void {
  if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
  e.preventDefault();
  const focused = ctx.focused;
  const current = focused?.queue === ctx.queue.index && focused.descriptor !== undefined ? focused.descriptor : -1;
  const next = Math.max(0, Math.min(size - 1, current + (e.key === "ArrowDown" ? 1 : -1)));
  ctx.point(descriptorFocus(ctx.queue, next));
  const scroller = e.currentTarget as HTMLElement;
  const top = (next + 2) * ROW_HEIGHT, bottom = top + ROW_HEIGHT; // two header rows
  if (top - 2 * ROW_HEIGHT < scroller.scrollTop) scroller.scrollTop = top - 2 * ROW_HEIGHT;
  else if (bottom > scroller.scrollTop + scroller.clientHeight) scroller.scrollTop = bottom - scroller.clientHeight;
}
