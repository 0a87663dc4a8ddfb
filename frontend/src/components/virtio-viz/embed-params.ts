/**
 * What an embedding page may choose in the URL (or as attributes): a step range, autoplay
 * and its speed, which panels show, and whether the controls do. Steps are 1-based in
 * URLs, 0-based inside.
 */

export const PANELS = ["diagram", "story", "rings", "hex", "side"] as const;
export type Panel = (typeof PANELS)[number];

export interface EmbedParams {
  from: number | null;
  to: number | null;
  autoplay: boolean;
  speed: number | null;
  panels: Panel[] | null;
  controls: boolean;
}

function step(raw: string | null): number | null {
  const n = Number(raw);
  return raw !== null && Number.isInteger(n) && n >= 1 ? n - 1 : null;
}

export function readEmbedParams(search: string): EmbedParams {
  const q = new URLSearchParams(search);
  const speed = Number(q.get("speed"));
  const panels = q.get("panels");
  return {
    from: step(q.get("from")),
    to: step(q.get("to")),
    autoplay: q.get("autoplay") === "1" || q.get("autoplay") === "true",
    speed: Number.isFinite(speed) && speed > 0 && speed <= 50 ? speed : null,
    panels: panels === null ? null : PANELS.filter((p) => panels.split(",").includes(p)),
    controls: q.get("controls") !== "0" && q.get("controls") !== "false",
  };
}

/** The steps a reader may visit: the whole timeline, or the embedded range of it. */
export function clampStep(target: number, length: number, params: EmbedParams): number {
  const low = Math.max(0, params.from ?? 0);
  const high = Math.min(length - 1, params.to ?? length - 1);
  return Math.max(low, Math.min(target, Math.max(low, high)));
}
