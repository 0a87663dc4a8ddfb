/**
 * What the page's entry script does before the element's code has loaded: a page that
 * keeps its state in the URL and opens a live timeline on this server opens its socket
 * at once (store/early-socket.ts), with the request the element will make.
 */
import { earlyOpen } from "../../store/early-socket";
import type { OpenRequest } from "../../store/hello";
import { LIVE_ENTRY } from "../live-vm/live-api";
import { readEmbedParams, type EmbedParams } from "./embed-params";
import { readUrl, type UrlState } from "./url-state";

/** The websocket of the server at `base` (a page's address or the `server` attribute). */
export function wsUrlFor(base: string): string {
  const url = new URL(base);
  return `${url.protocol === "https:" ? "wss:" : "ws:"}//${url.host}/ws`;
}

/** The step a page opens at: the URL's, or the first of the embedded range if later. */
export function firstStep(url: UrlState, embed: EmbedParams): number {
  return embed.from !== null ? Math.max(url.step, embed.from) : url.step;
}

/** The live request a url-state page makes, or null: a trace, the speaker's notes, a VM to claim first. */
export function urlRequest(search: string): OpenRequest | null {
  const url = readUrl(search);
  if (url.src || url.scenario === LIVE_ENTRY.id || new URLSearchParams(search).get("notes") === "1") return null;
  return { scenario: url.scenario, options: url.options, step: firstStep(url, readEmbedParams(search)),
    room: url.room ?? undefined, token: url.token ?? undefined, actions: url.actions };
}

export function startEarly(doc: Document): void {
  const element = doc.querySelector("virtio-viz[url-state]");
  if (!element || element.hasAttribute("src") || element.hasAttribute("server")) return;
  const request = urlRequest(doc.location.search);
  if (request) earlyOpen(wsUrlFor(doc.location.href), request);
}
