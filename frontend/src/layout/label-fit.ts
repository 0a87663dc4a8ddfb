/**
 * Fitting a box's label into its width without measuring text: an average glyph is about
 * 0.58 em wide in the UI's sans-serif, so a line of n characters at size s takes ~0.58·n·s px.
 * Words wrap onto at most `maxLines` lines; the font shrinks (down to `minSize`) before a
 * word is cut with an ellipsis.
 */
export const GLYPH_EM = 0.58;

export interface FittedLabel { lines: string[]; size: number }

function wrap(words: string[], perLine: number): string[] {
  const lines: string[] = [];
  for (const word of words) {
    const last = lines[lines.length - 1];
    if (last !== undefined && (last + " " + word).length <= perLine) lines[lines.length - 1] = last + " " + word;
    else lines.push(word);
  }
  return lines;
}

export function fitLabel(text: string, width: number, size = 13, minSize = 9, maxLines = 2): FittedLabel {
  const words = text.split(/\s+/).filter(Boolean);
  for (let s = size; s >= minSize; s--) {
    const perLine = Math.floor(width / (GLYPH_EM * s));
    const lines = wrap(words, perLine);
    if (lines.length <= maxLines && lines.every((l) => l.length <= perLine)) return { lines, size: s };
  }
  const perLine = Math.max(1, Math.floor(width / (GLYPH_EM * minSize)));
  const lines = wrap(words, perLine).slice(0, maxLines).map((l) => (l.length > perLine ? l.slice(0, Math.max(1, perLine - 1)) + "…" : l));
  return { lines, size: minSize };
}
