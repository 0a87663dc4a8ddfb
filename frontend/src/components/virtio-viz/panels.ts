/**
 * The panels beside the stage: each is one click (or key) away and opens in the dock
 * without moving the stage. A panel is a title, a key, when it is offered and how it
 * renders; a new one (a live VM's console, a host's configuration, a quiz) is one more
 * entry in `DOCK_PANELS`.
 */
import { html, nothing, type TemplateResult } from "lit";
import type { ActionSpec, Frame, TraceHeader } from "../../protocol";
import type { StepView, TimelineStore } from "../../store/store";
import type { Focus } from "../ring-view/ring-view";
import type { ActRequest } from "../action-panel/action-panel";
import type { LectureCommand } from "../lecture-bar/lecture-bar";
import type { Panel } from "./embed-params";
import type { Place } from "../../layout/type-scale";
import "../status-lights/status-lights";
import "../feature-table/feature-table";
import "../hex-view/hex-view";
import "../event-log/event-log";
import "../action-panel/action-panel";
import "../address-map/address-map";
import "../lecture-bar/lecture-bar";
import "../comparison-panel/comparison-panel";
import "../host-panel/host-panel";
import { LIVE_ENTRY } from "../live-vm/live-api";
import { livePanel } from "../live-vm/hook";
import { mappingsOf, translationOf } from "../address-map/translation";
import type { QuizDesk } from "../quiz-card/desk";

export type PanelId = "device" | "try" | "memory" | "log" | "addresses" | "compare" | "lecture" | "host" | "console" | "quiz";

/** What a panel may read and do. */
export interface PanelContext {
  /** the timeline the page shows (a live VM's console follows its live edge) */
  store: TimelineStore;
  header: TraceHeader;
  view: StepView | null;
  step: number;
  statusHistory: number[];
  recent: Frame[];
  focus: Focus | null;
  actions: ActionSpec[];
  live: boolean;
  role: "solo" | "presenter" | "follower";
  room: string | null;
  joinUrl: string | null;
  detachedFrom: string | null;
  /** how the room is doing, when the server says (rooms on Redis) */
  notice: string | null;
  /** the server the page talks to (null: its own origin) */
  server: string | null;
  /** the timeline is one of the server's scenarios (not a foreign trace file) */
  ownStory: boolean;
  act(request: ActRequest): void;
  /** the actions the reader may take next, so the server builds their forks ahead */
  prepare(requests: ActRequest[]): void;
  lecture(command: LectureCommand): void;
  openNotes(): void;
  /** reopen the scenario with these options (the host panel's transport buttons) */
  changeOptions(options: Record<string, unknown>): void;
  /** the questions of the story, and a room's polls */
  quiz: QuizDesk;
}

export interface PanelSpec {
  id: PanelId;
  title: string;
  /** the key that opens or closes it */
  key: string;
  /** which embed `panels` value lets it show (docs/embedding.md) */
  part: Panel;
  offered(ctx: PanelContext): boolean;
  render(ctx: PanelContext): TemplateResult | typeof nothing;
  /** on a phone it opens above the stage, not in the dock under it (it asks the reader something) */
  first?: boolean;
}

export const DOCK_PANELS: PanelSpec[] = [
  {
    id: "device", title: "Device", key: "d", part: "side", offered: () => true,
    render: (c) => html`<vv-status .value=${c.view?.state.status.value ?? 0} .history=${c.statusHistory}></vv-status>
      <vv-features .names=${c.header.feature_names ?? []} .features=${c.view?.state.features ?? null}></vv-features>`,
  },
  {
    id: "try", title: "Try it", key: "t", part: "story",
    offered: (c) => c.live && c.role !== "follower" && c.actions.length > 0,
    render: (c) => html`<vv-actions .actions=${c.actions} .step=${c.step}
      .refused=${c.store.refused?.step === c.step ? c.store.refused.message : ""} @act=${(e: CustomEvent<ActRequest>) => c.act(e.detail)}
      @prepare=${(e: CustomEvent<ActRequest[]>) => c.prepare(e.detail)}></vv-actions>`,
  },
  {
    id: "memory", title: "Memory", key: "m", part: "hex", offered: () => true,
    render: (c) => html`<vv-hex .memory=${c.view?.memory ?? null} .queues=${c.view?.state.queues ?? []} .frame=${c.view?.frame} .focused=${c.focus}></vv-hex>`,
  },
  {
    id: "log", title: "Log", key: "l", part: "story", offered: () => true,
    render: (c) => html`<vv-log .frames=${c.recent} .current=${c.step}></vv-log>`,
  },
  {
    id: "addresses", title: "Addresses", key: "a", part: "story",
    offered: (c) => mappingsOf(c.view?.state.extras) !== null || translationOf(c.view?.frame) !== null,
    render: (c) => html`<vv-address-map .frame=${c.view?.frame} .extras=${c.view?.state.extras}></vv-address-map>`,
  },
  {
    id: "compare", title: "Compare", key: "c", part: "side", offered: (c) => !!c.header.comparison,
    render: (c) => html`<vv-comparison .comparison=${c.header.comparison ?? null} .lives=${c.header.lives ?? null}></vv-comparison>`,
  },
  {
    id: "lecture", title: "Lecture", key: "p", part: "story", offered: () => true,
    render: (c) => html`<vv-lecture .mode=${c.role} .room=${c.room} .joinUrl=${c.joinUrl} .detachedFrom=${c.detachedFrom}
        .notice=${c.notice} .live=${c.live} @lecture=${(e: CustomEvent<LectureCommand>) => c.lecture(e.detail)}></vv-lecture>
      <p><button aria-label="open speaker notes" @click=${() => c.openNotes()}>speaker notes</button>
        <span class="muted">in a second window that follows this page</span></p>
      <p class="muted">For a lecture hall add <code>&amp;theme=projector</code> to the address; B blanks the screen, a clicker's PageDown and PageUp step.</p>`,
  },
  {
    id: "quiz", title: "Quiz", key: "q", part: "story", offered: (c) => c.quiz.offered, first: true,
    render: (c) => c.quiz.render(),
  },
  {
    id: "host", title: "Run it yourself", key: "r", part: "side",
    offered: (c) => c.ownStory && c.header.scenario.id !== LIVE_ENTRY.id,
    render: (c) => html`<vv-host .scenario=${c.header.scenario} .frame=${c.view?.frame ?? null}
      .chapter=${c.header.chapters.find((ch) => ch.first_step <= c.step && c.step < ch.first_step + ch.step_count)?.id ?? null}
      .server=${c.server} @host-options=${(e: CustomEvent<Record<string, unknown>>) => c.changeOptions(e.detail)}></vv-host>`,
  },
  {
    id: "console", title: "Live VM console", key: "g", part: "story",
    offered: (c) => c.header.scenario.id === LIVE_ENTRY.id && c.live,
    render: (c) => livePanel(c.server, c.header, c.store, c.live),
  },
];

/**
 * The open panels around the stage. Beside it on a laptop or a projector; under it in a
 * blog column or on a phone, except a panel that asks the reader something (the quiz): a
 * phone shows that one above the stage, under the header, so the question is on screen
 * when it opens (where the toggle that opened it is) and the reader never hunts for it.
 */
export function openPanels(open: PanelSpec[], ctx: PanelContext, place: Place, close: (id: PanelId) => void) {
  const first = place === "phone" ? open.filter((p) => p.first) : [];
  const docked = open.filter((p) => !first.includes(p));
  const panel = (p: PanelSpec) => html`<section class="panel dock-panel" aria-label=${p.title}>
    <h2 class="dock-title">${p.title}<button class="close" aria-label="close ${p.title}" @click=${() => close(p.id)}>×</button></h2>
    ${p.render(ctx)}</section>`;
  return {
    before: first.map(panel),
    after: docked.length ? html`<section class="dock" aria-label="open panels">${docked.map(panel)}</section>` : nothing,
  };
}

export function panelByKey(key: string): PanelSpec | undefined {
  return DOCK_PANELS.find((p) => p.key === key);
}
