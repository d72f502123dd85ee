// When an AE is away, from their mailbox's automatic replies (Graph `automaticRepliesSetting`): one reading becomes an
// away span, merged into the spans seen before (the history that explains past pauses of the SLA clock), and the spans
// become the pauses the working-time clock skips. Mailbox settings have no change notifications: every reading is an
// observation at `now`, and what happened between two readings is not known. Pure. Imports: ./mailbox, ./working-time.
import type { AutomaticReplies, TimeWindow } from './mailbox';
import type { Pauses } from './working-time';

/** Why the AE counts as away: automatic replies on with no end, or on for a scheduled window. */
export type AwaySource = 'alwaysEnabled' | 'scheduled';

/** A span during which the AE is away. `end` null: open-ended, it lasts until Baton sees the replies off. */
export interface AwaySpan {
  readonly start: Date;
  readonly end: Date | null;
  readonly source: AwaySource;
}

/**
 * What one reading says, at the instant it was taken:
 * - `off`: replies disabled, or a scheduled window already over (a schedule in the past pauses nothing);
 * - `away`: away now (`span.start` ≤ now) or planned ahead (`span.start` > now). `alwaysEnabled` starts at the reading
 *   (Graph does not say since when) and has no end; a scheduled window with no usable end (missing, or not after its
 *   start) is open-ended too, until seen off; one with no start starts at the reading.
 */
export type AwayReading = { readonly kind: 'off' } | { readonly kind: 'away'; readonly span: AwaySpan };

export function readAway(replies: AutomaticReplies, now: Date): AwayReading {
  if (replies.status === 'disabled') return { kind: 'off' };
  if (replies.status === 'alwaysEnabled') return { kind: 'away', span: { start: now, end: null, source: 'alwaysEnabled' } };
  const start = replies.scheduledStart ?? now;
  const usableEnd = replies.scheduledEnd !== null && replies.scheduledEnd.getTime() > start.getTime() ? replies.scheduledEnd : null;
  if (usableEnd !== null && usableEnd.getTime() <= now.getTime()) return { kind: 'off' };
  return { kind: 'away', span: { start, end: usableEnd, source: 'scheduled' } };
}

const covers = (s: AwaySpan, at: number): boolean => s.start.getTime() <= at && (s.end === null || s.end.getTime() > at);
const sameSpan = (a: AwaySpan, b: AwaySpan): boolean =>
  a.start.getTime() === b.start.getTime() && (a.end?.getTime() ?? null) === (b.end?.getTime() ?? null) && a.source === b.source;

/**
 * The spans after a reading taken at `now`. Spans that ended before `now` are history and stay as they are. The span
 * running at `now` (at most one) is closed at `now` when the reading says off or away only later (the time it was seen
 * off), kept with its first start and given the reading's end when the AE is still away, else a new span starts. Spans
 * planned ahead are replaced by the reading's (a mailbox has one schedule). `changed`: whether anything differs.
 */
export function mergeAway(previous: readonly AwaySpan[], reading: AwayReading, now: Date): { spans: AwaySpan[]; changed: boolean } {
  const t = now.getTime();
  const past = previous.filter((s) => s.end !== null && s.end.getTime() <= t);
  const current = previous.find((s) => covers(s, t));
  const next: AwaySpan[] = [...past];
  const span = reading.kind === 'away' ? reading.span : null;
  if (span !== null && span.start.getTime() <= t) {
    // Away now: the running span goes on (from when it was first seen) with the reading's end and source.
    const start = current === undefined ? span.start : new Date(Math.min(current.start.getTime(), span.start.getTime()));
    next.push({ start, end: span.end, source: span.source });
  } else {
    if (current !== undefined && current.start.getTime() < t) next.push({ start: current.start, end: now, source: current.source });
    if (span !== null) next.push(span);
  }
  const byStart = (a: AwaySpan, b: AwaySpan): number => a.start.getTime() - b.start.getTime();
  next.sort(byStart);
  const before = [...previous].sort(byStart);
  const changed = next.length !== before.length || next.some((s, i) => {
    const p = before[i];
    return p === undefined || !sameSpan(s, p);
  });
  return { spans: next, changed };
}

/** The span running at `at`, or null. */
export function awayAt(spans: readonly AwaySpan[], at: Date): AwaySpan | null {
  return spans.find((s) => covers(s, at.getTime())) ?? null;
}

/** The span running at `at`, else the next one planned after it, else null: what the SDR and the pane are told. */
export function awayNowOrNext(spans: readonly AwaySpan[], at: Date): AwaySpan | null {
  const running = awayAt(spans, at);
  if (running !== null) return running;
  const ahead = spans.filter((s) => s.start.getTime() > at.getTime()).sort((a, b) => a.start.getTime() - b.start.getTime());
  return ahead[0] ?? null;
}

/**
 * The pauses the working-time clock skips, as known at `horizon`: an open-ended span lasts at least until then (the
 * AE was last seen away then; whether they are back later is not known yet). An open-ended span that starts after the
 * horizon pauses nothing yet: the clock re-plans when it starts (see `nextOpenStart`).
 */
export function pausesOf(spans: readonly AwaySpan[], horizon: Date): Pauses {
  const out: TimeWindow[] = [];
  for (const s of spans) {
    const end = s.end ?? (s.start.getTime() < horizon.getTime() ? horizon : null);
    if (end !== null && end.getTime() > s.start.getTime()) out.push({ start: s.start, end });
  }
  return out;
}

/** The start of the first open-ended span after `at`, when one is planned: the clock must look again then. */
export function nextOpenStart(spans: readonly AwaySpan[], at: Date): Date | null {
  const starts = spans.filter((s) => s.end === null && s.start.getTime() > at.getTime()).map((s) => s.start.getTime());
  return starts.length === 0 ? null : new Date(Math.min(...starts));
}
