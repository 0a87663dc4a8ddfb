/**
 * The posters of a range of steps, for a video or a GIF: the page is moved to each step
 * in turn and, once it has drawn it, the step's poster is made (poster.ts, with the token
 * resting at the end of its route).
 */
import type { TimelineStore } from "../../store/store";
import type { VideoFrame } from "./record-video";

export async function captureSteps(
  store: TimelineStore, steps: { start: number; end: number }, drawn: () => Promise<unknown>,
  poster: (step: number) => Promise<{ svg: string; width: number; height: number }>,
): Promise<{ frames: VideoFrame[]; aspect: number }> {
  const frames: VideoFrame[] = [];
  let aspect = 16 / 9;
  for (let step = steps.start; step <= steps.end; step++) {
    store.setStep(step);
    await drawn();
    const made = await poster(step);
    aspect = made.width / made.height;
    frames.push({ svg: made.svg });
  }
  return { frames, aspect };
}
