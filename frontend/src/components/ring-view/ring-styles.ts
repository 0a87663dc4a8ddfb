import { css } from "lit";

export const ROW_HEIGHT = 22;
export const GUTTER = 26;

export const ringStyles = css`
  :host { display: flex; flex-direction: column; min-height: 0; container-type: inline-size; }
  .tabs { display: flex; gap: 6px; flex-wrap: wrap; align-items: baseline; margin-bottom: 6px; }
  .tabs h2 { margin: 0 4px 0 0; }
  .tabs button { font-size: 0.85em; padding: 2px 8px; }
  .tabs button[aria-pressed="true"] { border-color: var(--vv-accent); background: var(--vv-focus); }
  .areas { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 4px 12px; margin-bottom: 4px; }
  @container (max-width: 520px) { .areas { grid-template-columns: minmax(0, 1fr); } }
  h3 { font-size: 0.85em; margin: 0 0 3px; font-weight: 650; }
  h3 .muted { font-weight: 400; }
  .legend { font-size: max(11px, 0.72em); display: flex; gap: 4px 10px; flex-wrap: wrap; margin: 2px 0 4px; }
  .legend i { display: inline-block; width: 16px; height: 0; vertical-align: middle; margin-right: 4px; border-top: 2px solid var(--vv-accent); }
  .legend i.free { border-top: 2px dashed var(--vv-muted); }
  .legend i.flight { width: 4px; height: 12px; border: 0; background: var(--vv-notification); }
  .legend i.changed { width: 12px; height: 12px; border: 0; background: var(--vv-changed); }
  .legend i.pending { width: 12px; height: 12px; border: 1px solid var(--vv-accent); background: color-mix(in srgb, var(--vv-accent) 18%, transparent); }
  .scroll { flex: 1; min-height: 0; max-height: var(--vv-ring-rows, none); overflow: auto; position: relative; border-radius: 6px; overscroll-behavior: contain; }
  .scroll:focus-visible { outline: 2px solid var(--vv-accent); }
  .desc-wrap { position: relative; padding-left: ${GUTTER}px; width: max-content; min-width: calc(100% - ${GUTTER}px); }
  svg.links { position: absolute; left: 0; top: ${2 * ROW_HEIGHT}px; width: ${GUTTER}px; overflow: visible; pointer-events: none; }
  svg.links path { fill: none; stroke-width: 1.6; }
  svg.links path.chain { stroke: var(--vv-accent); }
  svg.links path.free { stroke: var(--vv-muted); stroke-dasharray: 3 3; opacity: 0.8; }
  svg.links .dot { fill: var(--vv-accent); }
  table { border-collapse: collapse; width: 100%; font-family: var(--vv-mono); font-size: max(11px, 0.8em); }
  tr { height: ${ROW_HEIGHT}px; }
  th { text-align: left; color: var(--vv-muted); font-weight: 500; position: sticky; background: var(--vv-panel); z-index: 1; height: ${ROW_HEIGHT}px; }
  thead tr:first-child th { top: 0; font-family: var(--vv-font); font-size: 0.95em; color: var(--vv-text); }
  thead tr:last-child th { top: ${ROW_HEIGHT}px; }
  td, th { padding: 0 6px; white-space: nowrap; line-height: ${ROW_HEIGHT - 2}px; }
  th.a, td.a, th.u1, td.u1 { border-left: 2px solid var(--vv-line); }
  td { position: relative; }
  td:first-child { box-shadow: inset 3px 0 transparent; }
  tr.changed td.d, td.a.changed, td.u.changed { background: var(--vv-changed); }
  td.a.pending, td.u.pending { background: color-mix(in srgb, var(--vv-accent) 16%, transparent); }
  tr.flight td:first-child { box-shadow: inset 3px 0 var(--vv-notification); }
  tr.free td.d { color: var(--vv-muted); }
  tr.read td.d { text-decoration: underline 1px dashed var(--vv-accent); text-underline-offset: 3px; }
  tr:hover td.d, tr.focus td.d, td.focus, td.a:hover, td.u:hover { background: var(--vv-focus); }
  td.buf { cursor: pointer; text-decoration: underline dotted var(--vv-muted); }
  td.dim, .dim { color: var(--vv-muted); }
  .mark { position: absolute; right: 2px; top: 1px; font-size: 0.8em; font-weight: 700; font-family: var(--vv-font); pointer-events: none; }
  .mark.producer { color: var(--vv-accent); }
  .mark.consumer { color: var(--vv-notification); }
  .ghost { position: absolute; z-index: 3; pointer-events: none; font-family: var(--vv-mono); font-size: max(11px, 0.8em); padding: 0 5px; border-radius: 4px;
    background: var(--vv-accent); color: var(--vv-bg); line-height: ${ROW_HEIGHT - 4}px; }
  .chips { display: flex; flex-wrap: wrap; gap: 3px 5px; margin: 0 0 4px; font-family: var(--vv-mono); font-size: max(11px, 0.75em); }
  .chip { border: 1px solid var(--vv-line); border-radius: 6px; padding: 0 5px; white-space: nowrap; }
  .chip.private { border-style: dashed; }
  .chip.changed { background: var(--vv-changed); }
  .chip.focus { background: var(--vv-focus); border-color: var(--vv-accent); }
  .chip b { font-weight: 650; display: inline-block; }
  .note { font-size: max(11px, 0.72em); margin: 4px 0 0; }
  .bits { font-family: var(--vv-mono); }
  .on { color: var(--vv-active); font-weight: 700; }
  td.state-available { color: var(--vv-accent); font-weight: 600; }
  td.state-used { color: var(--vv-active); }
  .notice { font-size: 0.85em; margin: 0 0 10px; padding: 6px 10px; border-left: 3px solid var(--vv-notification); background: color-mix(in srgb, var(--vv-notification) 10%, transparent); }
  .cols { display: grid; grid-template-columns: minmax(0, 11fr) minmax(0, 10fr); gap: 14px; }
  @container (max-width: 640px) { .cols { grid-template-columns: minmax(0, 1fr); } }
  .chain { font-family: var(--vv-mono); font-size: 0.8em; overflow-wrap: anywhere; }
`;
