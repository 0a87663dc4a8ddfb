import { css } from "lit";

/** The page's grid of panels, its header and dialogs, at every width from 360 px up. */
export const pageStyles = css`
    :host { display: block; background: var(--vv-bg); box-sizing: border-box; overflow: auto; }
    .page { display: grid; gap: 10px; padding: 10px; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr);
      grid-template-areas: "head head" "diagram story" "rings rings" "hex side" "bar bar"; }
    [hidden] { display: none !important; }
    .diagram { position: relative; }
    .save { display: flex; gap: 4px; margin-bottom: 4px; }
    .save button { font-size: 0.75em; padding: 2px 8px; opacity: 0.75; }
    .drop { position: fixed; inset: 12px; z-index: 40; border: 3px dashed var(--vv-accent); border-radius: 12px;
      background: color-mix(in srgb, var(--vv-bg) 85%, transparent); display: grid; place-items: center; font-size: 1.3em; }
    .blank { position: fixed; inset: 0; background: #000; z-index: 50; }
    .page > * { min-width: 0; }
    header { grid-area: head; display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
    header h1 { font-size: 1.1em; margin: 0 8px 0 0; }
    header .grow { flex: 1; }
    header .hint { font-size: 0.85em; }
    .diagram { grid-area: diagram; padding: 8px; min-height: 260px; }
    .story { grid-area: story; padding: 12px; display: flex; flex-direction: column; gap: 12px; }
    .rings { grid-area: rings; padding: 10px; }
    .hex { grid-area: hex; padding: 10px; }
    .side { grid-area: side; padding: 10px; display: flex; flex-direction: column; gap: 12px; }
    /* The event log fills what the story column has left, without making the row taller. */
    .log-slot { flex: 1; min-height: 180px; position: relative; }
    .log-slot vv-log { position: absolute; inset: 0; --vv-log-max: none; }
    .bar { grid-area: bar; padding: 8px 10px; position: sticky; bottom: 0; z-index: 2; }
    .error { color: var(--vv-violation); font-size: 0.9em; }
    .scrim { position: fixed; inset: 0; z-index: 9; background: rgb(0 0 0 / 0.45); }
    .help { position: fixed; z-index: 10; top: 50%; left: 50%; transform: translate(-50%, -50%);
      width: min(560px, calc(100vw - 32px)); max-height: calc(100vh - 32px); box-sizing: border-box; padding: 20px; overflow: auto;
      box-shadow: 0 12px 40px rgb(0 0 0 / 0.35); }
    .help h2 { margin-bottom: 12px; }
    .help dl { display: grid; grid-template-columns: auto 1fr; gap: 4px 16px; }
    .help dt { font-family: var(--vv-mono); }
    :host([compact]) .page { grid-template-areas: "diagram story" "bar bar"; }
    :host([compact]) .rings, :host([compact]) .hex, :host([compact]) .side, :host([compact]) header { display: none; }
    :host([compact]) .log-slot, :host([compact]) vv-actions { display: none; }
    @media (max-width: 900px) {
      .page { grid-template-columns: minmax(0, 1fr); grid-template-areas: "head" "story" "diagram" "bar" "rings" "hex" "side"; }
      :host([compact]) .page { grid-template-areas: "story" "diagram" "bar"; }
      .log-slot { min-height: 120px; }
    }
    @media (min-width: 640px) and (max-width: 900px) {
      :host([compact]) .page { grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); grid-template-areas: "diagram story" "bar bar"; }
    }
`;
