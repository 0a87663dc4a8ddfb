/**
 * Which of the four places the element is used in, from its own width (it may sit in a
 * blog column on a wide screen): a phone, a blog column, or a laptop, desktop or projector
 * ("wide"; the projector is the wide place with the projector theme). And which colours
 * the page around it prefers, when nobody chose a theme.
 */
import type { Place } from "../../layout/type-scale";

export function placeFor(width: number, compact: boolean): Place {
  if (width < 600) return "phone";
  if (compact || width < 1024) return "column";
  return "wide";
}

function luminance(colour: string): number | null {
  const m = colour.match(/rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?/);
  if (!m || (m[4] !== undefined && Number(m[4]) < 0.5)) return null; // transparent: says nothing
  const [r, g, b] = [m[1], m[2], m[3]].map((v) => Number(v) / 255) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function systemScheme(): "light" | "dark" {
  return window.matchMedia?.("(prefers-color-scheme: light)").matches ? "light" : "dark";
}

/**
 * The page's own preference: a `color-scheme` it declares for one scheme only, else the
 * brightness of its background behind the element, else the reader's system setting.
 * (On virtio-viz's own pages, the app and /embed, that is the system setting.)
 */
export function hostScheme(element: HTMLElement): "light" | "dark" {
  const declared = getComputedStyle(document.documentElement).colorScheme.split(/\s+/);
  if (declared.length === 1 && (declared[0] === "light" || declared[0] === "dark")) return declared[0];
  for (let at: Element | null = element.parentElement; at; at = at.parentElement) {
    const l = luminance(getComputedStyle(at).backgroundColor);
    if (l !== null) return l > 0.5 ? "light" : "dark";
  }
  return systemScheme();
}
