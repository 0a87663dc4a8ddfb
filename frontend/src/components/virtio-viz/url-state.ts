/** The view's state in the URL, so every view is a permalink: the scenario, its options,
 * the reader's actions (the fork, one `act` each) and the step. */
import { actionText, readAction, type PlacedAction } from "./placed-actions";

export interface UrlState {
  src: string | null;
  scenario: string;
  step: number;
  options: Record<string, unknown>;
  actions: PlacedAction[];
  room: string | null;
  token: string | null;
  theme: string | null;
  /** the dock's open panels (panels.ts ids) */
  open: string[];
}

const OPTION_KEYS = ["transport", "ring", "queue_size", "event_idx", "initial_index"] as const;

export function readUrl(search: string): UrlState {
  const q = new URLSearchParams(search);
  const options: Record<string, unknown> = {};
  for (const key of OPTION_KEYS) {
    const raw = q.get(key);
    if (raw === null) continue;
    if (key === "event_idx") options[key] = raw !== "0" && raw !== "false";
    else if (key === "queue_size" || key === "initial_index") options[key] = Number(raw);
    else options[key] = raw;
  }
  const step = Number(q.get("step") ?? "1");
  return {
    src: q.get("src"),
    scenario: q.get("scenario") ?? "qemu-emulated",
    step: Number.isFinite(step) && step >= 1 ? Math.floor(step) - 1 : 0,
    options,
    actions: q.getAll("act").map(readAction).filter((a): a is PlacedAction => a !== null),
    room: q.get("room"),
    token: q.get("token"),
    theme: q.get("theme"),
    open: (q.get("open") ?? "").split(",").filter((p) => /^[a-z-]+$/.test(p)),
  };
}

/** Steps are 1-based in URLs (what the reader sees), 0-based inside. */
export function writeUrl(state: UrlState): string {
  const q = new URLSearchParams();
  if (state.src) q.set("src", state.src);
  else if (state.room) q.set("room", state.room);
  else q.set("scenario", state.scenario);
  for (const [key, value] of Object.entries(state.options)) q.set(key, typeof value === "boolean" ? (value ? "1" : "0") : String(value));
  if (!state.src && !state.room) for (const action of state.actions) q.append("act", actionText(action));
  if (!state.room) q.set("step", String(state.step + 1));
  if (state.theme) q.set("theme", state.theme);
  if (state.open.length) q.set("open", state.open.join(","));
  return `?${q.toString()}`;
}
