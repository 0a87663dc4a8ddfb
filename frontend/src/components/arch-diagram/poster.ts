/**
 * A step as a picture that explains itself on a slide: the scenario and the step at the
 * top, the legend, the diagram, then the step's narration as a caption and its spec
 * section and real-software analog. SVG, PNG, WebM and GIF exports all draw this.
 */
import type { Measure } from "../../layout/text";
import { wrapAt } from "../../layout/text";

export interface PosterText {
  scenario: string;
  step: string;
  chapter: string;
  caption: string;
  footnote: string;
}

export interface PosterColours { bg: string; fg: string; muted: string; planes: [string, string][]; active: string }

export const POSTER_WIDTH = 1200;

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function lines(text: string, width: number, size: number, measure: Measure, max: number): string[] {
  const wrapped = wrapAt(text, width, size, measure)?.lines ?? [text];
  return wrapped.length > max ? [...wrapped.slice(0, max - 1), `${wrapped.slice(max - 1).join(" ").slice(0, 120)}…`] : wrapped;
}

/** The poster as SVG text: `diagram` is a standalone SVG of the diagram (its own width and height). */
export function posterSvg(diagram: { svg: string; width: number; height: number }, text: PosterText, c: PosterColours, measure: Measure): { svg: string; width: number; height: number } {
  const W = POSTER_WIDTH, pad = 32, inner = W - 2 * pad;
  const scale = inner / diagram.width, pictureHeight = diagram.height * scale;
  const parts: string[] = [];
  let y = pad + 26;
  parts.push(`<text x="${pad}" y="${y}" font-size="26" font-weight="700" fill="${c.fg}">${escape(text.scenario)}</text>`);
  y += 28;
  parts.push(`<text x="${pad}" y="${y}" font-size="18" fill="${c.muted}">${escape(`${text.step} · ${text.chapter}`)}</text>`);
  y += 22;
  let x = pad;
  for (const [colour, label] of c.planes) {
    parts.push(`<rect x="${x}" y="${y + 4}" width="22" height="4" rx="2" fill="${colour}"/><text x="${x + 28}" y="${y + 10}" font-size="15" fill="${c.muted}">${escape(label)}</text>`);
    x += 40 + measure(label, 15);
  }
  parts.push(`<rect x="${x}" y="${y - 1}" width="14" height="12" rx="3" fill="none" stroke="${c.active}" stroke-width="2.5"/><text x="${x + 22}" y="${y + 10}" font-size="15" fill="${c.muted}">where this step happens</text>`);
  y += 26;
  const inside = diagram.svg.replace(/^<svg\b/, `<svg x="${pad}" y="${y}" width="${inner}" height="${pictureHeight}"`);
  parts.push(inside);
  y += pictureHeight + 40;
  for (const line of lines(text.caption, inner, 26, measure, 5)) { parts.push(`<text x="${pad}" y="${y}" font-size="26" fill="${c.fg}">${escape(line)}</text>`); y += 34; }
  for (const line of lines(text.footnote, inner, 16, measure, 2)) { parts.push(`<text x="${pad}" y="${y + 4}" font-size="16" fill="${c.muted}">${escape(line)}</text>`); y += 22; }
  const H = Math.ceil(y + pad - 10);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif">`
    + `<rect width="${W}" height="${H}" fill="${c.bg}"/>${parts.join("")}</svg>`;
  return { svg, width: W, height: H };
}
