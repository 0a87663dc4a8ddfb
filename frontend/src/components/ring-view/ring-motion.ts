/**
 * Ring changes that move in step with the diagram's token: once the token has arrived,
 * a written descriptor or ring entry fills in, an index mark slides to its new slot, a
 * published head travels from its descriptor to the available ring and a used element
 * travels back from its descriptor to the used ring. Nothing moves under
 * prefers-reduced-motion or when a step is too short to watch (the page passes 0 ms).
 */
import { ROW_HEIGHT } from "./ring-styles";

/** Where each mark stood (data-mark -> slot), to slide it from there next step. */
export type Marks = Map<string, number>;

const SHORTEST = 150; // ms: a step shorter than this changes in place

export function marksIn(root: ParentNode): Marks {
  const marks: Marks = new Map();
  for (const el of root.querySelectorAll<HTMLElement>("[data-mark]")) {
    const slot = Number(el.closest("tr")?.dataset.index ?? NaN);
    if (Number.isFinite(slot)) marks.set(el.dataset.mark!, slot);
  }
  return marks;
}

function ghost(wrap: HTMLElement, from: HTMLElement, to: HTMLElement, text: string, timing: KeyframeAnimationOptions): void {
  const base = wrap.getBoundingClientRect(), a = from.getBoundingClientRect(), b = to.getBoundingClientRect();
  const chip = document.createElement("span");
  chip.className = "ghost";
  chip.textContent = text;
  chip.style.left = `${a.left - base.left}px`;
  chip.style.top = `${a.top - base.top + 2}px`;
  wrap.appendChild(chip);
  const dx = b.left - a.left, dy = b.top - a.top;
  const run = chip.animate([{ transform: "translate(0, 0)", opacity: 0.95 }, { transform: `translate(${dx}px, ${dy}px)`, opacity: 0.95 }], { ...timing, fill: "both" });
  run.onfinish = () => chip.remove();
  run.oncancel = () => chip.remove();
}

/** Play this step's ring changes; `before` are the marks of the step just left (one back). */
export function playStep(root: ParentNode, before: Marks | null, motionMs: number): void {
  if (motionMs < SHORTEST || !before) return;
  const delay = Math.round(motionMs * 0.55), duration = Math.max(120, Math.round(motionMs * 0.45));
  const timing: KeyframeAnimationOptions = { delay, duration, easing: "cubic-bezier(.3,.7,.3,1)", fill: "backwards" };
  const fill = [{ opacity: 0.1, transform: "translateX(-10px)" }, { opacity: 1, transform: "none" }];
  for (const cell of root.querySelectorAll<HTMLElement>("tr.changed td.d, td.a.changed, td.u.changed")) cell.animate(fill, timing);
  for (const value of root.querySelectorAll<HTMLElement>(".chip.changed b")) value.animate([{ transform: "translateY(-70%)", opacity: 0 }, { transform: "none", opacity: 1 }], timing);
  for (const el of root.querySelectorAll<HTMLElement>("[data-mark]")) {
    const now = Number(el.closest("tr")?.dataset.index ?? NaN), was = before.get(el.dataset.mark!);
    if (was === undefined || was === now || !Number.isFinite(now)) continue;
    const rows = was - now;
    el.animate(Math.abs(rows) > 8 ? [{ opacity: 0 }, { opacity: 1 }] : [{ transform: `translateY(${rows * ROW_HEIGHT}px)` }, { transform: "none" }], timing);
  }
  const wrap = root.querySelector<HTMLElement>(".desc-wrap");
  if (!wrap) return;
  const row = (i: string | undefined) => (i === undefined ? null : wrap.querySelector<HTMLElement>(`tr[data-index="${i}"] td.d`));
  for (const cell of root.querySelectorAll<HTMLElement>("td.a.changed")) {
    const from = row(cell.dataset.head);
    if (from) ghost(wrap, from, cell, `head ${cell.dataset.head}`, timing);
  }
  for (const cell of root.querySelectorAll<HTMLElement>("td.u1.changed")) {
    const from = row(cell.dataset.id);
    if (from) ghost(wrap, from, cell, `id ${cell.dataset.id}`, timing);
  }
}
