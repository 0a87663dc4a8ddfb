/** Share / embed: the permalink, the iframe snippet and the element snippet for this step. */
import { LitElement, css, html } from "lit";
import { customElement, property } from "lit/decorators.js";
import { theme } from "../theme";
import type { Snippets } from "./snippets";

@customElement("vv-share")
export class ShareDialog extends LitElement {
  static override styles = [theme, css`
    :host { display: block; }
    label { display: block; margin: 10px 0 4px; color: var(--vv-muted); font-size: 0.85em; }
    textarea { width: 100%; box-sizing: border-box; font-family: var(--vv-mono); font-size: 0.8em; background: var(--vv-panel-2);
      color: var(--vv-text); border: 1px solid var(--vv-line); border-radius: 6px; padding: 6px; resize: vertical; }
  `];

  @property({ attribute: false }) snippets: Snippets | null = null;
  @property({ type: Boolean }) chapterOnly = false;
  @property() chapterTitle = "";

  override render() {
    const s = this.snippets;
    if (!s) return html``;
    const field = (id: string, label: string, text: string, rows: number) => html`
      <label for=${id}>${label}</label>
      <textarea id=${id} rows=${rows} readonly @focus=${(e: Event) => (e.target as HTMLTextAreaElement).select()}>${text}</textarea>`;
    return html`<h2>Share or embed this step</h2>
      <label><input type="checkbox" .checked=${this.chapterOnly} @change=${(e: Event) => this.dispatchEvent(
        new CustomEvent<boolean>("chapter-only", { detail: (e.target as HTMLInputElement).checked, bubbles: true, composed: true }))} />
        keep the embed inside this chapter${this.chapterTitle ? ` ("${this.chapterTitle}")` : ""}</label>
      ${field("permalink", "Permalink", s.permalink, 2)}
      ${field("iframe", "iframe for a blog post (the page resizes its frame through postMessage)", s.iframe, 3)}
      ${field("element", s.live ? "The element itself (the server must allow your site: --allow-origin)"
        : "The element itself (it only reads the trace: no live session)", s.element, 4)}`;
  }
}
