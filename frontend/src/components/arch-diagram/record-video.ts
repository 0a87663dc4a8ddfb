/**
 * A range of steps as a WebM video for slides, recorded in the browser: each step's
 * poster (scenario and step, legend, diagram with the token at the end of its route, the
 * narration as a caption) is drawn on a canvas whose stream a MediaRecorder encodes.
 * Nothing leaves the page.
 */

/** One step's poster (poster.ts) as SVG text. */
export interface VideoFrame { svg: string }

const WIDTH = 1280;
export const MIN_SECONDS_PER_STEP = 0.3; // a step shorter than this is hard to read, and to encode

/** A canvas for frames `width` pixels wide, at the posters' aspect (width / height). */
export function frameCanvas(aspect: number, width: number = WIDTH): { canvas: HTMLCanvasElement; picture: number } {
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = 2 * Math.round(width / aspect / 2); // even: video encoders want it
  return { canvas, picture: canvas.height };
}

/** One step on the canvas: its poster, filling it. */
export async function drawFrame(context: CanvasRenderingContext2D, frame: VideoFrame, picture: number, colours: { bg: string; fg: string }): Promise<void> {
  const image = new Image();
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(frame.svg)}`;
  await image.decode();
  context.fillStyle = colours.bg;
  context.fillRect(0, 0, context.canvas.width, context.canvas.height);
  context.drawImage(image, 0, 0, context.canvas.width, picture);
}

export async function recordWebm(
  frames: VideoFrame[], aspect: number, secondsPerStep: number, colours: { bg: string; fg: string },
): Promise<Blob> {
  const { canvas, picture } = frameCanvas(aspect);
  const context = canvas.getContext("2d")!;
  await drawFrame(context, frames[0]!, picture, colours);
  const recorder = new MediaRecorder(canvas.captureStream(30), { mimeType: "video/webm" });
  const chunks: Blob[] = [];
  recorder.ondataavailable = (event) => { if (event.data.size) chunks.push(event.data); };
  const done = new Promise<void>((resolve) => { recorder.onstop = () => resolve(); });
  const started = new Promise<void>((resolve) => { recorder.onstart = () => resolve(); });
  recorder.start(250);
  await started;
  const hold = Math.max(secondsPerStep, MIN_SECONDS_PER_STEP) * 1000;
  for (const frame of frames) {
    await drawFrame(context, frame, picture, colours);
    await new Promise((resolve) => setTimeout(resolve, hold));
  }
  recorder.requestData();
  recorder.stop();
  await done;
  return new Blob(chunks, { type: "video/webm" });
}
