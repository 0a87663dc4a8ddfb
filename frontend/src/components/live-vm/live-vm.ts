/**
 * <vv-live-vm>: the live VM's panel. The guest's serial console (its output as it comes,
 * a line to type into, buttons for the usual commands), the VM's state, and the live
 * edge: while the reader follows, the views move to each new step as the VM makes it;
 * stepping back or scrubbing stops that, "live" resumes it. The timeline itself comes
 * through the page's ordinary session; this panel only talks to the console socket.
 */
import { LitElement, css, html, nothing } from "lit";
import { customElement, property, query, state } from "lit/decorators.js";
import type { TimelineStore } from "../../store/store";
import { download } from "../arch-diagram/export-image";
import { theme } from "../theme";
import { appendOutput } from "./console-text";
import { Follow } from "./follow";
import type { ConsoleIn, ConsoleOut } from "./live-api";

const BUTTONS: [string, string][] = [["ping", "ping ×3"], ["ping_burst", "20 pings"], ["dns", "UDP: nslookup"],
  ["link_down", "link down"], ["link_up", "link up"]];

@customElement("vv-live-vm")
export class LiveVm extends LitElement {
  static override styles = [theme, css`
    :host { display: block; }
    .bar { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin-bottom: 6px; }
    .dot { font-weight: 600; }
    .dot.ready { color: var(--vv-active); } .dot.booting { color: var(--vv-notification); } .dot.stopped { color: var(--vv-violation); }
    pre { margin: 0; height: 12em; overflow: auto; background: #000; color: #d8e0e8; padding: 6px 8px; border-radius: 6px;
      font-family: var(--vv-mono); font-size: 0.8em; white-space: pre-wrap; overflow-wrap: anywhere; }
    form { display: flex; gap: 6px; margin-top: 6px; }
    input { flex: 1; min-width: 0; background: var(--vv-panel-2); border: 1px solid var(--vv-line); border-radius: 6px; padding: 4px 6px; font-family: var(--vv-mono); }
    .commands { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 6px; }
    .error { color: var(--vv-violation); font-size: 0.85em; }
    button.on { border-color: var(--vv-active); }
  `];

  @property() server = "";
  @property() vm = "";
  @property() token: string | null = null;
  @property({ attribute: false }) store: TimelineStore | null = null;
  @state() private output = "";
  @state() private vmState = "connecting";
  @state() private reason: string | null = null;
  @state() private control = false;
  @state() private error = "";
  @state() private following = true;
  private follow = new Follow();
  @query("pre") private screen!: HTMLPreElement | null;
  @query("input") private line!: HTMLInputElement | null;
  private socket: WebSocket | null = null;
  private onStore = () => this.storeChanged();

  override connectedCallback(): void {
    super.connectedCallback();
    this.store?.addEventListener("change", this.onStore);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.store?.removeEventListener("change", this.onStore);
    this.socket?.close();
    this.socket = null;
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has("store")) {
      (changed.get("store") as TimelineStore | null | undefined)?.removeEventListener("change", this.onStore);
      this.store?.addEventListener("change", this.onStore);
      this.storeChanged();
    }
    if ((changed.has("vm") || changed.has("token") || changed.has("server")) && this.vm) this.connect();
  }

  override updated(): void {
    if (this.screen) this.screen.scrollTop = this.screen.scrollHeight;
  }

  // -- the live edge ----------------------------------------------------------------------
  private storeChanged(): void {
    const store = this.store;
    if (!store?.header) return;
    const target = this.follow.changed({ step: store.step, length: store.length });
    this.following = this.follow.following;
    if (target !== null) this.seek(target);
  }

  private seek(step: number): void {
    this.dispatchEvent(new CustomEvent<number>("seek", { detail: step, bubbles: true, composed: true }));
  }

  private goLive(): void {
    const target = this.follow.resume();
    this.following = true;
    if (target !== null) this.seek(target);
  }

  private pause(): void {
    this.follow.following = this.following = false;
  }

  // -- the console socket ---------------------------------------------------------------
  private connect(): void {
    this.socket?.close();
    const base = new URL(this.server || location.href);
    const scheme = base.protocol === "https:" ? "wss:" : "ws:";
    const query = this.token ? `?token=${encodeURIComponent(this.token)}` : "";
    const socket = new WebSocket(`${scheme}//${base.host}/ws/live/${encodeURIComponent(this.vm)}${query}`);
    this.socket = socket;
    socket.addEventListener("message", (event) => this.receive(JSON.parse(String(event.data)) as ConsoleOut));
    socket.addEventListener("close", () => { if (this.socket === socket && this.vmState !== "stopped") this.vmState = "disconnected"; });
  }

  private receive(message: ConsoleOut): void {
    switch (message.type) {
      case "hello":
        this.control = message.control;
        this.output = appendOutput("", message.output);
        this.vmState = message.state; this.reason = message.reason;
        break;
      case "output": this.output = appendOutput(this.output, message.text); break;
      case "state": this.vmState = message.state; this.reason = message.reason; break;
      case "error": this.error = message.message; break;
    }
  }

  private send(message: ConsoleIn): void {
    this.error = "";
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private submit(e: Event): void {
    e.preventDefault();
    const text = this.line?.value ?? "";
    if (!text.trim()) return;
    this.send({ type: "line", text });
    if (this.line) this.line.value = "";
    this.goLive();
  }

  private keydown(e: KeyboardEvent): void {
    if (e.ctrlKey && e.key === "c" && !window.getSelection()?.toString()) { e.preventDefault(); this.send({ type: "keys", text: "\x03" }); }
  }

  private async exportTrace(): Promise<void> {
    const reply = await fetch(new URL(`/api/live/${encodeURIComponent(this.vm)}/trace`, this.server || location.href));
    if (!reply.ok) { this.error = "the server could not export this VM's trace"; return; }
    download(`virtio-viz-live-${this.vm}.json`, new Blob([await reply.text()], { type: "application/json" }));
  }

  private async powerOff(): Promise<void> {
    await fetch(new URL(`/api/live/${encodeURIComponent(this.vm)}`, this.server || location.href),
      { method: "DELETE", headers: { "x-live-token": this.token ?? "" } });
  }

  override render() {
    const ready = this.vmState === "ready";
    const state = ready ? "running" : this.vmState;
    return html`<h2>Live VM</h2>
      <div class="bar">
        <span class="dot ${this.vmState}" role="status">● ${state}</span>
        ${this.reason ? html`<span class="muted">${this.reason}</span>` : nothing}
        ${this.following
          ? html`<button class="on" aria-label="stop following the VM" @click=${() => this.pause()}>live: following</button>`
          : html`<button aria-label="jump back to live" @click=${() => this.goLive()}>jump to live</button>`}
        <button aria-label="export this VM's trace" @click=${() => void this.exportTrace()}>export trace</button>
        ${this.control && this.vmState !== "stopped" ? html`<button aria-label="power the VM off" @click=${() => void this.powerOff()}>power off</button>` : nothing}
      </div>
      <pre aria-label="the guest's serial console" tabindex="0">${this.output}</pre>
      ${this.control && ready ? html`
        <form @submit=${(e: Event) => this.submit(e)}>
          <input aria-label="a command for the guest" placeholder="type a command for the guest, Enter" autocomplete="off" spellcheck="false"
            @keydown=${(e: KeyboardEvent) => this.keydown(e)} />
          <button type="submit">run</button>
        </form>
        <div class="commands">
          ${BUTTONS.map(([name, label]) => html`<button @click=${() => { this.send({ type: "command", name }); this.goLive(); }}>${label}</button>`)}
          <button aria-label="send Ctrl-C" @click=${() => this.send({ type: "keys", text: "\x03" })}>Ctrl-C</button>
        </div>` : nothing}
      ${!this.control ? html`<p class="muted">Watching: only the VM's owner types into it.</p>` : nothing}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap { "vv-live-vm": LiveVm }
}
