/**
 * A range of steps as a WebM video for slides, recorded in the browser: each step's
 * diagram (with the token at the end of its route) and its narration are drawn on a
 * canvas whose stream a MediaRecorder encodes. Nothing leaves the page.
 */

export interface VideoFrame { svg: string; caption: string }

const WIDTH = 1280;
const CAPTION = 120; // at WIDTH; a narrower picture scales it
export const MIN_SECONDS_PER_STEP = 0.3; // a step shorter than this is hard to read, and to encode

function wrap(context: CanvasRenderingContext2D, text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    const next = line ? `${line} ${word}` : word;
    if (context.measureText(next).width > width && line) { lines.push(line); line = word; } else line = next;
  }
  if (line) lines.push(line);
  return lines.slice(0, 3);
}

/** A canvas for frames `width` pixels wide: the diagram at its aspect, the caption below. */
export function frameCanvas(aspect: number, width: number = WIDTH): { canvas: HTMLCanvasElement; picture: number } {
  const picture = Math.round(width / aspect);
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = picture + Math.round((CAPTION * width) / WIDTH);
  return { canvas, picture };
}

/** One step on the canvas: the diagram `picture` pixels high, then its caption. */
export async function drawFrame(context: CanvasRenderingContext2D, frame: VideoFrame, picture: number, colours: { bg: string; fg: string }): Promise<void> {
  const width = context.canvas.width, scale = width / WIDTH;
  const image = new Image();
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(frame.svg)}`;
  await image.decode();
  context.fillStyle = colours.bg;
  context.fillRect(0, 0, width, context.canvas.height);
  context.drawImage(image, 0, 0, width, picture);
  context.fillStyle = colours.fg;
  context.font = `${Math.round(26 * scale)}px system-ui, sans-serif`;
  wrap(context, frame.caption, width - 60 * scale)
    .forEach((line, i) => context.fillText(line, 30 * scale, picture + (38 + 34 * i) * scale));
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
