// The sandbox's controllable clock: real time plus an offset that tests and the demo page move forward, so an SLA
// deadline can be reached in seconds. Shared with Baton's server in demo mode (it implements the Clock port).
import type { Clock } from '../clock';

export interface SandboxClock extends Clock {
  /** Moves time forward by `ms` (never backwards) and tells the listeners. */
  advance(ms: number): Date;
  /** Jumps to a later instant. */
  set(to: Date): Date;
  /** How far the clock runs ahead of real time, in ms. */
  offsetMs(): number;
  onAdvance(listener: (now: Date) => void): () => void;
}

export function createSandboxClock(options: { start?: Date; realNow?: () => number } = {}): SandboxClock {
  const realNow = options.realNow ?? (() => Date.now());
  let offset = options.start ? options.start.getTime() - realNow() : 0;
  const listeners = new Set<(now: Date) => void>();
  const now = () => new Date(realNow() + offset);
  const notify = () => {
    const t = now();
    for (const l of listeners) l(t);
    return t;
  };
  return {
    now,
    advance(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError('the sandbox clock only moves forward');
      offset += ms;
      return notify();
    },
    set(to) {
      const delta = to.getTime() - now().getTime();
      if (delta < 0) throw new RangeError('the sandbox clock only moves forward');
      offset += delta;
      return notify();
    },
    offsetMs: () => offset,
    onAdvance(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
