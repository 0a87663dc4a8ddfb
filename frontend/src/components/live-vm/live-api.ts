/**
 * The live VM's REST calls and console socket messages (server: api/live.py), and where the
 * page keeps a VM's token: sessionStorage, so a reload of the same tab keeps control.
 */
export interface LiveStatus { available: boolean; reason: string | null; max_vms: number; vms: { id: string; state: string; claimed: boolean }[] }
export interface Claimed { vm: string; token: string; options: Record<string, unknown> }

/** Server -> page on /ws/live/{vm}. */
export type ConsoleOut =
  | { type: "hello"; vm: string; control: boolean; state: string; reason: string | null; commands: Record<string, string>; output: string }
  | { type: "output"; text: string }
  | { type: "state"; state: string; reason: string | null }
  | { type: "error"; code: string; message: string; field: string | null };

/** Page -> server on /ws/live/{vm}. */
export type ConsoleIn = { type: "line"; text: string } | { type: "keys"; text: string } | { type: "command"; name: string };

export const LIVE_ENTRY = { id: "live" }; // the scenario id the server lists a live VM under

export async function liveStatus(base: string): Promise<LiveStatus | null> {
  try {
    const reply = await fetch(new URL("/api/live", base));
    return reply.ok ? ((await reply.json()) as LiveStatus) : null;
  } catch { return null; }
}

/** Start a VM (or take the one the server booted). When every VM the server may run is
 * taken, the page watches the first one, without its token. */
export async function claimVm(base: string, options: Record<string, unknown>): Promise<Claimed> {
  const status = await liveStatus(base);
  const free = status && (status.vms.length < status.max_vms || status.vms.some((vm) => !vm.claimed));
  const running = status?.vms[0];
  if (!free && running) return { vm: running.id, token: "", options: { vm: running.id } };
  const reply = await fetch(new URL("/api/live", base), {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ ring: options.ring ?? "split", event_idx: options.event_idx ?? true }),
  });
  const body = (await reply.json()) as Claimed & { message?: string };
  if (!reply.ok) throw new Error(body.message ?? "the server could not start a VM");
  rememberToken(body.vm, body.token);
  return body;
}

const KEY = (vm: string) => `virtio-viz-live-${vm}`;
export function rememberToken(vm: string, token: string): void { try { sessionStorage.setItem(KEY(vm), token); } catch { /* private mode */ } }
export function tokenFor(vm: string): string | null { try { return sessionStorage.getItem(KEY(vm)); } catch { return null; } }
