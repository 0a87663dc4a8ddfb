/**
 * A range of steps as an animated GIF, for the blogs and slides that take images but not
 * video: the same pictures the WebM recorder draws (diagram and caption), each reduced to
 * a 256-colour palette and encoded in the page by gifenc. Nothing leaves the page.
 */
import { GIFEncoder, applyPalette, quantize } from "gifenc";
import { MIN_SECONDS_PER_STEP, drawFrame, frameCanvas, type VideoFrame } from "./record-video";

const GIF_WIDTH = 960; // a GIF holds every pixel of every frame: smaller than the video

export async function recordGif(
  frames: VideoFrame[], aspect: number, secondsPerStep: number, colours: { bg: string; fg: string },
): Promise<Blob> {
  const { canvas, picture } = frameCanvas(aspect, GIF_WIDTH);
  const context = canvas.getContext("2d", { willReadFrequently: true })!;
  const delay = Math.round(Math.max(secondsPerStep, MIN_SECONDS_PER_STEP) * 1000);
  const gif = GIFEncoder();
  for (const frame of frames) {
    await drawFrame(context, frame, picture, colours);
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    const palette = quantize(data, 256);
    gif.writeFrame(applyPalette(data, palette), canvas.width, canvas.height, { palette, delay });
  }
  gif.finish();
  return new Blob([gif.bytes()], { type: "image/gif" });
}
