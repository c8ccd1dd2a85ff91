/**
 * A clock and timers a test moves by hand: lockouts, coalesced events and retrains happen
 * when the test says the time has come, never because the machine was fast or slow.
 */
import type { LiveTimers } from '../../server/live/live-events.ts';

interface Timer {
  due: number;
  every?: number;
  run: () => void;
}

export class ManualClock implements LiveTimers {
  private readonly timers = new Set<Timer>();

  /** `start`: where the time begins (the real time, for records stamped by the real clock). */
  constructor(private time = Date.UTC(2026, 0, 1)) {}

  /** The time in milliseconds, for `now` parameters. */
  readonly now = (): number => this.time;

  after(ms: number, run: () => void): () => void {
    return this.add({ due: this.time + ms, run });
  }

  every(ms: number, run: () => void): () => void {
    return this.add({ due: this.time + ms, every: ms, run });
  }

  /** One-off timers still waiting. */
  get waiting(): number {
    return [...this.timers].filter((t) => t.every === undefined).length;
  }

  /** Moves the time on, running each timer that falls due on the way, in order. */
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const next = [...this.timers].filter((t) => t.due <= until).sort((a, b) => a.due - b.due)[0];
      if (!next) break;
      this.time = next.due;
      if (next.every === undefined) this.timers.delete(next);
      else next.due += next.every;
      next.run();
    }
    this.time = until;
  }

  private add(timer: Timer): () => void {
    this.timers.add(timer);
    return () => this.timers.delete(timer);
  }
}
