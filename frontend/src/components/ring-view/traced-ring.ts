/**
 * A virtqueue seen through a QEMU trace: where the rings are and what was counted, never
 * bytes the trace does not have. An imported queue's driver and device say `known: false`;
 * drawing their descriptor tables from empty memory would show zeros that never existed.
 */
import { html, nothing } from "lit";
import { hex } from "../../layout/ring";
import { num, type RingContext } from "./ring-context";

/** An imported queue: its ring contents are not in the recording. */
export function isTraced(ctx: Pick<RingContext, "queue">): boolean {
  return ctx.queue.device?.known === false;
}

function counted(dev: Record<string, unknown>): { popped: number; used: number; in_use: number } | null {
  const c = dev.counted;
  if (typeof c !== "object" || c === null) return null;
  const { popped, used, in_use } = c as Record<string, unknown>;
  return typeof popped === "number" && typeof used === "number" && typeof in_use === "number" ? { popped, used, in_use } : null;
}

export function renderTraced(ctx: RingContext) {
  const q = ctx.queue, dev = (q.device ?? {}) as Record<string, unknown>;
  const counts = counted(dev);
  const reported = ["last_avail_idx", "used_idx", "shadow_avail_idx"].map((name) => [name, num(dev[name])] as const);
  const fromQmp = reported.some(([, value]) => value !== null);
  const chip = (name: string, value: number | null, title: string) =>
    html`<span class="chip private" title=${title}>${name} <b>${value ?? "–"}</b></span>`;
  const acting = ctx.frame?.event.queue === q.index ? ctx.frame.event : undefined;
  const element = acting?.kind === "qmp_element" ? acting.values : undefined;
  return html`<div class="traced">
    <p class="notice">A QEMU trace records what the device did with this queue, not the bytes of its rings:
      descriptors, ring entries and buffers are not in the recording, so none are drawn.</p>
    <div class="cols"><div>
      <h3>Where the ${q.format} ring is <span class="muted">(the addresses the driver wrote at queue setup)</span></h3>
      <table aria-label="Ring areas"><thead><tr><th>area</th><th>guest address</th><th>bytes</th></tr></thead>
        <tbody>${q.areas.map((a) => html`<tr><td>${a.label}</td><td>${hex(a.addr)}</td><td>${a.size}</td></tr>`)}</tbody></table>
    </div><div>
      <h3>Counted from the log <span class="muted">since the queue was enabled</span></h3>
      <div class="chips" aria-label="Counted from the log">
        ${chip("popped", counts?.popped ?? null, "virtqueue_pop lines: elements the device took")}
        ${chip("used", counts?.used ?? null, q.format === "packed" ? "virtqueue_fill lines (QEMU 7.2 logs no flush for a packed ring)" : "elements published by virtqueue_flush")}
        ${chip("in use", counts?.in_use ?? null, "taken and not yet returned")}
        ${q.format === "split" ? chip("popped mod 2^16", num(dev.counted_last_avail_idx), "equals last_avail_idx if the ring started at 0 and was never rewound") : nothing}
      </div>
      <h3>Reported by QEMU over QMP</h3>
      ${fromQmp
        ? html`<div class="chips" aria-label="Reported by QEMU">${reported.map(([name, value]) => chip(name, value, "from x-query-virtio-queue-status"))}</div>`
        : html`<p class="note muted">No QMP reply about this queue yet: ring indices appear here once one is imported.</p>`}
      ${element ? html`<h3>This element, as QEMU lists it</h3>
        <p class="chain">head ${String(element.head)}: ${String(element.chain ?? "")}</p>` : nothing}
    </div></div>
  </div>`;
}
