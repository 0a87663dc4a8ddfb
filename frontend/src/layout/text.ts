/**
 * Text in the diagram: how wide a string is at a size, and how a label wraps into a width.
 * The page measures with a canvas in the diagram's own font (`canvasMeasure`); tests and
 * anything without a canvas use an estimate that errs on the wide side.
 */

/** Width in px of `text` at font size `size` (and weight). */
export type Measure = (text: string, size: number, weight?: number) => number;

/** An average glyph of the UI's sans-serif is about 0.58 em (bold about 0.62 em). */
export const estimate: Measure = (text, size, weight = 400) => text.length * size * (weight >= 600 ? 0.62 : 0.58);

export function canvasMeasure(family: string): Measure {
  const context = document.createElement("canvas").getContext("2d");
  if (!context) return estimate;
  const cache = new Map<string, number>();
  return (text, size, weight = 400) => {
    const key = `${weight}|${text}`;
    let em = cache.get(key);
    if (em === undefined) {
      context.font = `${weight} 100px ${family}`;
      em = context.measureText(text).width / 100;
      cache.set(key, em);
    }
    return em * size;
  };
}

export interface Wrapped { lines: string[]; size: number; width: number }

/** Words into lines no wider than `width` at `size`; null if a word alone is wider. */
export function wrapAt(text: string, width: number, size: number, measure: Measure, weight = 400): Wrapped | null {
  const lines: string[] = [];
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (measure(word, size, weight) > width) return null;
    const last = lines[lines.length - 1];
    if (last !== undefined && measure(`${last} ${word}`, size, weight) <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return { lines, size, width: Math.max(0, ...lines.map((l) => measure(l, size, weight))) };
}

/**
 * A label fitted into `width`: wrapped at `size` onto at most `maxLines` lines, shrinking
 * the font one px at a time down to `minSize` (never below); null if it cannot fit.
 */
export function fitText(text: string, width: number, size: number, minSize: number, maxLines: number, measure: Measure, weight = 400): Wrapped | null {
  for (let s = size; s >= minSize - 1e-9; s -= 1) {
    const wrapped = wrapAt(text, width, s, measure, weight);
    if (wrapped && wrapped.lines.length <= maxLines) return wrapped;
  }
  return null;
}

/** The width the widest word of `text` needs at `size`. */
export function widestWord(text: string, size: number, measure: Measure, weight = 400): number {
  return Math.max(0, ...text.split(/\s+/).filter(Boolean).map((w) => measure(w, size, weight)));
}
