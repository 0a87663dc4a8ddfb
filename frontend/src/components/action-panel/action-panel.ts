/** "Try it": the actions the scenario accepts at this step, with labelled, checked fields. */
import { LitElement, css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { ActionParam, ActionSpec } from "../../protocol";
import { theme } from "../theme";
import { paramValue, untouchedRequest, type ParamValue } from "./action-values";

export interface ActRequest { kind: string; params: Record<string, ParamValue> }
/** How long the reader rests on a step before the server is asked to build its forks. */
export const PREPARE_AFTER_MS = 250;
const PREPARED = 3; // the server builds at most this many forks ahead (api/protocol.py)

@customElement("vv-actions")
export class ActionPanel extends LitElement {
  static override styles = [theme, css`
    :host { display: block; font-size: 0.85em; }
    .list { display: flex; flex-wrap: wrap; gap: 6px; }
    form { display: flex; flex-wrap: wrap; align-items: end; gap: 4px 6px; padding: 4px 6px; border: 1px solid var(--vv-line); border-radius: 8px; }
    form.plain { border: 0; padding: 0; }
    label { display: flex; flex-direction: column; font-size: 0.8em; color: var(--vv-muted); gap: 1px; }
    label.check { flex-direction: row; align-items: center; gap: 4px; }
    input[type="text"] { width: 7.5em; background: var(--vv-panel-2); border: 1px solid var(--vv-line); border-radius: 5px; padding: 3px 5px; font-family: var(--vv-mono); }
    input.wide { width: 16em; }
    .error { color: var(--vv-violation); font-size: 0.9em; margin-top: 4px; }
    .lead { margin: 0 0 6px; color: var(--vv-muted); }
  `];

  @property({ attribute: false }) actions: ActionSpec[] = [];
  /** The step the reader is on: once they rest there with the panel open, a `prepare`
   * event lists what the buttons would send, so the server can build those forks ahead. */
  @property({ type: Number }) step = -1;
  /** why the server refused the reader's last action at this step ("" if it did not) */
  @property() refused = "";
  @state() private error = "";
  private resting: ReturnType<typeof setTimeout> | undefined;

  override updated(changed: Map<string, unknown>): void {
    if (!changed.has("step") && !changed.has("actions")) return;
    clearTimeout(this.resting);
    this.resting = setTimeout(() => this.prepare(), PREPARE_AFTER_MS);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.resting);
  }

  private prepare(): void {
    const requests = this.actions.map(untouchedRequest).filter((r): r is ActRequest => r !== null).slice(0, PREPARED);
    if (requests.length) this.dispatchEvent(new CustomEvent<ActRequest[]>("prepare", { detail: requests, bubbles: true, composed: true }));
  }

  private submit(e: Event, spec: ActionSpec): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const params: Record<string, ParamValue> = {};
    for (const p of spec.params) {
      const field = form.elements.namedItem(p.name) as HTMLInputElement | HTMLSelectElement | null;
      if (!field) continue;
      const raw = field instanceof HTMLInputElement && field.type === "checkbox" ? field.checked : field.value;
      const { value, error } = paramValue(p, raw);
      if (error) { this.error = error; return; }
      params[p.name] = value!;
    }
    this.error = "";
    this.dispatchEvent(new CustomEvent<ActRequest>("act", { detail: { kind: spec.kind, params }, bubbles: true, composed: true }));
  }

  private field(p: ActionParam) {
    if (p.kind === "bool") return html`<label class="check"><input type="checkbox" name=${p.name} ?checked=${p.default === true} />${p.label}</label>`;
    if (p.kind === "choice") {
      return html`<label>${p.label}<select name=${p.name}>${p.choices.map((c) => html`<option ?selected=${c === p.default}>${c}</option>`)}</select></label>`;
    }
    const small = p.maximum !== null && p.maximum <= 0xffff;
    const hint = p.kind !== "int" ? "" : small ? `${p.minimum ?? 0}–${p.maximum}` : "decimal or 0x…";
    const range = p.kind === "int" ? `${p.minimum ?? 0} to ${p.maximum ?? "any"}, decimal or 0x hex` : "";
    return html`<label>${p.label}<input type="text" name=${p.name} class=${p.kind === "str" ? "wide" : ""} inputmode=${p.kind === "int" ? "text" : nothing}
      .value=${p.default === null || p.default === undefined ? "" : String(p.default)} placeholder=${hint} title=${range} autocomplete="off" spellcheck="false" /></label>`;
  }

  override render() {
    if (!this.actions.length) return nothing;
    const forms = this.actions.map((a) => html`<form class=${a.params.length ? "" : "plain"} @submit=${(e: Event) => this.submit(e, a)}>
      ${a.params.map((p) => this.field(p))}<button type="submit" title=${a.help}>${a.label}</button></form>`);
    // The dock's "Try it" toggle is what opens this: the actions show at once, on a phone too.
    const said = this.error || (this.refused && `Not taken: ${this.refused}.`);
    return html`<p class="lead">Act at this step: the story forks here and goes on from your action.</p>
      <div class="list">${forms}</div>
      ${said ? html`<div class="error" role="alert">${said}</div>` : nothing}`;
  }
}
