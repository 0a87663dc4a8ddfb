/**
 * Files dropped on the page: a trace (.json) replays here, a scenario file (.yaml) opens a
 * live session on the server, anything else is taken for a QEMU recording and imported.
 */
import type { Trace } from "../../protocol";
import { LiveSource, TraceSource, type Source } from "../../store/sources";
import type { TimelineStore } from "../../store/store";

export async function openDropped(store: TimelineStore, name: string, text: string, server: string, wsUrl: string): Promise<Source> {
  if (/\.ya?ml$/i.test(name)) {
    const live = new LiveSource(store, wsUrl, { scenarioFile: text, step: 0 });
    await live.start();
    return live;
  }
  let trace: Trace;
  if (/\.json$/i.test(name)) {
    trace = JSON.parse(text) as Trace;
  } else {
    const reply = await fetch(new URL("/api/import", server), {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text, filename: name }),
    });
    const body = (await reply.json()) as Trace & { message?: string };
    if (!reply.ok) throw new Error(body.message ?? `the server refused ${name}`);
    trace = body;
  }
  const source = new TraceSource(store, name, 0);
  source.load(trace);
  store.error = null;
  return source;
}
