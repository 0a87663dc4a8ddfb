import { css } from "lit";

export const ROW_HEIGHT = 20;
export const GUTTER = 30;

export const ringStyles = css`
  :host { display: block; }
  .tabs { display: flex; gap: 6px; flex-wrap: wrap; margin-bottom: 8px; }
  .tabs button[aria-pressed="true"] { border-color: var(--vv-accent); background: var(--vv-focus); }
  .cols { display: grid; grid-template-columns: minmax(0, 11fr) minmax(0, 10fr); gap: 14px; }
  @media (max-width: 900px) { .cols { grid-template-columns: minmax(0, 1fr); } }
  h3 { font-size: 0.85em; margin: 0 0 4px; font-weight: 600; }
  h3 .muted { font-weight: 400; }
  .legend { font-size: 0.75em; display: flex; gap: 10px; flex-wrap: wrap; margin-bottom: 4px; }
  .legend i { display: inline-block; width: 16px; height: 0; vertical-align: middle; margin-right: 4px; border-top: 2px solid var(--vv-accent); }
  .legend i.free { border-top: 2px dashed var(--vv-muted); }
  .legend i.flight { width: 4px; height: 12px; border: 0; background: var(--vv-notification); }
  .legend i.changed { width: 12px; height: 12px; border: 0; background: var(--vv-changed); }
  .scroll { max-height: 300px; overflow: auto; position: relative; border-radius: 6px; }
  .scroll:focus-visible { outline: 2px solid var(--vv-accent); }
  .desc-wrap { position: relative; padding-left: ${GUTTER}px; }
  svg.links { position: absolute; left: 0; top: ${ROW_HEIGHT}px; width: ${GUTTER}px; overflow: visible; pointer-events: none; }
  svg.links path { fill: none; stroke-width: 1.6; }
  svg.links path.chain { stroke: var(--vv-accent); }
  svg.links path.free { stroke: var(--vv-muted); stroke-dasharray: 3 3; opacity: 0.8; }
  svg.links .dot { fill: var(--vv-accent); }
  table { border-collapse: collapse; width: 100%; font-family: var(--vv-mono); font-size: 0.8em; }
  tr { height: ${ROW_HEIGHT}px; }
  th { text-align: left; color: var(--vv-muted); font-weight: 500; position: sticky; top: 0; background: var(--vv-panel); z-index: 1; }
  td, th { padding: 0 6px; white-space: nowrap; line-height: ${ROW_HEIGHT - 2}px; }
  td:first-child { box-shadow: inset 3px 0 transparent; }
  tr.changed td { background: var(--vv-changed); }
  tr.flight td:first-child { box-shadow: inset 3px 0 var(--vv-notification); }
  tr.free td { color: var(--vv-muted); }
  tr.read td { outline: 1px dashed var(--vv-accent); outline-offset: -1px; }
  tr:hover td, tr.focus td { background: var(--vv-focus); }
  td.buf { cursor: pointer; text-decoration: underline dotted var(--vv-muted); }
  td.dim, .dim { color: var(--vv-muted); }
  .chips { display: flex; flex-wrap: wrap; gap: 4px 6px; margin: 2px 0 6px; font-family: var(--vv-mono); font-size: 0.78em; }
  .chip { border: 1px solid var(--vv-line); border-radius: 6px; padding: 1px 6px; white-space: nowrap; }
  .chip.private { border-style: dashed; }
  .chip.changed { background: var(--vv-changed); }
  .chip.focus { background: var(--vv-focus); border-color: var(--vv-accent); }
  .chip b { font-weight: 600; }
  .strip { display: grid; gap: 3px; margin-bottom: 12px; font-family: var(--vv-mono); font-size: 0.75em; }
  .strip.avail { grid-template-columns: repeat(auto-fill, minmax(4.6em, 1fr)); }
  .strip.used { grid-template-columns: repeat(auto-fill, minmax(7.6em, 1fr)); }
  .cell { border: 1px solid var(--vv-line); border-radius: 5px; padding: 2px 4px; min-height: 34px; position: relative; cursor: default; }
  .cell .i { color: var(--vv-muted); font-size: 0.85em; display: block; }
  .cell.pending { border-color: var(--vv-accent); background: color-mix(in srgb, var(--vv-accent) 14%, transparent); }
  .cell.changed { background: var(--vv-changed); }
  .cell.focus, .cell:hover { outline: 2px solid var(--vv-accent); outline-offset: -1px; }
  .cell .mark { position: absolute; right: 2px; top: 1px; font-size: 0.8em; font-weight: 700; }
  .mark.producer { color: var(--vv-accent); }
  .mark.consumer { color: var(--vv-notification); }
  .note { font-size: 0.75em; margin: 0 0 10px; }
  .bits { font-family: var(--vv-mono); }
  .on { color: var(--vv-active); font-weight: 700; }
  td.state-available { color: var(--vv-accent); font-weight: 600; }
  td.state-used { color: var(--vv-active); }
  .notice { font-size: 0.85em; margin: 0 0 10px; padding: 6px 10px; border-left: 3px solid var(--vv-notification); background: color-mix(in srgb, var(--vv-notification) 10%, transparent); }
  .chain { font-family: var(--vv-mono); font-size: 0.8em; overflow-wrap: anywhere; }
`;
