/** What happens at this step, in words, with its spec section and real-software analog. */
import { LitElement, css, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { Chapter, Frame, Wire } from "../../protocol";
import { PLANE_COLOUR, theme } from "../theme";

export const SPEC_URL = "https://docs.oasis-open.org/virtio/virtio/v1.2/cs01/virtio-v1.2-cs01.html";

@customElement("vv-narration")
export class NarrationPanel extends LitElement {
  static override styles = [theme, css`
    :host { display: block; }
    .chapter { font-size: 0.85em; color: var(--vv-muted); }
    .chapter strong { color: var(--vv-text); }
    .intro { font-size: 0.88em; margin: 10px 0 0; line-height: 1.45; padding: 6px 10px; border-left: 3px solid var(--vv-accent);
      background: color-mix(in srgb, var(--vv-accent) 8%, transparent); }
    .text { font-size: 1.2em; line-height: 1.45; margin: 6px 0 8px; overflow-wrap: anywhere; }
    .meta { display: flex; flex-wrap: wrap; gap: 4px 6px; font-size: max(11px, 0.78em); }
    :host([brief]) .path { display: none; }
    :host([brief]) .text { font-size: 1.1em; }
    .tag { border: 1px solid var(--vv-line); border-radius: 999px; padding: 1px 8px; overflow-wrap: anywhere; }
    a { color: var(--vv-accent); }
    .path, .analog { font-size: 0.8em; margin-top: 8px; line-height: 1.6; overflow-wrap: anywhere; }
    .hop { border-bottom: 1px dotted var(--vv-muted); cursor: help; }
    .violation { border: 2px solid var(--vv-violation); border-radius: 8px; padding: 8px 10px; margin: 8px 0;
      background: color-mix(in srgb, var(--vv-violation) 12%, transparent); line-height: 1.45; }
    .decoded { margin-top: 8px; font-size: 0.85em; }
    .decoded summary { cursor: pointer; color: var(--vv-muted); }
    .decoded .mono { overflow-wrap: anywhere; line-height: 1.5; margin-top: 4px; }
    .violation strong { color: var(--vv-violation); display: block; margin-bottom: 2px; }
    .violation .rule { font-family: var(--vv-mono); border: 1px solid var(--vv-violation); border-radius: 4px; padding: 0 4px; margin-right: 4px; }
  `];

  @property({ attribute: false }) frame: Frame | undefined;
  @property({ attribute: false }) chapter: Chapter | undefined;
  @property({ type: Number }) total = 0;
  @property({ attribute: false }) wires: Wire[] = [];
  /** A narrow place: the route's hops are left to the diagram. */
  @property({ type: Boolean, reflect: true }) brief = false;

  /** What a frame or a block request carried, decoded (the server decodes real frames). */
  private decoded(values: Record<string, unknown>) {
    if (typeof values.layers === "string") {
      return html`<details class="decoded" open><summary>Frame: ${String(values.decoded ?? "")}</summary>
        <div class="mono">${values.layers.split(" / ").map((layer) => html`<div>${layer}</div>`)}</div></details>`;
    }
    if (typeof values.type_name === "string" && typeof values.header === "string") {
      return html`<details class="decoded" open><summary>Request: ${values.type_name}, sector ${String(values.sector ?? "")}</summary>
        <div class="mono">header ${values.header}${typeof values.data_len === "number" ? html`<br />data ${values.data_len} bytes` : nothing}</div></details>`;
    }
    return nothing;
  }

  override render() {
    const f = this.frame, c = this.chapter;
    if (!f) return html`<p class="muted">Loading…</p>`;
    const e = f.event;
    const first = c && f.index === c.first_step;
    return html`
      <div class="chapter">Step ${f.index + 1} of ${this.total}${c ? html` · <strong>${c.title}</strong>` : nothing}</div>
      <p class="text" aria-live="polite">${f.narration}</p>
      ${e.rule !== null ? html`<div class="violation" role="alert"><strong>⚠ <span class="rule">N${e.rule}</span>This breaks a MUST of the virtio spec</strong>${e.requirement}</div>` : nothing}
      <div class="meta">
        <span class="tag" style="border-color: ${PLANE_COLOUR[e.plane]}">${e.plane}</span>
        <span class="tag">${e.actor}</span>
        <span class="tag mono">${e.kind}</span>
        ${e.spec ? html`<a class="tag" href="${SPEC_URL}" target="_blank" rel="noopener" title="Open the virtio 1.2 specification">virtio-1.2 ${e.spec}</a>` : nothing}
      </div>
      ${e.analog ? html`<div class="analog"><span class="muted">In real software:</span> <span class="mono">${e.analog}</span></div>` : nothing}
      ${this.decoded(e.values)}
      ${f.hops.length ? html`<div class="path" aria-label="the path on the diagram"><span class="muted">${f.route ?? "path"}:</span>
        ${f.hops.map((id, i) => {
          const wire = this.wires.find((w) => w.id === id);
          return html`${i ? html`<span class="muted"> → </span>` : nothing}<span class="hop" title=${wire?.detail ?? ""}>${wire?.label ?? id}</span>`;
        })}</div>` : nothing}
      ${first && c?.intro ? html`<p class="intro"><span class="muted">This chapter:</span> ${c.intro}</p>` : nothing}`;
  }
}
