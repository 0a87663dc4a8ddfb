/**
 * Play: the page moves one step a tick at the store's speed, only onto steps it holds
 * (the server streams ahead while playing; a tick before the frames come waits, else each
 * tick would move the session one more step), and stops at the last step the reader may
 * visit.
 */
import type { Source } from "../../store/sources";
import type { TimelineStore } from "../../store/store";

export interface PlayerHost {
  store: TimelineStore;
  source(): Source | null;
  /** the last step the reader may visit (an embed's range) */
  last(): number;
  seek(step: number): void;
  changed(): void;
}

export class Player {
  private timer: number | undefined;
  constructor(private host: PlayerHost) {}

  get playing(): boolean { return this.timer !== undefined; }

  toggle(): void {
    const { store } = this.host;
    if (this.playing) { this.stop(); this.host.source()?.pause(); return; }
    store.playing = true;
    this.host.source()?.play(store.speed);
    this.timer = window.setInterval(() => {
      if (store.step >= this.host.last()) { this.stop(); this.host.source()?.pause(); return; }
      if (store.has(store.step + 1)) this.host.seek(store.step + 1);
    }, 1000 / store.speed);
    this.host.changed();
  }

  /** Played at another speed: the ticks follow it. */
  restart(): void {
    if (!this.playing) return;
    this.stop();
    this.toggle();
  }

  stop(): void {
    if (this.timer !== undefined) window.clearInterval(this.timer);
    this.timer = undefined;
    this.host.store.playing = false;
    this.host.changed();
  }
}
