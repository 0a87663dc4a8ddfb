/**
 * <virtio-viz>: the whole product surface. The app page, the embed page and any site
 * that loads the script use this one element; attributes choose what it shows.
 */
import { LitElement, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { Trace } from "../../protocol";

/** `src="#virtio-viz-trace"`: the trace is inlined in the page (a self-contained export). */
export const INLINE_TRACE = "#virtio-viz-trace";
import { LiveSource, TraceSource, type Source } from "../../store/sources";
import { TimelineStore } from "../../store/store";
import { theme, tokens } from "../theme";
import type { Command } from "../timeline-bar/timeline-bar";
import type { Focus } from "../ring-view/ring-view";
import { readUrl, writeUrl } from "./url-state";
import { clampStep, readEmbedParams, type EmbedParams, type Panel } from "./embed-params";
import { helpDialog, keyAction } from "./keys";
import { pageStyles } from "./page-styles";
import { isShippedRecording, picker, type MenuEntry, type MenuChoice, type RecordingEntry } from "./picker";
import { download, pngOf, standaloneSvg } from "../arch-diagram/export-image";
import { recordWebm } from "../arch-diagram/record-video";
import { captureSteps } from "../arch-diagram/capture-steps";
import { recordGif } from "../arch-diagram/record-gif";
import type { ArchDiagram } from "../arch-diagram/arch-diagram";
import "../speaker-notes/speaker-notes";
import { NOTES_CHANNEL, type Note } from "../speaker-notes/speaker-notes";
import "../arch-diagram/arch-diagram";
import "../ring-view/ring-view";
import "../status-lights/status-lights";
import "../feature-table/feature-table";
import "../hex-view/hex-view";
import "../narration-panel/narration-panel";
import "../timeline-bar/timeline-bar";
import "../event-log/event-log";
import "../action-panel/action-panel";
import "../address-map/address-map";
import "../lecture-bar/lecture-bar";
import "../comparison-panel/comparison-panel";
import "../share-dialog/share-dialog";
import { snippets } from "../share-dialog/snippets";
import type { LectureCommand } from "../lecture-bar/lecture-bar";
import type { ActRequest } from "../action-panel/action-panel";
import { liveOptions, livePanel } from "../live-vm/hook";

@customElement("virtio-viz")
export class VirtioViz extends LitElement {
  static override styles = [tokens, theme, pageStyles];

  @property() src: string | null = null;
  @property() scenario = "qemu-emulated";
  @property({ type: Number }) step = 0;
  @property({ reflect: true }) theme: string | null = null;
  @property({ type: Boolean, attribute: "url-state" }) urlState = false;
  @property({ type: Boolean, reflect: true }) compact = false;
  @property() server: string | null = null;

  @state() private focusBytes: Focus | null = null;
  @state() private help = false;
  @state() private sharing = false;
  @state() private dropped: string | null = null;
  @state() private dragging = false;
  @state() private shareChapter = false;
  @state() private blank = false;
  @state() private recording = false;
  private embed: EmbedParams = readEmbedParams("");
  private resizeObserver: ResizeObserver | null = null;
  /** Set when the theme came from the URL or the reader's choice: then the URL keeps it. */
  private themeChosen = false;
  @state() private loadError: string | null = null;
  @state() private scenarios: MenuEntry[] = [];
  @state() private recordings: RecordingEntry[] = [];

  readonly store = new TimelineStore();
  private source: Source | null = null;
  private timer: number | undefined;
  private options: Record<string, unknown> = {};
  private room: string | null = null;
  private token: string | null = null;
  private actionsLog: unknown[] = [];
  @state() private joinUrl: string | null = null;
  @state() private detachedFrom: string | null = null;
  private onStoreChange = () => { this.requestUpdate(); this.syncUrl(); this.tellNotes(); };
  private notes: BroadcastChannel | null = null;
  @state() private notesMode = false;
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
      if (url.theme) { this.theme = url.theme; this.themeChosen = true; }
      this.embed = readEmbedParams(location.search);
      this.notesMode = new URLSearchParams(location.search).get("notes") === "1";
      if (this.embed.from !== null) this.step = Math.max(this.step, this.embed.from);
      if (this.embed.speed !== null) this.store.speed = this.embed.speed;
    }
    if (!this.theme) this.theme = window.matchMedia?.("(prefers-color-scheme: light)").matches ? "light" : "dark";
    this.store.addEventListener("change", this.onStoreChange);
    (this.urlState ? window : this).addEventListener("keydown", this.onKey as EventListener);
    if (!this.urlState) this.tabIndex = 0;
    if (this.notesMode) return; // the notes window only listens to the presenter's page
    this.notes = new BroadcastChannel(NOTES_CHANNEL);
    this.notes.onmessage = () => this.tellNotes(); // a notes window asks for the current step
    void this.start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.store.removeEventListener("change", this.onStoreChange);
    (this.urlState ? window : this).removeEventListener("keydown", this.onKey as EventListener);
    this.stopTimer();
    this.source?.close();
    this.notes?.close();
  }

  private wsUrl(): string {
    const base = new URL(this.server ?? location.href);
    return `${base.protocol === "https:" ? "wss:" : "ws:"}//${base.host}/ws`;
  }

  private async start(): Promise<void> {
    this.source?.close();
    this.loadError = null;
    try {
      if (this.src === INLINE_TRACE) {
        const source = new TraceSource(this.store, this.src, this.step);
        this.source = source;
        source.load(JSON.parse(document.getElementById(INLINE_TRACE.slice(1))?.textContent ?? "null") as Trace);
        return;
      }
      if (this.src) {
        this.source = new TraceSource(this.store, this.src, this.step);
        if (isShippedRecording(this.src)) void this.loadScenarios();
      } else {
        this.options = await liveOptions(this.server ?? location.href, this.scenario, this.options, this.room !== null);
        this.source = new LiveSource(this.store, this.wsUrl(), {
          scenario: this.scenario, options: this.options, step: this.step,
          room: this.room ?? undefined, token: this.token ?? undefined, actions: this.actionsLog,
        });
        void this.loadScenarios();
      }
      await this.source.start();
      if (this.embed.autoplay && this.timer === undefined) this.togglePlay();
    } catch (error) {
      this.loadError = error instanceof Error ? error.message : String(error);
    }
  }

  /** Present: open a room, then carry this story (options, actions, step) into it. */
  private async lecture(command: LectureCommand): Promise<void> {
    const header = this.store.header;
    if (!header) return;
    this.scenario = header.scenario.id;
    this.options = { ...header.scenario.options };
    this.actionsLog = [...header.scenario.actions];
    this.step = this.store.step;
    if (command === "present") {
      const reply = await fetch(new URL("/api/rooms", this.server ?? location.href), { method: "POST" });
      if (!reply.ok) { this.store.error = "The server could not open a room."; this.store.changed(); return; }
      const room = (await reply.json()) as { code: string; join_url: string; presenter_token: string };
      this.room = room.code; this.token = room.presenter_token; this.joinUrl = room.join_url;
    } else if (command === "detach") {
      this.detachedFrom = this.room; this.room = null; this.token = null;
    } else {
      this.room = this.detachedFrom; this.detachedFrom = null;
    }
    await this.start();
  }

  private async loadScenarios(): Promise<void> {
    const get = async <T>(path: string): Promise<T[]> => {
      try {
        const response = await fetch(new URL(path, this.server ?? location.href));
        return response.ok ? ((await response.json()) as T[]) : [];
      } catch { return []; } // the menu stays short; the page still works
    };
    [this.scenarios, this.recordings] = await Promise.all([
      get<MenuEntry>("/api/scenarios"), get<RecordingEntry>("/api/recordings")]);
  }

  private syncUrl(): void {
    if (!this.urlState || !this.store.header || this.dropped) return; // a dropped file has no URL
    const query = writeUrl({ src: this.src, scenario: this.store.header.scenario.id, step: this.store.step,
      options: this.options, room: this.room, token: null, theme: this.themeChosen ? this.theme : null });
    if (query !== location.search) history.replaceState(null, "", query);
  }

  // -- moving ------------------------------------------------------------------------------
  seek(step: number): void { this.source?.seek(clampStep(step, this.store.length, this.embed)); }

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
      const last = clampStep(this.store.length - 1, this.store.length, this.embed);
      if (this.store.step >= last) { this.stopTimer(); this.source?.pause(); return; }
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
    const action = keyAction(e);
    if (action === null) return;
    if (action === "close") { this.help = false; this.sharing = false; return; }
    e.preventDefault();
    if (action === "help") this.help = !this.help;
    else if (action === "blank") this.blank = !this.blank;
    else this.command(action);
  }

  // -- rendering ---------------------------------------------------------------------------
  override render() {
    if (this.notesMode) return html`<vv-speaker-notes></vv-speaker-notes>`;
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
    return html`<div class="page" @dragover=${(e: DragEvent) => { e.preventDefault(); this.dragging = true; }}
        @dragleave=${() => { this.dragging = false; }} @drop=${(e: DragEvent) => void this.drop(e)}
        @seek=${(e: CustomEvent<number>) => this.seek(e.detail)}
        @command=${(e: CustomEvent<Command>) => this.command(e.detail)}
        @speed=${(e: CustomEvent<number>) => { s.speed = e.detail; if (this.timer !== undefined) { this.stopTimer(); this.togglePlay(); } }}
        @focus-bytes=${(e: CustomEvent<Focus>) => { this.focusBytes = e.detail; }}>
      <header>
        <h1>virtio-viz</h1>
        ${this.scenarios.length && (!this.src || isShippedRecording(this.src))
          ? picker(this.scenarios, this.recordings, this.src ? `src:${this.src}` : `scenario:${header.scenario.id}`, (p) => this.switchScenario(p))
          : html`<strong>${header.scenario.title}</strong>`}
        ${s.role !== "solo" ? html`<span class="muted">${s.role === "follower" ? "following the presenter" : "presenting"}</span>` : nothing}
        <span class="grow"></span>
        ${s.error ? html`<span class="error" role="status">${s.error}</span>` : nothing}
        <button aria-label="switch theme" @click=${() => { this.theme = this.theme === "light" ? "dark" : "light"; this.themeChosen = true; this.syncUrl(); }}>${this.theme === "light" ? "dark" : "light"} theme</button>
        ${this.urlState ? html`<button aria-label="open speaker notes" @click=${() => this.openNotes()}>notes</button>` : nothing}
        ${!this.src || isShippedRecording(this.src) ? html`<button aria-label="share or embed" @click=${() => { this.sharing = !this.sharing; }}>share</button>` : nothing}
        <button aria-label="keyboard help" @click=${() => { this.help = !this.help; }}>?</button>
      </header>
      <section class="diagram panel" aria-label="architecture diagram" ?hidden=${!this.shows("diagram")}>
        <vv-diagram .topology=${header.topology} .frame=${view?.frame}>
        <div class="save" slot="actions"><button aria-label="save the diagram as SVG" @click=${() => void this.saveDiagram("svg")}>SVG</button>
          <button aria-label="save the diagram as PNG" @click=${() => void this.saveDiagram("png")}>PNG</button>
          <button aria-label="record the rest of this chapter as a video" ?disabled=${this.recording} @click=${() => void this.recordChapter("webm")}>${this.recording ? "recording…" : "WebM"}</button>
          <button aria-label="record the rest of this chapter as an animated GIF" ?disabled=${this.recording} @click=${() => void this.recordChapter("gif")}>GIF</button></div>
        </vv-diagram>
      </section>
      <section class="story panel" aria-label="narration" ?hidden=${!this.shows("story")}>
        <vv-narration .frame=${view?.frame} .chapter=${chapter} .total=${s.length} .wires=${header.topology.wires}></vv-narration>
        <vv-status .value=${state?.status.value ?? 0} .history=${s.statusHistory()}></vv-status>
        <vv-lecture .mode=${s.role} .room=${this.room} .joinUrl=${this.joinUrl} .detachedFrom=${this.detachedFrom}
          .live=${!!this.source?.live} @lecture=${(e: CustomEvent<LectureCommand>) => void this.lecture(e.detail)}></vv-lecture>
        ${livePanel(this.server, header, s, !!this.source?.live)}
        <vv-address-map .frame=${view?.frame} .extras=${state?.extras}></vv-address-map>
        ${s.actions.length && this.source?.live && s.role !== "follower"
          ? html`<vv-actions .actions=${s.actions} @act=${(e: CustomEvent<ActRequest>) => this.source?.act(e.detail.kind, e.detail.params)}></vv-actions>` : nothing}
        <div class="log-slot"><vv-log .frames=${frames} .current=${s.step}></vv-log></div>
      </section>
      <section class="rings panel" aria-label="virtqueues" ?hidden=${!this.shows("rings")}>
        <vv-rings .queues=${state?.queues ?? []} .memory=${view?.memory ?? null} .frame=${view?.frame} .focused=${this.focusBytes}></vv-rings>
      </section>
      <section class="hex panel" aria-label="guest memory" ?hidden=${!this.shows("hex")}>
        <vv-hex .memory=${view?.memory ?? null} .queues=${state?.queues ?? []} .frame=${view?.frame} .focused=${this.focusBytes}></vv-hex>
      </section>
      <section class="side panel" ?hidden=${!this.shows("side")}>
        <vv-comparison .comparison=${header.comparison ?? null}></vv-comparison>
        <vv-features .names=${header.feature_names ?? []} .features=${state?.features ?? null}></vv-features>
      </section>
      <footer class="bar panel" ?hidden=${!this.embed.controls}>
        <vv-timeline .step=${s.step} .total=${s.length} .playing=${this.timer !== undefined} .speed=${s.speed}
          .chapters=${header.chapters} .violations=${s.violationSteps()} ?disabled=${s.role === "follower"}></vv-timeline>
      </footer>
      ${this.help ? this.renderHelp() : nothing}
      ${this.sharing ? this.renderShare() : nothing}
      ${this.blank ? html`<div class="blank" aria-label="blank screen (press B)"></div>` : nothing}
      ${this.dragging ? html`<div class="drop" aria-label="drop a file">Drop a trace (.json), a scenario file (.yaml) or a QEMU recording (.log)</div>` : nothing}
    </div>`;
  }

  /** Send the current step to speaker-notes windows of this browser. */
  private tellNotes(): void {
    const s = this.store, header = s.header, frame = s.frame(s.step);
    if (!this.notes || !header || !frame) return;
    const chapter = header.chapters[s.chapterAt()];
    const note: Note = {
      step: s.step, total: s.length, chapter: chapter?.title ?? "",
      intro: chapter && chapter.first_step === s.step ? chapter.intro : "",
      now: frame.narration, spec: frame.event.spec, analog: frame.event.analog,
      next: s.frame(s.step + 1)?.narration ?? null,
    };
    this.notes.postMessage(note);
  }

  private openNotes(): void {
    window.open(`${location.pathname}?notes=1${this.theme ? `&theme=${this.theme}` : ""}`, "virtio-viz-notes", "width=900,height=600");
  }

  /** A dropped file: a trace replays here, a scenario file opens live, a QEMU log is imported. */
  private async drop(e: DragEvent): Promise<void> {
    e.preventDefault();
    this.dragging = false;
    const file = e.dataTransfer?.files[0];
    if (!file) return;
    await this.openFile(file.name, await file.text());
  }

  async openFile(name: string, text: string): Promise<void> {
    this.source?.close();
    this.stopTimer();
    this.dropped = name;
    try {
      if (/\.ya?ml$/i.test(name)) {
        this.source = new LiveSource(this.store, this.wsUrl(), { scenarioFile: text, step: 0 });
        await this.source.start();
        return;
      }
      let trace: Trace;
      if (/\.json$/i.test(name)) {
        trace = JSON.parse(text) as Trace;
      } else {
        const reply = await fetch(new URL("/api/import", this.server ?? location.href), {
          method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text, filename: name }),
        });
        const body = (await reply.json()) as Trace & { message?: string };
        if (!reply.ok) throw new Error(body.message ?? `the server refused ${name}`);
        trace = body;
      }
      const source = new TraceSource(this.store, name, 0);
      this.source = source;
      source.load(trace);
      this.store.error = null;
    } catch (error) {
      this.store.error = error instanceof Error ? error.message : String(error);
      this.store.changed();
    }
  }

  private shows(panel: Panel): boolean {
    return this.embed.panels === null || this.embed.panels.includes(panel);
  }

  private async saveDiagram(format: "svg" | "png"): Promise<void> {
    const diagram = this.renderRoot.querySelector("vv-diagram");
    const svg = diagram?.shadowRoot?.querySelector("svg");
    if (!svg) return;
    const background = getComputedStyle(this).getPropertyValue("--vv-bg").trim() || "#ffffff";
    const text = standaloneSvg(svg, background);
    const name = `virtio-viz-${this.store.header?.scenario.id ?? "diagram"}-step-${this.store.step + 1}`;
    if (format === "svg") { download(`${name}.svg`, new Blob([text], { type: "image/svg+xml" })); return; }
    const box = svg.viewBox.baseVal;
    download(`${name}.png`, await pngOf(text, box.width, box.height, background));
  }

  /** Record from this step to the end of its chapter (or of the embedded range), as a
   * WebM video or an animated GIF. */
  private async recordChapter(format: "webm" | "gif"): Promise<void> {
    const s = this.store, header = s.header;
    const diagram = this.renderRoot.querySelector<ArchDiagram>("vv-diagram");
    if (!header || !diagram || (format === "webm" && typeof MediaRecorder === "undefined")) return;
    const chapter = header.chapters[s.chapterAt()]!;
    let end = clampStep(Math.min(chapter.first_step + chapter.step_count - 1, s.step + 59), s.length, this.embed);
    while (end > s.step && !s.has(end)) end--; // only steps this page holds (a live cache)
    const start = s.step;
    const style = getComputedStyle(this);
    const colours = { bg: style.getPropertyValue("--vv-bg").trim() || "#000", fg: style.getPropertyValue("--vv-text").trim() || "#fff" };
    this.recording = true;
    try {
      const { frames, aspect } = await captureSteps(s, diagram, { start, end }, colours.bg, () => this.updateComplete);
      const encode = format === "webm" ? recordWebm : recordGif;
      const file = await encode(frames, aspect, 1 / Math.max(1, s.speed), colours);
      download(`virtio-viz-${header.scenario.id}-steps-${start + 1}-${end + 1}.${format}`, file);
    } finally {
      this.recording = false;
      this.seek(start);
    }
  }

  private renderShare() {
    const header = this.store.header;
    if (!header) return nothing;
    const src = isShippedRecording(this.src) ? this.src : null;
    const query = writeUrl({ src, scenario: header.scenario.id, step: this.store.step, options: src ? {} : this.options,
      room: null, token: null, theme: this.themeChosen ? this.theme : null });
    const origin = new URL(this.server ?? location.href).origin;
    const chapter = header.chapters[this.store.chapterAt()]!;
    const range = this.shareChapter ? { from: chapter.first_step, to: chapter.first_step + chapter.step_count - 1 } : null;
    const shared = snippets(origin, query, header.scenario.id, this.store.step, header.scenario.title, range, src);
    return html`<div class="scrim" @click=${() => { this.sharing = false; }}></div>
      <div class="help panel" role="dialog" aria-modal="true" aria-label="share or embed">
        <vv-share .snippets=${shared} .chapterOnly=${this.shareChapter} .chapterTitle=${chapter.title}
          @chapter-only=${(e: CustomEvent<boolean>) => { this.shareChapter = e.detail; }}></vv-share>
        <p><button @click=${() => { this.sharing = false; }}>close</button></p></div>`;
  }

  /** Inside an iframe, tell the host page how tall the content is, so it can fit it. */
  private reportHeight(): void {
    if (window.parent === window || this.resizeObserver) return;
    const page = this.renderRoot.querySelector(".page");
    if (!page) return;
    this.resizeObserver = new ResizeObserver(() => {
      window.parent.postMessage({ type: "virtio-viz:resize", height: Math.ceil(page.scrollHeight) }, "*");
    });
    this.resizeObserver.observe(page);
  }

  private renderHelp() {
    return helpDialog(() => { this.help = false; });
  }

  override updated(changed: Map<string, unknown>): void {
    this.reportHeight();
    if (changed.has("help") && this.help) this.renderRoot.querySelector<HTMLButtonElement>(".help button")?.focus();
  }

  private switchScenario(choice: MenuChoice): void {
    if ("src" in choice) this.src = choice.src;
    else { this.src = null; this.scenario = choice.scenario; }
    this.step = 0;
    this.options = {};
    void this.start();
  }
}

declare global {
  interface HTMLElementTagNameMap { "virtio-viz": VirtioViz }
}
