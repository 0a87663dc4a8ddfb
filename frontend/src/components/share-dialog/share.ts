/** The share dialog for the step on screen: its permalink and embed snippets. */
import { html, nothing } from "lit";
import type { TraceHeader } from "../../protocol";
import { writeUrl } from "../virtio-viz/url-state";
import { actionsText, placedActions } from "../virtio-viz/placed-actions";
import { snippets } from "./snippets";
import "./share-dialog";

export interface ShareState {
  header: TraceHeader;
  step: number;
  chapter: number;
  /** a shipped recording's trace, shared as that trace */
  src: string | null;
  options: Record<string, unknown>;
  theme: string | null;
  origin: string;
  chapterOnly: boolean;
}

export function shareDialog(s: ShareState, onChapterOnly: (value: boolean) => void, close: () => void) {
  const header = s.header;
  const actions = s.src ? [] : placedActions(header.scenario.actions);
  const query = writeUrl({ src: s.src, scenario: header.scenario.id, step: s.step, options: s.src ? {} : s.options,
    actions, room: null, token: null, theme: s.theme, open: [] });
  const chapter = header.chapters[s.chapter];
  if (!chapter) return nothing;
  const range = s.chapterOnly ? { from: chapter.first_step, to: chapter.first_step + chapter.step_count - 1 } : null;
  const shared = snippets(s.origin, query, header.scenario.id, s.step, header.scenario.title, range, s.src, actionsText(actions));
  return html`<div class="scrim" @click=${close}></div>
    <div class="help panel" role="dialog" aria-modal="true" aria-label="share or embed">
      <vv-share .snippets=${shared} .chapterOnly=${s.chapterOnly} .chapterTitle=${chapter.title}
        @chapter-only=${(e: CustomEvent<boolean>) => onChapterOnly(e.detail)}></vv-share>
      <p><button @click=${close}>close</button></p></div>`;
}
