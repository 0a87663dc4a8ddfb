/**
 * <virtio-viz>: the whole product surface. The app page, the embed page and any site
 * that loads the script use this one element; attributes choose what it shows.
 *
 * The page is a stage (the diagram, the step's caption, and the rings of the queue the
 * step touches) and a dock of panels one click or key away (panels.ts). It arranges
 * itself for the place it is in (place.ts): a laptop or a projector (stage side by side,
 * filling the screen), a blog column or a phone (caption, diagram, rings, one below the
 * other, the diagram panning to the step when it is wider than the column).
 */
import { LitElement, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { Trace } from "../../protocol";
import { LiveSource, TraceSource, type Source } from "../../store/sources";
import { TimelineStore } from "../../store/store";
import { theme, tokens } from "../theme";
import type { Command } from "../timeline-bar/timeline-bar";
import type { Focus } from "../ring-view/ring-view";
import { readUrl, writeUrl } from "./url-state";
import { placedActions, readActions, type PlacedAction } from "./placed-actions";
import { clampStep, readEmbedParams, type EmbedParams, type Panel } from "./embed-params";
import { helpDialog, isTyping, keyAction, stepFor } from "./keys";
import { reportHeight } from "./auto-height";
import { pageStyles } from "./page-styles";
import { isShippedRecording, loadMenu, type MenuEntry, type MenuChoice, type RecordingEntry } from "./picker";
import { chooseFile, openDropped } from "./files";
import { hostScheme, placeFor, systemScheme } from "./place";
import { DOCK_PANELS, openPanels, panelByKey, type PanelContext, type PanelId, type PanelSpec } from "./panels";
import { stage, type SaveFormat } from "./stage";
import { Player } from "./player";
import { firstStep, wsUrlFor } from "./early-start";
import { pageHeader } from "./head";
import { StepAnnouncer } from "./announce";
import { DialogFocus } from "./dialog-focus";
import { saveStage, type ExportSource } from "./exports";
import type { Place } from "../../layout/type-scale";
import type { ArchDiagram } from "../arch-diagram/arch-diagram";
import { NotesLink } from "../speaker-notes/speaker-notes";
import { shareDialog } from "../share-dialog/share";
import type { LectureCommand } from "../lecture-bar/lecture-bar";
import { roomAfter } from "../lecture-bar/room";
import { QuizDesk, type DeskHost } from "../quiz-card/desk";
import "../speaker-notes/speaker-notes";
import "../timeline-bar/timeline-bar";
import { liveOptions } from "../live-vm/hook";
import { LIVE_ENTRY } from "../live-vm/live-api";

/** `src="#virtio-viz-trace"`: the trace is inlined in the page (a self-contained export). */
export const INLINE_TRACE = "#virtio-viz-trace";

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
  /** The reader's actions, as the share dialog writes them (`200:send_frame:frame=icmp_echo`). */
  @property() actions: string | null = null;
  /** Where the element is used (from its width): it arranges the stage for that place. */
  @property({ reflect: true }) place: Place = "wide";
  /** Quiz mode: from question to question, keeping a score in this browser (`?quiz=1`). */
  @property({ type: Boolean }) quiz = false;

  @state() private focusBytes: Focus | null = null;
  @state() private help = false;
  @state() private sharing = false;
  @state() private dropped: string | null = null;
  @state() private dragging = false;
  @state() private shareChapter = false;
  @state() private blank = false;
  @state() private recording = false;
  @state() private open: PanelId[] = [];
  @state() private ringsShown = false; // a blog column shows the rings on demand
  @state() private loadError: string | null = null;
  @state() private scenarios: MenuEntry[] = [];
  @state() private recordings: RecordingEntry[] = [];
  @state() private joinUrl: string | null = null;
  @state() private detachedFrom: string | null = null;
  /** A follower tried to move: tell them how to explore on their own. */
  @state() private followHint = false;

  readonly store = new TimelineStore();
  private announcer = new StepAnnouncer(() => this.requestUpdate());
  private dialogFocus = new DialogFocus();
  private embed: EmbedParams = readEmbedParams("");
  private resizeObserver: ResizeObserver | null = null;
  private placeObserver = new ResizeObserver(() => this.notePlace());
  /** Set when the theme came from the URL, an attribute or the reader's choice. */
  private themeChosen = false;
  private source: Source | null = null;
  private player = new Player({ store: this.store, source: () => this.source, seek: (n) => this.seek(n), changed: () => this.requestUpdate(),
    last: () => clampStep(this.store.length - 1, this.store.length, this.embed) });
  private options: Record<string, unknown> = {};
  private room: string | null = null;
  private token: string | null = null;
  private actionsLog: PlacedAction[] = [];
  private notes = new NotesLink(this.store);
  private desk = new QuizDesk(this.deskHost(), false);
  @state() private notesMode = false;
  private onStoreChange = () => { this.requestUpdate(); this.syncUrl(); this.notes.tell(); this.desk.storeChanged(); };
  private onKey = (e: KeyboardEvent) => this.key(e);
  private schemeQuery = window.matchMedia?.("(prefers-color-scheme: light)");
  private onScheme = () => { if (!this.themeChosen) this.theme = this.preferredScheme(); };
  private preferredScheme(): string { return this.urlState ? systemScheme() : hostScheme(this); }

  override connectedCallback(): void {
    super.connectedCallback();
    this.themeChosen = this.theme !== null;
    if (this.urlState) {
      const url = readUrl(location.search);
      this.src = url.src ?? this.src;
      this.scenario = url.scenario;
      this.options = url.options;
      this.actionsLog = url.actions;
      this.room = url.room;
      this.token = url.token;
      this.open = url.open.filter((id): id is PanelId => DOCK_PANELS.some((p) => p.id === id));
      if (url.theme) { this.theme = url.theme; this.themeChosen = true; }
      this.quiz = this.quiz || !!url.quiz;
      this.embed = readEmbedParams(location.search);
      this.step = firstStep(url, this.embed);
      this.notesMode = new URLSearchParams(location.search).get("notes") === "1";
      if (this.embed.speed !== null) this.store.speed = this.embed.speed;
    } else this.actionsLog = readActions(this.actions);
    if (!this.theme) this.theme = this.preferredScheme();
    this.desk = new QuizDesk(this.deskHost(), this.quiz);
    if (this.quiz && !this.open.includes("quiz")) this.open = [...this.open, "quiz"];
    this.schemeQuery?.addEventListener("change", this.onScheme);
    this.store.addEventListener("change", this.onStoreChange);
    (this.urlState ? window : this).addEventListener("keydown", this.onKey as EventListener);
    if (!this.urlState) this.tabIndex = 0;
    this.placeObserver.observe(this);
    if (this.notesMode) return; // the notes window only listens to the presenter's page
    this.notes.connect();
    void this.start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.store.removeEventListener("change", this.onStoreChange);
    (this.urlState ? window : this).removeEventListener("keydown", this.onKey as EventListener);
    this.schemeQuery?.removeEventListener("change", this.onScheme);
    this.placeObserver.disconnect();
    this.player.stop();
    this.announcer.cancel();
    this.source?.close();
    this.notes.close();
    this.resizeObserver?.disconnect();
    this.resizeObserver = null;
  }

  private notePlace(): void {
    const width = this.getBoundingClientRect().width;
    if (width > 0) this.place = placeFor(width, this.compact);
  }

  private wsUrl(): string { return wsUrlFor(this.server ?? location.href); }

  private async start(): Promise<void> {
    this.source?.close();
    this.loadError = null;
    try {
      if (this.src === INLINE_TRACE) {
        const source = new TraceSource(this.store, this.src, this.step);
        this.source = source;
        source.load(JSON.parse(document.getElementById(INLINE_TRACE.slice(1))?.textContent ?? "null") as Trace);
        this.desk.start(this.step);
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
      this.desk.start(this.step);
      if (this.store.header?.comparison && this.place === "wide" && !this.open.length) this.open = ["compare"];
      const liveVm = this.store.header?.scenario.id === LIVE_ENTRY.id && this.source.live;
      if (liveVm && !this.open.includes("console")) this.open = [...this.open, "console"]; // its console is its controls
      if (this.embed.autoplay && !this.player.playing) this.togglePlay();
    } catch (error) {
      this.loadError = error instanceof Error ? error.message : String(error);
    }
  }

  /** Present: open a room, then carry this story (options, actions, step) into it. */
  private async lecture(command: LectureCommand): Promise<void> {
    const header = this.store.header;
    if (!header) return;
    const { room, token, joinUrl, detachedFrom } = this;
    const next = await roomAfter(command, { room, token, joinUrl, detachedFrom }, this.server ?? location.href);
    if (!next) { this.store.error = "The server could not open a room."; this.store.changed(); return; }
    ({ room: this.room, token: this.token, joinUrl: this.joinUrl, detachedFrom: this.detachedFrom } = next);
    if (command === "detach") this.followHint = false;
    if (command === "present" && !this.open.includes("lecture")) this.open = [...this.open, "lecture"];
    this.scenario = header.scenario.id;
    this.options = { ...header.scenario.options };
    this.actionsLog = placedActions(header.scenario.actions);
    this.step = this.store.step;
    await this.start();
  }

  private deskHost(): DeskHost {
    return { store: this.store, source: () => this.source, seek: (n) => this.seek(n), changed: () => this.requestUpdate(),
      showQuiz: () => { if (!this.open.includes("quiz")) this.toggle("quiz");
        void this.updateComplete.then(() => this.renderRoot.querySelector(".dock-panel[aria-label=Quiz]")?.scrollIntoView({ block: "nearest" })); } };
  }

  private async loadScenarios(): Promise<void> {
    [this.scenarios, this.recordings] = await loadMenu(this.server ?? location.href);
  }

  private syncUrl(): void {
    if (!this.urlState || !this.store.header || this.dropped) return; // a dropped file has no URL
    const query = writeUrl({ src: this.src, scenario: this.store.header.scenario.id, step: this.store.step,
      options: this.options, actions: placedActions(this.store.header.scenario.actions), room: this.room, token: null,
      theme: this.themeChosen ? this.theme : null, open: this.open, quiz: this.desk.quizMode });
    if (query !== location.search) history.replaceState(null, "", query);
  }

  // -- moving ------------------------------------------------------------------------------
  seek(step: number): void {
    if (!this.store.header || this.following()) return; // nothing to move in yet
    this.source?.seek(clampStep(step, this.store.length, this.embed));
  }

  /** A follower's view is the presenter's: its own moves are refused, and said so. */
  private following(): boolean {
    if (this.store.role !== "follower") return false;
    this.followHint = true;
    return true;
  }

  private command(command: Command): void {
    const quizStep = command === "step" ? this.desk.stepTarget() : null;
    if (command === "play") this.togglePlay();
    else this.seek(quizStep ?? stepFor(this.store, command));
  }

  private togglePlay(): void {
    if (!this.following()) this.player.toggle();
  }

  private key(e: KeyboardEvent): void {
    const action = keyAction(e);
    if (!isTyping(e) && this.desk.key(e)) { e.preventDefault(); return; }
    if (action === null) {
      const panel = !e.ctrlKey && !e.metaKey && !e.altKey ? panelByKey(e.key) : undefined;
      if (panel && !this.compact && this.offered().some((p) => p.id === panel.id) && !isTyping(e)) { e.preventDefault(); this.toggle(panel.id); }
      return;
    }
    if (action === "close") { this.help = false; this.sharing = false; return; }
    e.preventDefault();
    if (action === "help") this.help = !this.help;
    else if (action === "blank") this.blank = !this.blank;
    else this.command(action);
  }

  private toggle(id: PanelId): void {
    this.open = this.open.includes(id) ? this.open.filter((p) => p !== id) : [...this.open, id];
    this.syncUrl();
  }

  // -- rendering ---------------------------------------------------------------------------
  private shows(panel: Panel): boolean {
    return this.embed.panels === null || this.embed.panels.includes(panel);
  }

  private panelContext(): PanelContext | null {
    const s = this.store, header = s.header;
    if (!header) return null;
    const recent = [];
    for (let i = Math.max(0, s.step - 30); i <= s.step; i++) { const f = s.frame(i); if (f) recent.push(f); }
    return {
      store: s, header, view: s.view(), step: s.step, statusHistory: s.statusHistory(), recent, focus: this.focusBytes,
      actions: s.actions, live: !!this.source?.live, role: s.role, room: this.room, joinUrl: this.joinUrl,
      detachedFrom: this.detachedFrom, notice: s.notice, act: (r) => this.source?.act(r.kind, r.params),
      prepare: (r) => { if (!this.player.playing) this.source?.prepare(r); },
      lecture: (c) => void this.lecture(c), openNotes: () => NotesLink.open(this.theme),
      server: this.server, ownStory: !this.src || isShippedRecording(this.src),
      changeOptions: (options) => this.changeOptions(options), quiz: this.desk,
    };
  }

  /** Reopen this scenario with other options, from its first step. */
  private changeOptions(options: Record<string, unknown>): void {
    this.options = { ...this.options, ...options };
    this.scenario = this.store.header?.scenario.id ?? this.scenario;
    this.src = null;
    this.step = 0;
    void this.start();
  }

  private offered() {
    const ctx = this.panelContext();
    return ctx ? DOCK_PANELS.filter((p) => this.shows(p.part) && p.offered(ctx)) : [];
  }

  override render() {
    if (this.notesMode) return html`<vv-speaker-notes></vv-speaker-notes>`;
    const s = this.store, header = s.header;
    if (!header) {
      const problem = this.loadError ?? s.error;
      return html`<div class="page"><p class=${problem ? "error" : "muted"} role=${problem ? "alert" : "status"}>${problem ? `Could not open this timeline: ${problem}` : "Loading the timeline…"}</p></div>`;
    }
    const ctx = this.panelContext()!, offered = this.offered();
    const open = openPanels(offered.filter((p) => this.open.includes(p.id)), ctx, this.place, (id) => this.toggle(id));
    return html`<div class="page" @dragover=${(e: DragEvent) => { e.preventDefault(); this.dragging = true; }}
        @dragleave=${() => { this.dragging = false; }} @drop=${(e: DragEvent) => void this.drop(e)}
        @seek=${(e: CustomEvent<number>) => this.seek(e.detail)}
        @command=${(e: CustomEvent<Command>) => this.command(e.detail)}
        @speed=${(e: CustomEvent<number>) => { s.speed = e.detail; this.player.restart(); }}
        @focus-bytes=${(e: CustomEvent<Focus>) => { this.focusBytes = e.detail; }} @click=${(e: Event) => this.desk.click(e)}>
      ${this.compact ? nothing : this.head(offered)}
      <div class="sr-only" role="status" aria-atomic="true" data-announcer>${this.announcer.text}</div>
      <main class="main">${this.compact && this.urlState ? html`<h1 class="sr-only">${header.scenario.title}</h1>` : nothing}
        ${open.before}${stage({ store: s, place: this.place, projector: this.theme === "projector", playing: this.player.playing, compact: this.compact,
          ringsShown: this.ringsShown, focus: this.focusBytes, recording: this.recording, shows: (p) => this.shows(p), save: (f) => void this.save(f) })}
        ${open.after}
      </main>
      <footer class="bar panel" ?hidden=${!this.embed.controls}>
        <vv-timeline .step=${s.step} .total=${s.length} .playing=${this.player.playing} .speed=${s.speed}
          .chapters=${header.chapters} .violations=${s.violationSteps()} ?disabled=${s.role === "follower"}></vv-timeline>
        ${this.compact && this.shows("rings") ? html`<button class="rings-toggle" aria-pressed=${this.ringsShown} @click=${() => { this.ringsShown = !this.ringsShown; }}>rings</button>` : nothing}
      </footer>
      ${this.help ? helpDialog(() => { this.help = false; }, offered) : nothing}
      ${this.sharing ? shareDialog({ header, step: s.step, chapter: s.chapterAt(), src: isShippedRecording(this.src) ? this.src : null,
        options: this.options, theme: this.themeChosen ? this.theme : null, origin: new URL(this.server ?? location.href).origin,
        chapterOnly: this.shareChapter }, (v) => { this.shareChapter = v; }, () => { this.sharing = false; }) : nothing}
      ${this.blank ? html`<div class="blank" aria-label="blank screen (press B)"></div>` : nothing}
      ${this.dragging ? html`<div class="drop" aria-label="drop a file">Drop a trace (.json), a scenario file (.yaml) or a QEMU recording (.log)</div>` : nothing}
    </div>`;
  }

  private head(offered: PanelSpec[]) {
    const header = this.store.header!, shareable = !this.src || isShippedRecording(this.src);
    return pageHeader({
      store: this.store, room: this.room, detachedFrom: this.detachedFrom, followHint: this.followHint, theme: this.theme, shareable,
      menu: this.scenarios.length && shareable && !this.dropped
        ? { scenarios: this.scenarios, recordings: this.recordings, current: this.src ? `src:${this.src}` : `scenario:${header.scenario.id}` } : null,
      toggles: offered.map((p) => ({ id: p.id, title: p.title, key: p.key, open: this.open.includes(p.id) })),
      pick: (choice) => this.switchScenario(choice), toggle: (id) => this.toggle(id), lecture: (c) => void this.lecture(c),
      switchTheme: () => { this.theme = this.theme === "light" ? "dark" : "light"; this.themeChosen = true; this.syncUrl(); },
      share: () => { this.sharing = !this.sharing; }, help: () => { this.help = !this.help; },
      openFile: () => chooseFile((name, text) => void this.openFile(name, text)),
    });
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
    this.player.stop();
    this.dropped = name;
    try {
      this.source = await openDropped(this.store, name, text, this.server ?? location.href, this.wsUrl());
      if (this.store.header?.comparison && this.place === "wide" && !this.open.includes("compare")) this.open = [...this.open, "compare"];
    } catch (error) {
      this.store.error = error instanceof Error ? error.message : String(error);
      this.store.changed();
    }
  }

  private async save(format: SaveFormat): Promise<void> {
    const diagram = this.renderRoot.querySelector<ArchDiagram>("vv-diagram");
    if (!diagram || !this.store.header) return;
    const source: ExportSource = { store: this.store, diagram, style: getComputedStyle(this), embed: this.embed, drawn: () => this.updateComplete };
    await saveStage(source, format, (on) => { this.recording = on; if (!on) this.seek(this.store.step); });
  }

  override updated(): void {
    if (window.parent !== window && !this.resizeObserver && this.store.header) this.resizeObserver = reportHeight(this);
    this.dialogFocus.update(this.renderRoot.querySelector<HTMLElement>("[role=dialog]"));
    const s = this.store;
    const playing = this.player.playing || (s.role === "follower" && s.playing); // a follower's presenter plays
    this.announcer.show(s.frame(s.step), s.length, s.header?.chapters[s.chapterAt()], playing);
  }

  private switchScenario(choice: MenuChoice): void {
    if ("src" in choice) this.src = choice.src;
    else { this.src = null; this.scenario = choice.scenario; }
    this.step = 0;
    this.options = {};
    this.actionsLog = [];
    void this.start();
  }
}

declare global {
  interface HTMLElementTagNameMap { "virtio-viz": VirtioViz }
}
