import { css } from "lit";

/** Colours: the Okabe-Ito palette, safe for the common colour-vision deficiencies. */
export const tokens = css`
  :host {
    --vv-bg: #0f1419; --vv-panel: #161c23; --vv-panel-2: #1d252e; --vv-line: #2c3743;
    --vv-text: #e6edf3; --vv-muted: #9aa7b4; --vv-accent: #56b4e9;
    --vv-control: #cc79a7; --vv-data: #56b4e9; --vv-notification: #e69f00;
    --vv-active: #009e73; --vv-violation: #f07a2a; --vv-changed: rgba(240, 228, 66, 0.28);
    --vv-focus: rgba(86, 180, 233, 0.35);
    --vv-font: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
    --vv-mono: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
    --vv-size: clamp(13px, 9px + 0.35vw, 17px);
    color: var(--vv-text); font-family: var(--vv-font); font-size: var(--vv-size);
  }
  :host([theme="light"]) {
    --vv-bg: #f7f8fa; --vv-panel: #ffffff; --vv-panel-2: #eef1f5; --vv-line: #d0d7de;
    --vv-text: #1f2328; --vv-muted: #59636e; --vv-accent: #0072b2;
    --vv-control: #a4487e; --vv-data: #0072b2; --vv-notification: #8a5a00;
    --vv-active: #00795a; --vv-violation: #b04a00;
    --vv-changed: rgba(240, 228, 66, 0.55); --vv-focus: rgba(0, 114, 178, 0.2);
  }
  :host([theme="projector"]) {
    --vv-bg: #000; --vv-panel: #0a0a0a; --vv-panel-2: #141414; --vv-line: #555;
    --vv-text: #fff; --vv-muted: #ddd; --vv-size: 20px;
  }
`;

/** Shared rules: every component inherits the colours from <virtio-viz>'s tokens. */
export const theme = css`
  :host { color: var(--vv-text); }
  .mono { font-family: var(--vv-mono); }
  .muted { color: var(--vv-muted); }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
  .panel { background: var(--vv-panel); border: 1px solid var(--vv-line); border-radius: 8px; }
  h2 { font-size: 0.8em; text-transform: uppercase; letter-spacing: 0.08em; color: var(--vv-muted); margin: 0 0 6px; font-weight: 600; }
  button, select, input { font: inherit; color: inherit; }
  button { background: var(--vv-panel-2); border: 1px solid var(--vv-line); border-radius: 6px; padding: 4px 10px; cursor: pointer; }
  button:hover { border-color: var(--vv-accent); }
  button:focus-visible, select:focus-visible, input:focus-visible, a:focus-visible, summary:focus-visible, [tabindex]:focus-visible { outline: 2px solid var(--vv-accent); outline-offset: 2px; }
  select { max-width: 100%; background: var(--vv-panel-2); border: 1px solid var(--vv-line); border-radius: 6px; padding: 3px 6px; }
`;

/** Each plane's line has its own pattern too, so colour is never the only way to tell them
 * apart (data: solid; control: long dashes; notifications: dash and dot). */
export const PLANE_DASH: Record<string, string> = { control: "9 4", data: "none", notification: "7 3 1.5 3" };

export const PLANE_COLOUR: Record<string, string> = {
  control: "var(--vv-control)", data: "var(--vv-data)", notification: "var(--vv-notification)",
};
