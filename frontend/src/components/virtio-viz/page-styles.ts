import { css } from "lit";

/**
 * The page for each place (the `place` attribute, place.ts). Wide (laptop, desktop,
 * projector): the stage fills the screen, the diagram on the left, the caption and the
 * rings on the right, the dock (open panels) beside it; nothing scrolls but the panels'
 * insides. A blog column or a phone: caption, diagram and rings one below the other, the
 * open panels under them, the timeline kept at the bottom of the view.
 */
export const pageStyles = css`
    :host { display: block; background: var(--vv-bg); box-sizing: border-box; overflow: auto; }
    :host([place="wide"]:not([compact])) { overflow: hidden; }
    [hidden] { display: none !important; }
    .page { display: grid; gap: 8px; padding: 8px; box-sizing: border-box; grid-template-rows: auto minmax(0, 1fr) auto; grid-template-columns: minmax(0, 1fr); min-height: 100%; }
    :host([place="wide"]:not([compact])) .page { height: 100%; }
    .page > * { min-width: 0; }

    header { display: flex; gap: 6px 10px; align-items: center; flex-wrap: wrap; }
    header h1 { font-size: 1.1em; margin: 0 4px 0 0; }
    header .grow { flex: 1; }
    header .title { font-size: 0.95em; }
    header select { max-width: min(420px, 100%); }
    header .room { font-size: 0.85em; display: inline-flex; gap: 6px; align-items: center; flex-wrap: wrap; }
    header .room b { color: var(--vv-notification); font-weight: 600; }
    header .room-notice { font-size: 0.85em; padding: 2px 8px; border-left: 3px solid var(--vv-notification); }
    .toggles { display: flex; gap: 4px; flex-wrap: wrap; }
    /* each toggle whole, on one line, and a target of 24 px at least (WCAG 2.5.8) */
    .toggles button { font-size: 0.85em; padding: 3px 9px; min-height: 24px; white-space: nowrap; }
    .toggles button[aria-pressed="true"] { border-color: var(--vv-accent); background: var(--vv-focus); }

    .main { display: flex; gap: 8px; min-height: 0; }
    .stage { flex: 1; min-width: 0; min-height: 0; display: grid; gap: 8px;
      grid-template-columns: minmax(0, 1fr); grid-template-areas: "diagram" "caption" "subject"; align-content: start; }
    .caption { grid-area: caption; padding: 10px 14px; min-height: 0; overflow: auto; }
    .diagram { grid-area: diagram; padding: 6px 8px 8px; min-height: 0; display: flex; flex-direction: column; }
    .diagram vv-diagram { flex: 1; }
    .subject { grid-area: subject; padding: 8px 10px; min-height: 0; display: flex; flex-direction: column; overflow: auto; }
    .subject vv-rings { flex: 1; }
    .subject.device { gap: 10px; }
    .save { display: flex; gap: 4px; margin-bottom: 4px; }
    .save button { font-size: max(11px, 0.75em); padding: 2px 8px; opacity: 0.8; }

    /* The diagram's column is never narrower than the diagram needs to be whole (stage.ts
       says how wide), while the caption's column keeps its own minimum: a panel opened in
       the dock narrows the caption and the rings, not the picture. */
    :host([place="wide"]) .stage { --vv-caption-min: 340px; --vv-diagram-fr: 3fr; --vv-caption-fr: 2fr;
      grid-template-columns: minmax(min(var(--vv-diagram-needs, 0px), 100% - var(--vv-caption-min) - 8px), var(--vv-diagram-fr))
        minmax(var(--vv-caption-min), var(--vv-caption-fr));
      grid-template-rows: minmax(0, max-content) minmax(max(220px, 52%), 1fr); grid-template-areas: "diagram caption" "diagram subject"; }
    :host([place="wide"][theme="projector"]) .stage { --vv-caption-min: 420px; --vv-diagram-fr: 2.2fr; --vv-caption-fr: 1fr; }
    /* A projector's type is large: with a panel open the picture comes first, the caption's
       column keeps to its minimum and the dock to 380 px, so the picture still fits. */
    :host([place="wide"][theme="projector"]) .main:has(> .dock) .stage { --vv-caption-fr: 0fr; }
    :host([place="wide"]) .subject vv-rings { --vv-ring-rows: none; }
    :host(:not([place="wide"])) .subject vv-rings { --vv-ring-rows: 340px; }
    /* A phone: the picture keeps to half the screen and pans to the step inside it. */
    :host([place="phone"]) vv-diagram { --vv-diagram-max: 50vh; }
    :host([place="phone"]) header h1 { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
    :host([place="phone"]) header select { flex: 1 1 160px; min-width: 0; }
    :host([place="phone"]) header .grow { display: none; }
    /* a phone: the toggles on a row of their own, wrapped (none cut by the screen's edge) */
    :host([place="phone"]) .toggles { flex: 1 1 100%; order: 3; gap: 6px; }
    :host([place="phone"]) .toggles button { min-height: 32px; }
    :host([place="phone"]) .caption { padding: 8px 10px; }

    .dock { display: flex; flex-direction: column; gap: 8px; min-height: 0; }
    :host([place="wide"]) .dock { flex: 0 0 clamp(320px, 27vw, 460px); overflow: auto; }
    :host([place="wide"][theme="projector"]) .dock { flex-basis: clamp(320px, 20vw, 380px); }
    :host(:not([place="wide"])) .main { flex-direction: column; }
    .dock-panel { padding: 10px 12px; display: flex; flex-direction: column; gap: 10px; }
    .dock-title { display: flex; justify-content: space-between; align-items: center; margin: 0; }
    .dock-title .close { padding: 0 8px; font-size: 1.1em; line-height: 1.3; }
    .dock-panel vv-log { --vv-log-max: 320px; }

    .bar { padding: 6px 10px; position: sticky; bottom: 0; z-index: 2; display: flex; gap: 8px; align-items: center; }
    .bar vv-timeline { flex: 1; min-width: 0; }
    .rings-toggle[aria-pressed="true"] { border-color: var(--vv-accent); background: var(--vv-focus); }
    :host([compact]) .page { grid-template-rows: auto auto; padding: 6px; }

    .error { color: var(--vv-violation); font-size: 0.9em; }
    .drop { position: fixed; inset: 12px; z-index: 40; border: 3px dashed var(--vv-accent); border-radius: 12px;
      background: color-mix(in srgb, var(--vv-bg) 85%, transparent); display: grid; place-items: center; font-size: 1.3em; }
    .blank { position: fixed; inset: 0; background: #000; z-index: 50; }
    .scrim { position: fixed; inset: 0; z-index: 9; background: rgb(0 0 0 / 0.45); }
    .help { position: fixed; z-index: 10; top: 50%; left: 50%; transform: translate(-50%, -50%);
      width: min(560px, calc(100vw - 32px)); max-height: calc(100vh - 32px); box-sizing: border-box; padding: 20px; overflow: auto;
      box-shadow: 0 12px 40px rgb(0 0 0 / 0.35); }
    .help h2 { margin-bottom: 12px; }
    .help dl { display: grid; grid-template-columns: auto 1fr; gap: 4px 16px; }
    .help dt { font-family: var(--vv-mono); }
`;
