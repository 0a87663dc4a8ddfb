/**
 * The pictures of a range of steps, for a video or a GIF: the page is moved to each step
 * in turn and the diagram is copied once it has drawn it (with the token resting at the
 * end of its route), with the step's narration as the caption.
 */
import type { TimelineStore } from "../../store/store";
import type { ArchDiagram } from "./arch-diagram";
import { standaloneSvg } from "./export-image";
import type { VideoFrame } from "./record-video";

export async function captureSteps(
  store: TimelineStore, diagram: ArchDiagram, steps: { start: number; end: number },
  background: string, drawn: () => Promise<unknown>,
): Promise<{ frames: VideoFrame[]; aspect: number }> {
  const frames: VideoFrame[] = [];
  let box = { width: 16, height: 9 };
  diagram.reducedMotion = true;
  try {
    for (let step = steps.start; step <= steps.end; step++) {
      store.setStep(step);
      await drawn();
      await diagram.updateComplete;
      const svg = diagram.shadowRoot!.querySelector("svg")!;
      box = svg.viewBox.baseVal;
      frames.push({ svg: standaloneSvg(svg, background), caption: `${step + 1}. ${store.frame(step)?.narration ?? ""}` });
    }
  } finally {
    diagram.reducedMotion = false;
  }
  return { frames, aspect: box.width / box.height };
}
