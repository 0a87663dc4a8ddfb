/**
 * Saving what the stage shows, for slides and posts: this step as an SVG or PNG poster,
 * or the rest of the chapter as a WebM video or an animated GIF of posters. Each poster
 * carries the scenario, the step and its chapter, the legend and the narration.
 */
import type { TimelineStore } from "../../store/store";
import type { ArchDiagram } from "../arch-diagram/arch-diagram";
import { PLANES } from "../arch-diagram/arch-diagram";
import { download, pngOf } from "../arch-diagram/export-image";
import { posterSvg, type PosterColours, type PosterText } from "../arch-diagram/poster";
import { captureSteps } from "../arch-diagram/capture-steps";
import { recordWebm } from "../arch-diagram/record-video";
import { recordGif } from "../arch-diagram/record-gif";
import { canvasMeasure } from "../../layout/text";
import { PLANE_DASH } from "../theme";
import { clampStep, type EmbedParams } from "./embed-params";

export interface ExportSource {
  store: TimelineStore;
  diagram: ArchDiagram;
  style: CSSStyleDeclaration;
  embed: EmbedParams;
  /** resolves once the page shows the store's step */
  drawn(): Promise<unknown>;
}

export function posterText(store: TimelineStore, step: number): PosterText {
  const header = store.header!, frame = store.frame(step);
  const chapter = header.chapters[store.chapterAt(step)];
  const spec = frame?.event.spec ? `virtio-1.2 ${frame.event.spec}` : "";
  const analog = frame?.event.analog ? `In real software: ${frame.event.analog}` : "";
  return {
    scenario: header.scenario.title,
    step: `Step ${step + 1} of ${store.length}`,
    chapter: chapter?.title ?? "",
    caption: frame?.narration ?? "",
    footnote: [spec, analog, "virtio-viz"].filter(Boolean).join(" · "),
  };
}

function colours(style: CSSStyleDeclaration): PosterColours {
  const get = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    bg: get("--vv-bg", "#ffffff"), fg: get("--vv-text", "#000000"), muted: get("--vv-muted", "#555555"), active: get("--vv-active", "#009e73"),
    planes: PLANES.map(([plane, label]) => [get(`--vv-${plane}`, "#888888"), label, PLANE_DASH[plane] ?? "none"]),
  };
}

async function posterOf(x: ExportSource, step: number): Promise<{ svg: string; width: number; height: number }> {
  await x.diagram.updateComplete;
  const c = colours(x.style);
  const picture = x.diagram.exportPicture(c.bg);
  if (!picture) throw new Error("no diagram to export");
  return posterSvg(picture, posterText(x.store, step), c, canvasMeasure(x.style.fontFamily || "system-ui"));
}

export async function savePoster(x: ExportSource, format: "svg" | "png"): Promise<void> {
  const step = x.store.step, made = await posterOf(x, step);
  const name = `virtio-viz-${x.store.header?.scenario.id ?? "diagram"}-step-${step + 1}`;
  if (format === "svg") { download(`${name}.svg`, new Blob([made.svg], { type: "image/svg+xml" })); return; }
  download(`${name}.png`, await pngOf(made.svg, made.width, made.height, colours(x.style).bg));
}

/** Record from this step to the end of its chapter (or of the embedded range, at most 60
 * steps, only steps the page holds), as a WebM video or an animated GIF. */
export async function recordChapter(x: ExportSource, format: "webm" | "gif"): Promise<void> {
  const s = x.store, header = s.header;
  if (!header || (format === "webm" && typeof MediaRecorder === "undefined")) return;
  const chapter = header.chapters[s.chapterAt()]!;
  let end = clampStep(Math.min(chapter.first_step + chapter.step_count - 1, s.step + 59), s.length, x.embed);
  while (end > s.step && !s.has(end)) end--;
  const start = s.step, c = colours(x.style);
  try {
    const { frames, aspect } = await captureSteps(s, { start, end }, () => x.drawn(), (step) => posterOf(x, step));
    const encode = format === "webm" ? recordWebm : recordGif;
    const file = await encode(frames, aspect, 1 / Math.max(1, s.speed), { bg: c.bg, fg: c.fg });
    download(`virtio-viz-${header.scenario.id}-steps-${start + 1}-${end + 1}.${format}`, file);
  } finally {
    s.setStep(start);
  }
}

/** The stage's save buttons: a poster at once, or a recording while `recording` says so
 * (the page disables the recording buttons, then goes back to the step it showed). */
export async function saveStage(x: ExportSource, format: "svg" | "png" | "webm" | "gif", recording: (on: boolean) => void): Promise<void> {
  if (format === "svg" || format === "png") { await savePoster(x, format); return; }
  recording(true);
  try { await recordChapter(x, format); } finally { recording(false); }
}
