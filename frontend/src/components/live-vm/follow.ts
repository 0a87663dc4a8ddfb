/**
 * Following a live VM: while the reader follows, every time the timeline grows the view
 * moves to its newest step; stepping away (back, a seek, a click on the timeline) stops
 * following, and "live" starts it again. A step the page itself asked for, confirmed late
 * by the server after the timeline grew again, is not the reader stepping away.
 */
export interface Seen { step: number; length: number }

export class Follow {
  following = true;
  private seen: Seen = { step: 0, length: 0 };
  private asked: number[] = []; // the steps this page sought lately (the server may confirm them late)

  /** The store changed: where to go now (null: nowhere). */
  changed(now: Seen): number | null {
    const before = this.seen;
    this.seen = now;
    const ours = this.asked.includes(now.step);
    if (!ours && now.length === before.length && now.step !== before.step && now.step < now.length - 1) {
      this.following = false; // the reader stepped away from the edge
    }
    const grew = now.length > before.length || before.length === 0;
    if (!this.following || !grew || now.length === 0 || now.step === now.length - 1) return null;
    return this.ask(now.length - 1);
  }

  /** "live": follow again, from the newest step. */
  resume(): number | null {
    this.following = true;
    return this.seen.length ? this.ask(this.seen.length - 1) : null;
  }

  private ask(step: number): number {
    this.asked = [...this.asked.slice(-31), step];
    return step;
  }
}
