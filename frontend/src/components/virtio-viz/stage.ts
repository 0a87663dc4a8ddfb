/**
 * The stage: the step's caption, the diagram with its route, and what the step touches
 * beside it (the active queue's rings, or the device's status and features).
 */
import { html } from "lit";
import type { TimelineStore } from "../../store/store";
import type { Focus } from "../ring-view/ring-view";
import { typeScale, type Place } from "../../layout/type-scale";
import { ringPart } from "../../layout/ring-part";
import { topologyAt } from "../../store/topology-at";
import { subjectAt } from "./subject";
import type { Panel } from "./embed-params";
import "../arch-diagram/arch-diagram";
import "../ring-view/ring-view";
import "../status-lights/status-lights";
import "../feature-table/feature-table";
import "../narration-panel/narration-panel";

export type SaveFormat = "svg" | "png" | "webm" | "gif";

export interface StageInput {
  store: TimelineStore;
  place: Place;
  projector: boolean;
  playing: boolean;
  /** a blog column: the rings only when asked for */
  compact: boolean;
  ringsShown: boolean;
  focus: Focus | null;
  recording: boolean;
  shows(part: Panel): boolean;
  save(format: SaveFormat): void;
}

/** How long the token travels: shorter than a step while playing, nothing under reduced motion. */
export function tokenMs(playing: boolean, speed: number): number {
  if (window.matchMedia?.("(prefers-reduced-motion: reduce)").matches) return 0;
  return Math.round(playing ? Math.min(900, 800 / speed) : 900);
}

/** The diagram says how wide it must be to be shown whole: the wide stage's grid gives its
 * column at least that, with the panel's own padding (page-styles.ts, `--vv-diagram-needs`). */
function roomForDiagram(e: CustomEvent<number>): void {
  const panel = e.currentTarget as HTMLElement, diagram = e.target as HTMLElement;
  const needs = e.detail + panel.offsetWidth - diagram.offsetWidth;
  panel.parentElement?.style.setProperty("--vv-diagram-needs", `${needs}px`);
}

export function stage(i: StageInput) {
  const s = i.store, header = s.header!, view = s.view(), state = view?.state, frame = view?.frame;
  const queues = state?.queues ?? [];
  const topology = topologyAt(header, state); // a device's life may have its own ring format
  const motion = tokenMs(i.playing, s.speed);
  const hidden = !i.shows("rings") || (i.compact && !i.ringsShown);
  const button = (format: SaveFormat, label: string, text: string) => html`<button aria-label=${label}
    ?disabled=${i.recording && (format === "webm" || format === "gif")} @click=${() => i.save(format)}>${text}</button>`;
  return html`<section class="stage" aria-label="stage">
    <section class="caption panel" aria-label="narration" tabindex="0" ?hidden=${!i.shows("story")}>
      <vv-narration .frame=${frame} .chapter=${header.chapters[s.chapterAt()]} .total=${s.length} .wires=${topology.wires} ?brief=${i.place === "phone"}></vv-narration>
    </section>
    <section class="diagram panel" aria-label="architecture diagram" ?hidden=${!i.shows("diagram")} @diagram-needs=${roomForDiagram}>
      <vv-diagram .topology=${topology} .frame=${frame} .type=${typeScale(i.place, i.projector)} ?fit=${i.place === "wide"}
        .into=${ringPart(topology, queues, frame)} .tokenMs=${motion}>
        <div class="save" slot="actions">
          ${button("svg", "save this step as SVG", "SVG")}${button("png", "save this step as PNG", "PNG")}
          ${button("webm", i.recording ? "recording…" : "record the rest of this chapter as a WebM video", i.recording ? "recording…" : "WebM")}
          ${button("gif", "record the rest of this chapter as an animated GIF", "GIF")}
        </div>
      </vv-diagram>
    </section>
    ${subjectAt(s, queues) === "rings" ? html`<section class="subject panel" aria-label="virtqueues" tabindex="0" ?hidden=${hidden}>
        <vv-rings .queues=${queues} .memory=${view?.memory ?? null} .frame=${frame} .acting=${s.actingQueue()} .focused=${i.focus}
          .motionMs=${motion}></vv-rings></section>`
      : html`<section class="subject panel device" aria-label="device status and features" tabindex="0" ?hidden=${hidden}>
        <vv-status .value=${state?.status.value ?? 0} .history=${s.statusHistory()}></vv-status>
        <vv-features .names=${header.feature_names ?? []} .features=${state?.features ?? null}></vv-features></section>`}
  </section>`;
}
