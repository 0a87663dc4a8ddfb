import { css } from "lit";

/** The diagram's look: boxes by kind, wires by plane, the lit route, the scroll cues. */
export const diagramStyles = css`
  :host { display: flex; flex-direction: column; min-height: 0; min-width: 0; }
  .frame { position: relative; flex: 1; min-height: 0; display: flex; }
  .viewport { flex: 1; min-width: 0; min-height: 0; overflow: auto; scrollbar-width: thin; overscroll-behavior-x: contain; }
  :host(:not([fit])) .viewport { max-height: var(--vv-diagram-max, none); }
  svg { display: block; }
  .export { position: fixed; left: -30000px; top: 0; }
  /* More picture to one side: a fade and an arrow say so (a phone pans to the step itself). */
  .frame::before, .frame::after { content: ""; position: absolute; top: 0; bottom: 0; width: 28px; pointer-events: none;
    opacity: 0; transition: opacity 0.2s; z-index: 1; display: grid; place-items: center; color: var(--vv-muted); font-size: 18px; }
  .frame::before { left: 0; content: "‹"; background: linear-gradient(to right, var(--vv-panel), transparent); }
  .frame::after { right: 0; content: "›"; background: linear-gradient(to left, var(--vv-panel), transparent); }
  .frame.more-left::before, .frame.more-right::after { opacity: 1; }
  .box rect { fill: var(--vv-panel-2); stroke: var(--vv-line); stroke-width: 1.2; transition: stroke 0.2s, fill 0.2s; }
  .box.space rect { fill: transparent; stroke-dasharray: 4 4; }
  .box.vm rect, .box.process rect { fill: color-mix(in srgb, var(--vv-panel-2) 60%, transparent); }
  .box.memory rect { fill: color-mix(in srgb, var(--vv-data) 12%, var(--vv-panel-2)); }
  .box.hardware rect { fill: color-mix(in srgb, var(--vv-muted) 14%, var(--vv-panel-2)); }
  .box.active rect { stroke: var(--vv-active); stroke-width: 3; fill: color-mix(in srgb, var(--vv-active) 12%, var(--vv-panel-2)); }
  .box text { fill: var(--vv-text); }
  .box text.title { fill: var(--vv-muted); }
  .box text.sub { fill: var(--vv-muted); }
  .box.leaf text.label { font-weight: 500; }
  .wire { fill: none; stroke-width: 1.8; opacity: 0.4; stroke-linejoin: round; }
  .wire:hover { opacity: 0.9; }
  .wire.lit { opacity: 1; stroke-width: 3.4; }
  .wire.suppressed { stroke-dasharray: 2 5; }
  .wire-label { fill: var(--vv-text); font-weight: 600; paint-order: stroke; stroke: var(--vv-panel); stroke-width: 4px; stroke-linejoin: round; }
  .token { stroke: var(--vv-panel); stroke-width: 2.5; }
  .top { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: flex-start; gap: 0 8px; }
  .legend { display: flex; gap: 4px 14px; flex-wrap: wrap; font-size: max(11px, 0.78em); color: var(--vv-muted); margin: 2px 4px 6px; }
  .legend i { display: inline-block; width: 18px; height: 3px; border-radius: 2px; vertical-align: middle; margin-right: 5px; }
  .legend i.box { width: 12px; height: 10px; border: 2px solid var(--vv-active); background: transparent; border-radius: 3px; }
  @media (prefers-reduced-motion: reduce) { .box rect, .frame::before, .frame::after { transition: none; } }
`;
