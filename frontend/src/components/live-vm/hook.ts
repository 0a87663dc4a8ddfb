/**
 * What <virtio-viz> needs to offer a live VM, in two calls (the menu entry comes with the
 * server's scenarios, only when it can run a VM): the options that open it (a VM claimed
 * when none is named), and the panel beside the story.
 */
import { html, nothing } from "lit";
import type { TraceHeader } from "../../protocol";
import type { TimelineStore } from "../../store/store";
import { LIVE_ENTRY, claimVm, tokenFor } from "./live-api";
import "./live-vm";

/** The options to open `scenario` with: for "live" without a VM, a VM claimed now. */
export async function liveOptions(base: string, scenario: string, options: Record<string, unknown>, inRoom: boolean): Promise<Record<string, unknown>> {
  if (scenario !== LIVE_ENTRY.id || options.vm || inRoom) return options;
  return { ...options, ...(await claimVm(base, options)).options };
}

/** The panel, beside a live VM's session (a replayed trace of one has no VM to talk to). */
export function livePanel(server: string | null, header: TraceHeader, store: TimelineStore, fromServer: boolean) {
  if (header.scenario.id !== LIVE_ENTRY.id || !fromServer) return nothing;
  const vm = String(header.scenario.options.vm ?? "");
  const token = store.role === "follower" ? null : tokenFor(vm);
  return html`<vv-live-vm .server=${server ?? ""} .vm=${vm} .token=${token} .store=${store}></vv-live-vm>`;
}
