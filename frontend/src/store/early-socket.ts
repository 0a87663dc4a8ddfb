/**
 * A live page's socket, opened before the page's code has loaded.
 *
 * How this works: the pages' entry is a small file (`main.ts`); its first module,
 * `boot.ts`, reads the address, opens the websocket and sends the first message once it
 * is open (`earlyOpen`). The element's code is a chunk of its own, which the page fetches
 * at the same time (a modulepreload link), so the handshake and the server's first
 * messages overlap its download, its evaluation and the first render; the server's
 * `opened` and first `position` wait here if they come before the element asks for them.
 * When the element starts its `LiveSource` for the same address and the same first
 * message, it takes this socket (`takeEarly`) and reads what came first; with any other
 * request the early socket is closed and a new one opened, as without it. It is taken
 * once: a later start (another scenario, a room, a reconnect) opens its own.
 */
import { helloFor, type OpenRequest } from "./hello";

export class EarlySocket {
  readonly socket: WebSocket;
  private waiting: string[] = [];
  private sink: ((data: string) => void) | null = null;

  constructor(readonly url: string, readonly hello: string) {
    this.socket = new WebSocket(url);
    this.socket.addEventListener("open", () => this.socket.send(hello));
    this.socket.addEventListener("message", (event) => {
      const data = String(event.data);
      if (this.sink) this.sink(data);
      else this.waiting.push(data);
    });
  }

  /** From now on messages go to `sink`, those that came before first. */
  adopt(sink: (data: string) => void): void {
    for (const data of this.waiting.splice(0)) sink(data);
    this.sink = sink;
  }

  get usable(): boolean {
    return this.socket.readyState === WebSocket.CONNECTING || this.socket.readyState === WebSocket.OPEN;
  }
}

let early: EarlySocket | null = null;

export function earlyOpen(url: string, request: OpenRequest): void {
  early?.socket.close();
  early = new EarlySocket(url, JSON.stringify(helloFor(request, null)));
}

/** The early socket, if it is still open and was opened for this address and first message. */
export function takeEarly(url: string, hello: string): EarlySocket | null {
  const found = early;
  early = null;
  if (!found) return null;
  if (found.url === url && found.hello === hello && found.usable) return found;
  found.socket.close();
  return null;
}
