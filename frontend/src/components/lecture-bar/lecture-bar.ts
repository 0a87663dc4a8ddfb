/**
 * Follow-me lectures: a presenter opens a room and shows its join link and QR code;
 * students who open the link follow the presenter's step, and may step away to explore
 * on their own, then follow again with one click.
 */
import { LitElement, css, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import { unsafeHTML } from "lit/directives/unsafe-html.js";
import { theme } from "../theme";
import { qrSvg } from "./join-code";

export type LectureCommand = "present" | "detach" | "follow";

@customElement("vv-lecture")
export class LectureBar extends LitElement {
  static override styles = [theme, css`
    :host { display: block; }
    .bar { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; font-size: 0.9em; }
    .code { font-family: var(--vv-mono); font-size: 1.3em; letter-spacing: 0.15em; }
    .qr { width: 120px; height: 120px; background: #fff; padding: 4px; border-radius: 6px; }
    .qr svg { width: 100%; height: 100%; display: block; }
    a { color: var(--vv-accent); overflow-wrap: anywhere; }
    .notice { margin: 6px 0 0; padding: 4px 8px; border-left: 3px solid var(--vv-notification); font-size: 0.9em; }
  `];

  @property() mode: "solo" | "presenter" | "follower" = "solo";
  @property() room: string | null = null;
  @property() joinUrl: string | null = null;
  @property() detachedFrom: string | null = null;
  @property({ type: Boolean }) live = false;
  /** The server says the room reaches only the screens on its own worker for now. */
  @property() notice: string | null = null;

  private emit(command: LectureCommand): void {
    this.dispatchEvent(new CustomEvent<LectureCommand>("lecture", { detail: command, bubbles: true, composed: true }));
  }

  override render() {
    if (!this.live) return nothing;
    const notice = this.notice && this.mode !== "solo"
      ? html`<p class="notice" role="status">${this.notice}</p>` : nothing;
    if (this.mode === "presenter" && this.room && this.joinUrl) {
      return html`<h2>Lecture</h2><div class="bar" aria-label="room">
        <div class="qr" role="img" aria-label="QR code of the join link">${unsafeHTML(qrSvg(this.joinUrl))}</div>
        <div>Students follow you at<br /><a href=${this.joinUrl}>${this.joinUrl}</a><br />
          room <span class="code">${this.room}</span></div></div>${notice}`;
    }
    if (this.mode === "follower") {
      return html`<div class="bar"><span>Following the presenter (room <span class="code">${this.room}</span>)</span>
        <button @click=${() => this.emit("detach")}>explore on my own</button></div>${notice}`;
    }
    if (this.detachedFrom) {
      return html`<div class="bar"><span class="muted">You left room ${this.detachedFrom}.</span>
        <button @click=${() => this.emit("follow")}>follow the presenter again</button></div>`;
    }
    return html`<div class="bar"><button title="open a room that students can follow" @click=${() => this.emit("present")}>present to a room</button></div>`;
  }
}
