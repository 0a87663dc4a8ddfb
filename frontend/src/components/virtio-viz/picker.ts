/**
 * The scenario menu: the model's stories, then the real recordings the server ships
 * (`GET /api/recordings`). A recording opens as a trace (`?src=/api/recordings/ID/trace`),
 * so the address bar stays a permalink either way.
 */
import { html, nothing } from "lit";

export interface MenuEntry { id: string; title: string }
export interface RecordingEntry extends MenuEntry { summary: string; trace_url: string }

/** What the reader chose: a scenario to run live, or a recording's trace to replay. */
export type MenuChoice = { scenario: string } | { src: string };

const RECORDINGS_PATH = /^\/api\/recordings\/[a-z0-9-]+\/trace$/;

/** Is `src` one of the server's own recordings (then the menu still shows)? */
export function isShippedRecording(src: string | null): boolean {
  return src !== null && RECORDINGS_PATH.test(src);
}

export function readPick(value: string): MenuChoice {
  return value.startsWith("src:") ? { src: value.slice(4) } : { scenario: value.slice("scenario:".length) };
}

export function picker(scenarios: MenuEntry[], recordings: RecordingEntry[], current: string, pick: (p: MenuChoice) => void) {
  const choose = (e: Event) => pick(readPick((e.target as HTMLSelectElement).value));
  return html`<select aria-label="scenario" @change=${choose}>
    <optgroup label="The model, step by step">
      ${scenarios.map((sc) => html`<option value="scenario:${sc.id}" ?selected=${current === `scenario:${sc.id}`}>${sc.title}</option>`)}
    </optgroup>
    ${recordings.length ? html`<optgroup label="Real recordings: QEMU and Linux">
      ${recordings.map((r) => html`<option value="src:${r.trace_url}" title=${r.summary} ?selected=${current === `src:${r.trace_url}`}>${r.title}</option>`)}
    </optgroup>` : nothing}
  </select>`;
}

/** The menu's entries from the server; an empty list if it cannot say (the page still works). */
export async function loadMenu(server: string): Promise<[MenuEntry[], RecordingEntry[]]> {
  const get = async <T>(path: string): Promise<T[]> => {
    try {
      const response = await fetch(new URL(path, server));
      return response.ok ? ((await response.json()) as T[]) : [];
    } catch { return []; }
  };
  return Promise.all([get<MenuEntry>("/api/scenarios"), get<RecordingEntry>("/api/recordings")]);
}
