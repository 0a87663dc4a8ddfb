/**
 * <vv-host>: "Run it yourself". The QEMU command line and the libvirt domain XML that
 * build the scenario on a real host, with the parts that act in the current step lit up,
 * the transports the architecture exists on, and what a machine needs to run it.
 *
 * It asks the server which scenarios have a configuration (GET /api/host, once), then
 * fetches GET /api/host/{scenario} whenever the scenario or its options change, and fires
 * `host-options` ({transport}) when the reader picks another transport. A scenario with
 * no host (the ring lab, a recording) shows nothing.
 */
import { LitElement, css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { Frame } from "../../protocol";
import { theme } from "../theme";
import {
  TRANSPORT_NAMES, cliCommand, hasConfig, hostQuery, litMarks, type HostCatalog, type HostConfig, type HostLines,
} from "./host-config";

type View = "qemu" | "libvirt";
export interface HostScenario { id: string; options: Record<string, unknown> }

const NOTE_TITLES: Record<string, string> = {
  "not-here": "Not on this machine", adjusted: "Adjusted", about: "Good to know", guest: "In the guest",
};

@customElement("vv-host")
export class HostPanel extends LitElement {
  static override styles = [theme, css`
    :host { display: block; }
    .bar { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin-bottom: 6px; }
    .bar button { font-size: 0.78em; padding: 2px 8px; }
    .bar button[aria-pressed="true"] { border-color: var(--vv-accent); background: var(--vv-focus); }
    .bar .label { font-size: 0.78em; color: var(--vv-muted); }
    pre { font-family: var(--vv-mono); font-size: 0.74em; line-height: 1.45; margin: 0; padding: 8px;
      background: var(--vv-panel-2); border: 1px solid var(--vv-line); border-radius: 6px;
      white-space: pre-wrap; overflow-wrap: break-word; }
    code { font-family: var(--vv-mono); font-size: 0.95em; overflow-wrap: anywhere; }
    .lit { background: var(--vv-changed); box-shadow: inset 0 -2px var(--vv-notification); }
    .now { font-size: 0.82em; margin: 6px 0; min-height: 1.3em; }
    .now b { color: var(--vv-notification); }
    ul { margin: 6px 0 0; padding-left: 18px; font-size: 0.8em; }
    li { margin: 3px 0; }
    li b { font-weight: 600; }
    .cli { font-family: var(--vv-mono); font-size: 0.78em; overflow-wrap: anywhere; }
  `];

  @property({ attribute: false }) scenario: HostScenario | null = null;
  @property({ attribute: false }) frame: Frame | null = null;
  @property({ attribute: false }) chapter: string | null = null;
  @property({ attribute: false }) server: string | null = null;

  @state() private config: HostConfig | null = null;
  @state() private missing = true; // until the catalog says this scenario has a host
  @state() private offline = false;
  @state() private view: View = "qemu";
  private catalog: Promise<HostCatalog | null> | null = null;
  private asked = "";

  override willUpdate(changed: Map<string, unknown>): void {
    if (!changed.has("scenario") || !this.scenario) return;
    const url = `/api/host/${encodeURIComponent(this.scenario.id)}${hostQuery(this.scenario.options)}`;
    if (url !== this.asked) { this.asked = url; void this.load(url, this.scenario); }
  }

  private async get<T>(url: string): Promise<T | null> {
    const reply = await fetch(new URL(url, this.server ?? location.href));
    return reply.ok ? ((await reply.json()) as T) : null;
  }

  private async load(url: string, scenario: HostScenario): Promise<void> {
    try {
      this.catalog ??= this.get<HostCatalog>("/api/host");
      const catalog = await this.catalog;
      if (!catalog || !hasConfig(catalog, scenario.id, scenario.options)) {
        this.missing = true;
        return;
      }
      const config = await this.get<HostConfig>(url);
      if (url !== this.asked) return; // a newer request went out meanwhile
      [this.config, this.missing, this.offline] = [config, config === null, false];
    } catch {
      this.catalog = null;
      [this.config, this.missing, this.offline] = [null, false, true];
    }
  }

  override render() {
    if (!this.scenario || this.missing) return nothing;
    const command = cliCommand(this.scenario.id, this.scenario.options);
    if (this.offline || !this.config) {
      return html`<h2>Run it yourself</h2><p class="muted now">${this.offline
        ? html`The server is not reachable from here. In a terminal: <span class="cli">${command}</span>` : "Loading…"}</p>`;
    }
    const config = this.config;
    const event = this.frame?.event;
    const lit = litMarks(config.marks, event ? { kind: event.kind, values: event.values, chapter: this.chapter } : null);
    const lines = this.view === "qemu" ? config.qemu.lines : config.libvirt.lines;
    const why = config.marks.filter((m) => lit.has(m.id));
    return html`<h2>Run it yourself</h2>
      <div class="bar" role="group" aria-label="transport">
        <span class="label">on</span>
        ${config.transports.map((t) => html`<button aria-pressed=${String((config.options.transport ?? "pci") === t)}
          @click=${() => this.pick(t)}>${TRANSPORT_NAMES[t] ?? t}</button>`)}
      </div>
      <div class="bar" role="group" aria-label="configuration">
        <button aria-pressed=${String(this.view === "qemu")} @click=${() => { this.view = "qemu"; }}>QEMU command line</button>
        <button aria-pressed=${String(this.view === "libvirt")} @click=${() => { this.view = "libvirt"; }}>libvirt XML</button>
        <button aria-label="copy the ${this.view === "qemu" ? "QEMU command line" : "libvirt XML"}" @click=${() => void this.copy()}>copy</button>
      </div>
      <pre aria-label=${this.view === "qemu" ? "QEMU command line" : "libvirt domain XML"}>${this.code(lines, lit)}</pre>
      <p class="now" aria-live="polite">${why.length
        ? why.map((m, i) => html`${i ? html`<br />` : nothing}<b>Lit now:</b> ${m.why}`)
        : html`<span class="muted">Step through the story: the parts that act in a step light up.</span>`}</p>
      ${config.guest.length ? html`<h2>In the guest</h2><pre aria-label="commands in the guest">${config.guest.join("\n")}</pre>` : nothing}
      <ul aria-label="notes">${config.notes.map((n) => html`<li><b>${NOTE_TITLES[n.kind] ?? n.kind}:</b> ${withCode(n.text)}</li>`)}
        <li><b>From a terminal:</b> <span class="cli">${command}</span></li></ul>`;
  }

  /** The lines, each segment a span that knows its mark; a long QEMU argument may wrap
   * before any of its ",key=value" properties. */
  private code(lines: HostLines, lit: Set<string>) {
    return lines.map((line, i) => html`${i ? "\n" : ""}${line.map((s) => html`${s.text.startsWith(",") ? html`<wbr>` : nothing}${
      s.mark ? html`<span class=${lit.has(s.mark) ? "lit" : ""} data-mark=${s.mark}>${s.text}</span>` : s.text}`)}`);
  }

  private pick(transport: string): void {
    if ((this.scenario?.options.transport ?? "pci") === transport) return;
    this.dispatchEvent(new CustomEvent("host-options", { detail: { transport }, bubbles: true, composed: true }));
  }

  private async copy(): Promise<void> {
    if (!this.config) return;
    const text = this.view === "qemu" ? this.config.qemu.lines.map((l) => l.map((s) => s.text).join("")).join("\n")
      : this.config.libvirt.xml;
    await navigator.clipboard?.writeText(text).catch(() => undefined);
  }
}

/** Text with `backquoted` commands set as code. */
function withCode(text: string) {
  return text.split("`").map((part, i) => (i % 2 ? html`<code>${part}</code>` : part));
}

declare global {
  interface HTMLElementTagNameMap { "vv-host": HostPanel }
}
