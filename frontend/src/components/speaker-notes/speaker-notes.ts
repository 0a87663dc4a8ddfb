/**
 * Speaker notes for a lecture, in a second window: the presenter's page broadcasts each
 * step (BroadcastChannel, same browser only); this view shows the chapter, what is on
 * screen now and what comes next, in large type.
 */
import { LitElement, css, html, nothing } from "lit";
import { customElement, state } from "lit/decorators.js";
import { theme } from "../theme";
import type { TimelineStore } from "../../store/store";

export const NOTES_CHANNEL = "virtio-viz-notes";

export interface Note {
  step: number; total: number; chapter: string; intro: string;
  now: string; spec: string; analog: string; next: string | null;
}

/** What the notes window shows for the store's step. */
export function noteAt(s: TimelineStore): Note {
  const header = s.header!, frame = s.frame(s.step)!, chapter = header.chapters[s.chapterAt()];
  return {
    step: s.step, total: s.length, chapter: chapter?.title ?? "",
    intro: chapter && chapter.first_step === s.step ? chapter.intro : "",
    now: frame.narration, spec: frame.event.spec, analog: frame.event.analog,
    next: s.frame(s.step + 1)?.narration ?? null,
  };
}

/** The presenter's side: tells this browser's notes windows each step, and opens one. */
export class NotesLink {
  private channel: BroadcastChannel | null = null;
  constructor(private readonly store: TimelineStore) {}

  connect(): void {
    this.channel = new BroadcastChannel(NOTES_CHANNEL);
    this.channel.onmessage = () => this.tell(); // a notes window asks for the current step
  }

  tell(): void {
    const s = this.store;
    if (this.channel && s.header && s.frame(s.step)) this.channel.postMessage(noteAt(s));
  }

  close(): void { this.channel?.close(); this.channel = null; }

  static open(theme: string | null): void {
    window.open(`${location.pathname}?notes=1${theme ? `&theme=${theme}` : ""}`, "virtio-viz-notes", "width=900,height=600");
  }
}

@customElement("vv-speaker-notes")
export class SpeakerNotes extends LitElement {
  static override styles = [theme, css`
    :host { display: block; padding: 24px; font-size: 1.5em; line-height: 1.45; }
    .chapter { color: var(--vv-muted); font-size: 0.7em; }
    .now { font-size: 1.15em; margin: 12px 0; }
    .next { color: var(--vv-muted); border-top: 1px solid var(--vv-line); padding-top: 12px; }
    .intro { font-size: 0.75em; color: var(--vv-muted); }
  `];

  @state() private note: Note | null = null;
  private channel: BroadcastChannel | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    this.channel = new BroadcastChannel(NOTES_CHANNEL);
    this.channel.onmessage = (event: MessageEvent<Note>) => { this.note = event.data; };
    this.channel.postMessage({ hello: true }); // ask the presenter's page for the current step
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.channel?.close();
  }

  override render() {
    const n = this.note;
    if (!n) return html`<p class="muted">Speaker notes: waiting for the presenter's page (open it from the same browser).</p>`;
    return html`<div class="chapter">Step ${n.step + 1} of ${n.total} · ${n.chapter}</div>
      <p class="now" aria-label="now">${n.now}</p>
      <p class="muted mono">virtio-1.2 ${n.spec}${n.analog ? ` · ${n.analog}` : ""}</p>
      ${n.intro ? html`<p class="intro">${n.intro}</p>` : nothing}
      ${n.next ? html`<p class="next" aria-label="next">Next: ${n.next}</p>` : nothing}`;
  }
}
