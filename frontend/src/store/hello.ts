/** The first message of a live connection: join a room, resume a session, or open a story. */
import { PROTOCOL_VERSION, type ClientMessage } from "../protocol";

export interface OpenRequest { scenarioFile?: string; scenario?: string; options?: Record<string, unknown>; step?: number; actions?: unknown[]; room?: string; token?: string; session?: string }

export function helloFor(r: OpenRequest, session: string | null): ClientMessage {
  if (r.room) return { type: "join", version: PROTOCOL_VERSION, room: r.room, token: r.token ?? null };
  const resumed = session ?? r.session;
  if (resumed) return { type: "resume", version: PROTOCOL_VERSION, session: resumed };
  return openMessage(r);
}

export function openMessage(r: OpenRequest): ClientMessage {
  if (r.scenarioFile !== undefined) {
    return { type: "open", version: PROTOCOL_VERSION, scenario_file: r.scenarioFile, options: {}, step: r.step ?? 0, actions: [], seed: 0 };
  }
  // the URL's options are numbers, text and flags (url-state.ts): what the server accepts
  const options = (r.options ?? {}) as Extract<ClientMessage, { type: "open" }>["options"];
  return { type: "open", version: PROTOCOL_VERSION, scenario: r.scenario ?? "qemu-emulated", options, step: r.step ?? 0, actions: (r.actions ?? []) as never, seed: 0 };
}
