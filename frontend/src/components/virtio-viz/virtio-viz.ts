/**
 * <virtio-viz>: the whole product surface. The app page, the embed page and any site
 * that loads the script use this one element; attributes choose what it shows.
 */
import { LitElement, css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { ActionSpec } from "../../protocol";
import { LiveSource, TraceSource, type Source } from "../../store/sources";
import { TimelineStore } from "../../store/store";
import { theme, tokens } from "../theme";
import type { Command } from "../timeline-bar/timeline-bar";
import type { Focus } from "../ring-view/ring-view";
import { readUrl, writeUrl } from "./url-state";
import "../arch-diagram/arch-diagram";
import "../ring-view/ring-view";
import "../status-lights/status-lights";
import "../feature-table/feature-table";
import "../hex-view/hex-view";
import "../narration-panel/narration-panel";
import "../timeline-bar/timeline-bar";
import "../event-log/event-log";

@customElement("virtio-viz")
export class VirtioViz extends LitElement {
  static override styles = [tokens, theme, css`
    :host { display: block; background: var(--vv-bg); box-sizing: border-box; overflow: auto; }
    .page { display: grid; gap: 10px; padding: 10px; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr);
      grid-template-areas: "head head" "diagram story" "rings rings" "hex side" "bar bar"; }
    .page > * { min-width: 0; }
    header { grid-area: head; display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
    header h1 { font-size: 1.1em; margin: 0 8px 0 0; }
    header .grow { flex: 1; }
    .diagram { grid-area: diagram; padding: 8px; min-height: 260px; }
    .story { grid-area: story; padding: 12px; display: flex; flex-direction: column; gap: 12px; }
    .rings { grid-area: rings; padding: 10px; }
    .hex { grid-area: hex; padding: 10px; }
    .side { grid-area: side; padding: 10px; display: flex; flex-direction: column; gap: 12px; }
    .bar { grid-area: bar; padding: 8px 10px; position: sticky; bottom: 0; z-index: 2; }
    .error { color: var(--vv-violation); font-size: 0.9em; }
    .actions { display: flex; gap: 6px; flex-wrap: wrap; align-items: center; font-size: 0.85em; }
    .scrim { position: fixed; inset: 0; z-index: 9; background: rgb(0 0 0 / 0.45); }
    .help { position: fixed; z-index: 10; top: 50%; left: 50%; transform: translate(-50%, -50%);
      width: min(560px, calc(100vw - 32px)); max-height: calc(100vh - 32px); box-sizing: border-box; padding: 20px; overflow: auto;
      box-shadow: 0 12px 40px rgb(0 0 0 / 0.35); }
    .help h2 { margin-bottom: 12px; }
    .help dl { display: grid; grid-template-columns: auto 1fr; gap: 4px 16px; }
    .help dt { font-family: var(--vv-mono); }
    :host([compact]) .page { grid-template-areas: "diagram story" "bar bar"; }
    :host([compact]) .rings, :host([compact]) .hex, :host([compact]) .side, :host([compact]) header { display: none; }
    @media (max-width: 900px) {
      .page { grid-template-columns: minmax(0, 1fr); grid-template-areas: "head" "story" "diagram" "bar" "rings" "hex" "side"; }
      :host([compact]) .page { grid-template-areas: "story" "diagram" "bar"; }
    }
  `];

  @property() src: string | null = null;
  @property() scenario = "qemu-emulated";
  @property({ type: Number }) step = 0;
  @property({ reflect: true }) theme: string | null = null;
  @property({ type: Boolean, attribute: "url-state" }) urlState = false;
  @property({ type: Boolean, reflect: true }) compact = false;
  @property() server: string | null = null;

  @state() private focusBytes: Focus | null = null;
  @state() private help = false;
  @state() private loadError: string | null = null;
  @state() private scenarios: { id: string; title: string }[] = [];

  readonly store = new TimelineStore();
  private source: Source | null = null;
  private timer: number | undefined;
  private options: Record<string, unknown> = {};
  private room: string | null = null;
  private token: string | null = null;
  private onStoreChange = () => { this.requestUpdate(); this.syncUrl(); };
  private onKey = (e: KeyboardEvent) => this.key(e);

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.urlState) {
      const url = readUrl(location.search);
      this.src = url.src ?? this.src;
      this.scenario = url.scenario;
      this.step = url.step;
      this.options = url.options;
      this.room = url.room;
      this.token = url.token;
      if (url.theme) this.theme = url.theme;
    }
    if (!this.theme) this.theme = window.matchMedia?.("(prefers-color-scheme: light)").matches ? "light" : "dark";
    this.store.addEventListener("change", this.onStoreChange);
    (this.urlState ? window : this).addEventListener("keydown", this.onKey as EventListener);
    if (!this.urlState) this.tabIndex = 0;
    void this.start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.store.removeEventListener("change", this.onStoreChange);
    (this.urlState ? window : this).removeEventListener("keydown", this.onKey as EventListener);
    this.stopTimer();
    this.source?.close();
  }

  private wsUrl(): string {
    const base = new URL(this.server ?? location.href);
    return `${base.protocol === "https:" ? "wss:" : "ws:"}//${base.host}/ws`;
  }

  private async start(): Promise<void> {
    this.source?.close();
    this.loadError = null;
    try {
      if (this.src) {
        this.source = new TraceSource(this.store, this.src, this.step);
      } else {
        this.source = new LiveSource(this.store, this.wsUrl(), {
          scenario: this.scenario, options: this.options, step: this.step,
          room: this.room ?? undefined, token: this.token ?? undefined,
        });
        void this.loadScenarios();
      }
      await this.source.start();
    } catch (error) {
      this.loadError = error instanceof Error ? error.message : String(error);
    }
  }

  private async loadScenarios(): Promise<void> {
    try {
      const response = await fetch(new URL("/api/scenarios", this.server ?? location.href));
      if (response.ok) this.scenarios = (await response.json()) as { id: string; title: string }[];
    } catch { /* the picker stays empty; the session still works */ }
  }

  private syncUrl(): void {
    if (!this.urlState || !this.store.header) return;
    const query = writeUrl({ src: this.src, scenario: this.store.header.scenario.id, step: this.store.step,
      options: this.options, room: this.room, token: null, theme: null });
    if (query !== location.search) history.replaceState(null, "", query);
  }

  // -- moving ------------------------------------------------------------------------------
  seek(step: number): void { this.source?.seek(step); }

  private command(command: Command): void {
    const s = this.store, chapters = s.header?.chapters ?? [];
    const here = s.chapterAt();
    switch (command) {
      case "first": return this.seek(0);
      case "last": return this.seek(s.length - 1);
      case "back": return this.seek(s.step - 1);
      case "step": return this.seek(s.step + 1);
      case "prev-chapter": {
        const c = chapters[here];
        return this.seek(c && s.step > c.first_step ? c.first_step : chapters[Math.max(0, here - 1)]?.first_step ?? 0);
      }
      case "next-chapter": return this.seek(chapters[here + 1]?.first_step ?? s.length - 1);
      case "play": return this.togglePlay();
    }
  }

  private togglePlay(): void {
    if (this.timer !== undefined) { this.stopTimer(); this.source?.pause(); return; }
    this.store.playing = true;
    this.source?.play(this.store.speed);
    this.timer = window.setInterval(() => {
      if (this.store.step >= this.store.length - 1) { this.stopTimer(); this.source?.pause(); return; }
      this.seek(this.store.step + 1);
    }, 1000 / this.store.speed);
    this.requestUpdate();
  }

  private stopTimer(): void {
    if (this.timer !== undefined) window.clearInterval(this.timer);
    this.timer = undefined;
    this.store.playing = false;
    this.requestUpdate();
  }

  private key(e: KeyboardEvent): void {
    const target = e.composedPath()[0] as HTMLElement | undefined;
    if (target && ["INPUT", "SELECT", "TEXTAREA"].includes(target.tagName) && e.key !== "Escape") return;
    const map: Record<string, Command> = {
      ArrowRight: "step", PageDown: "step", ArrowLeft: "back", PageUp: "back",
      Home: "first", End: "last", "]": "next-chapter", "[": "prev-chapter", " ": "play",
    };
    if (e.key === "?") { this.help = !this.help; e.preventDefault(); return; }
    if (e.key === "Escape") { this.help = false; return; }
    const command = map[e.key];
    if (command) { e.preventDefault(); this.command(command); }
  }

  private act(spec: ActionSpec, form: HTMLElement): void {
    const params: Record<string, unknown> = {};
    for (const p of spec.params) {
      const input = form.querySelector<HTMLInputElement | HTMLSelectElement>(`[name="${spec.kind}.${p.name}"]`);
      if (!input) continue;
      params[p.name] = p.kind === "int" ? Number(input.value) : p.kind === "bool" ? (input as HTMLInputElement).checked : input.value;
    }
    this.source?.act(spec.kind, params);
  }

  // -- rendering ---------------------------------------------------------------------------
  override render() {
    const s = this.store, header = s.header;
    if (!header) {
      const problem = this.loadError ?? s.error;
      return html`<div class="page"><p class=${problem ? "error" : "muted"} role=${problem ? "alert" : "status"}>${problem ? `Could not open this timeline: ${problem}` : "Loading the timeline…"}</p></div>`;
    }
    const view = s.view();
    const chapter = header.chapters[s.chapterAt()];
    const state = view?.state;
    const frames = [];
    for (let i = Math.max(0, s.step - 30); i <= s.step; i++) { const f = s.frame(i); if (f) frames.push(f); }
    const areas = state?.queues.flatMap((q) => q.areas) ?? [];
    return html`<div class="page" @seek=${(e: CustomEvent<number>) => this.seek(e.detail)}
        @command=${(e: CustomEvent<Command>) => this.command(e.detail)}
        @speed=${(e: CustomEvent<number>) => { s.speed = e.detail; if (this.timer !== undefined) { this.stopTimer(); this.togglePlay(); } }}
        @focus-bytes=${(e: CustomEvent<Focus>) => { this.focusBytes = e.detail; }}>
      <header>
        <h1>virtio-viz</h1>
        ${this.scenarios.length && !this.src ? html`<select aria-label="scenario" @change=${(e: Event) => this.switchScenario((e.target as HTMLSelectElement).value)}>
          ${this.scenarios.map((sc) => html`<option value=${sc.id} ?selected=${sc.id === header.scenario.id}>${sc.title}</option>`)}</select>`
          : html`<strong>${header.scenario.title}</strong>`}
        ${s.role !== "solo" ? html`<span class="muted">${s.role === "follower" ? "following the presenter" : "presenting"}</span>` : nothing}
        <span class="grow"></span>
        ${s.error ? html`<span class="error" role="status">${s.error}</span>` : nothing}
        <button aria-label="switch theme" @click=${() => { this.theme = this.theme === "light" ? "dark" : "light"; }}>${this.theme === "light" ? "dark" : "light"} theme</button>
        <button aria-label="keyboard help" @click=${() => { this.help = !this.help; }}>?</button>
      </header>
      <section class="diagram panel" aria-label="architecture diagram">
        <vv-diagram .topology=${header.topology} .frame=${view?.frame}></vv-diagram>
      </section>
      <section class="story panel" aria-label="narration">
        <vv-narration .frame=${view?.frame} .chapter=${chapter} .total=${s.length}></vv-narration>
        <vv-status .value=${state?.status.value ?? 0} .history=${s.statusHistory()}></vv-status>
        ${this.renderActions(s.actions)}
      </section>
      <section class="rings panel" aria-label="virtqueues">
        <vv-rings .queues=${state?.queues ?? []} .memory=${view?.memory ?? null} .frame=${view?.frame}></vv-rings>
      </section>
      <section class="hex panel" aria-label="guest memory">
        <vv-hex .memory=${view?.memory ?? null} .areas=${areas} .frame=${view?.frame} .focused=${this.focusBytes}></vv-hex>
      </section>
      <section class="side panel">
        <vv-features .names=${header.feature_names} .features=${state?.features ?? null}></vv-features>
        <vv-log .frames=${frames} .current=${s.step}></vv-log>
      </section>
      <footer class="bar panel">
        <vv-timeline .step=${s.step} .total=${s.length} .playing=${this.timer !== undefined} .speed=${s.speed}
          .chapters=${header.chapters} ?disabled=${s.role === "follower"}></vv-timeline>
      </footer>
      ${this.help ? this.renderHelp() : nothing}
    </div>`;
  }

  private renderActions(actions: ActionSpec[]) {
    if (!actions.length || !this.source?.live || this.store.role === "follower") return nothing;
    return html`<div><h2>Try it: act at this step</h2><div class="actions">
      ${actions.map((a) => html`<form class="actions" @submit=${(e: Event) => { e.preventDefault(); this.act(a, e.target as HTMLElement); }}>
        ${a.params.map((p) => p.kind === "choice"
          ? html`<select name="${a.kind}.${p.name}" aria-label=${p.label}>${p.choices.map((c) => html`<option ?selected=${c === p.default}>${c}</option>`)}</select>`
          : html`<input name="${a.kind}.${p.name}" aria-label=${p.label} size="6" value=${String(p.default ?? "")} />`)}
        <button type="submit" title=${a.help}>${a.label}</button></form>`)}
    </div></div>`;
  }

  private renderHelp() {
    const keys: [string, string][] = [["→ or PageDown", "next step"], ["← or PageUp", "previous step"], ["space", "play or pause"],
      ["[ and ]", "previous and next chapter"], ["Home / End", "first and last step"], ["?", "this help"], ["Esc", "close"]];
    return html`<div class="scrim" @click=${() => { this.help = false; }}></div>
      <div class="help panel" role="dialog" aria-modal="true" aria-label="keyboard help">
      <h2>Keyboard</h2><dl>${keys.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>
      <p class="muted">Every view is a permalink: the address bar keeps the scenario, its options and the step.</p>
      <button @click=${() => { this.help = false; }}>close</button></div>`;
  }

  private switchScenario(id: string): void {
    this.scenario = id;
    this.step = 0;
    this.options = {};
    void this.start();
  }
}

declare global {
  interface HTMLElementTagNameMap { "virtio-viz": VirtioViz }
}
