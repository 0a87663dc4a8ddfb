/**
 * What a screen reader hears: each step's caption, said once through a polite live region.
 *
 * How this works: the page tells the announcer which step it shows after every render.
 * A step is said when the page has rested on it for a moment (a held arrow key or a
 * scrub says only where it stops), and only once (re-renders of the same step say
 * nothing). While the page plays, the steps go by unsaid, and only a new chapter's title
 * is said; when play stops, the step it stopped on is said.
 */
import type { Chapter, Frame } from "../../protocol";

/** How long a step must stay on screen before it is said. */
export const SETTLE_MS = 250;

/** The words for a step: where it is, the caption, and the spec rule it breaks, if any. */
export function stepAnnouncement(frame: Frame, total: number): string {
  const e = frame.event;
  const broken = e.rule !== null ? ` This breaks a MUST of the virtio spec, N${e.rule}: ${e.requirement}` : "";
  return `Step ${frame.index + 1} of ${total}. ${frame.narration}${broken}`;
}

export class StepAnnouncer {
  /** The live region's text. */
  text = "";
  private said: number | null = null;
  private saidChapter: number | null = null;
  private pending: number | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly changed: () => void) {}

  /** The page now shows `frame` (of `total` steps), playing or not. */
  show(frame: Frame | undefined, total: number, chapter: Chapter | undefined, playing: boolean): void {
    if (!frame) return;
    if (playing) {
      this.cancel();
      this.said = null; // the step play stops on is said, even if it was said before
      if (chapter && frame.index === chapter.first_step && this.saidChapter !== chapter.index) {
        this.saidChapter = chapter.index;
        this.say(`Chapter ${chapter.title}.`);
      }
      return;
    }
    this.saidChapter = null;
    if (frame.index === this.said || frame.index === this.pending) return;
    this.cancel();
    this.pending = frame.index;
    this.timer = setTimeout(() => {
      this.pending = null;
      this.said = frame.index;
      this.say(stepAnnouncement(frame, total));
    }, SETTLE_MS);
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = null;
  }

  private say(text: string): void {
    this.text = text;
    this.changed();
  }
}
