// How the pane words times and states: durations ("3 h 20 min"), times in the user's zone, each SLA obligation's
// countdown, hand-off stages and meeting slots. Pure functions over the contract's types; imports nothing else.
import type { AwayDto, HandoffStage, ObligationDto, SlotDto } from '../../server/http/contract';

/** A duration as people read it: "45 min", "3 h 20 min", "1 h 05 min", "2 d 4 h"; never negative. */
export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours < 48) return `${hours} h ${String(rest).padStart(2, '0')} min`;
  const days = Math.floor(hours / 24);
  return `${days} d ${hours % 24} h`;
}

/** The browser's zone when the user's is unknown or not a zone this browser knows. */
export function safeZone(timeZone: string | null | undefined): string | undefined {
  if (timeZone === null || timeZone === undefined || timeZone === '') return undefined;
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return timeZone;
  } catch {
    return undefined;
  }
}

/** "Tue 24 Nov, 15:20 CET" in `timeZone`. */
export function formatDateTime(iso: string | Date, timeZone?: string): string {
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  return new Intl.DateTimeFormat('en-GB', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
    ...(timeZone === undefined ? {} : { timeZone }),
  }).format(date);
}

/** "Thu 26 Nov, 10:00–10:30 CET" in `timeZone`. */
export function formatSlot(slot: SlotDto, timeZone?: string): string {
  const zone = timeZone === undefined ? {} : { timeZone };
  const start = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', ...zone }).format(
    new Date(slot.start),
  );
  const end = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZoneName: 'short', ...zone }).format(new Date(slot.end));
  return `${start}–${end}`;
}

export const obligationLabels: Record<ObligationDto['kind'], string> = {
  ae_reply: 'AE replies to the intro',
  ae_accept: 'AE accepts the invite',
};

export type CountdownTone = 'open' | 'overdue' | 'met' | 'late' | 'cancelled' | 'paused';

export interface Countdown {
  tone: CountdownTone;
  /** "due in 3 h 20 min", "overdue by 15 min", "met in 1 h 05 min", "cancelled". */
  text: string;
  /** Short, for the live region: changes only when the state changes, not every minute. */
  state: string;
}

/** Whether the AE's absence runs at `now` (start included, end excluded; no end: until seen back). */
export function isAwayAt(away: AwayDto | null | undefined, now: Date): boolean {
  if (away == null) return false;
  const t = now.getTime();
  return Date.parse(away.start) <= t && (away.end === null || t < Date.parse(away.end));
}

/**
 * Where an obligation stands at `now`, from the due time the server computed in the AE's working time. While the AE
 * is away (`away` runs at `now`) a running obligation's clock stands still: "paused", with the time it has left.
 */
export function countdown(obligation: ObligationDto, now: Date, away?: AwayDto | null): Countdown {
  if (obligation.metAt !== null) {
    const took = formatDuration(Date.parse(obligation.metAt) - Date.parse(obligation.startedAt));
    const late = obligation.metWithinSla === false;
    return { tone: late ? 'late' : 'met', text: `met in ${took}${late ? ', after the deadline' : ''}`, state: late ? 'met late' : 'met' };
  }
  if (obligation.cancelledAt !== null || obligation.status === 'cancelled') return { tone: 'cancelled', text: 'cancelled', state: 'cancelled' };
  if (obligation.breachedAt === null && isAwayAt(away, now)) {
    const remaining = obligation.remainingMs ?? null;
    return { tone: 'paused', text: remaining === null ? 'paused' : `paused, ${formatDuration(remaining)} left`, state: 'paused' };
  }
  const left = Date.parse(obligation.dueAt) - now.getTime();
  if (left <= 0 || obligation.breachedAt !== null) return { tone: 'overdue', text: `overdue by ${formatDuration(-left)}`, state: 'overdue' };
  return { tone: 'open', text: `due in ${formatDuration(left)}`, state: 'open' };
}

/** Why the clock stands (or will stand) still: "Elena Rossi is away until Tue 12 Jan, 09:00 CET (automatic replies)." */
export function awayText(away: AwayDto, aeName: string, now: Date, timeZone?: string): string {
  if (Date.parse(away.start) > now.getTime()) {
    const until = away.end === null ? 'until further notice' : `until ${formatDateTime(away.end, timeZone)}`;
    return `${aeName} will be away from ${formatDateTime(away.start, timeZone)} ${until} (automatic replies): the SLA clock stops then.`;
  }
  if (away.end === null) {
    return `${aeName} is away (automatic replies on since ${formatDateTime(away.start, timeZone)}): the SLA clock resumes when they are back.`;
  }
  return `${aeName} is away until ${formatDateTime(away.end, timeZone)} (automatic replies): the SLA clock resumes then.`;
}

export const stageLabels: Record<HandoffStage, string> = {
  intro_composed: 'Intro ready to send',
  intro_sent: 'Intro sent',
  invite_sent: 'Invite sent',
  accepted: 'Meeting accepted',
  declined: 'Invite declined',
  met: 'Meeting held',
  no_show: 'No-show',
  rescheduled: 'Meeting rescheduled',
  closed: 'Closed',
};

const outcomeLabels: Record<string, string> = {
  sales_qualified: 'Sales qualified',
  hand_back: 'Handed back',
  no_show: 'No-show',
  rescheduled: 'Rescheduled',
};

export function outcomeLabel(outcome: string): string {
  return outcomeLabels[outcome] ?? outcome;
}

/** The first word of a display name ("Alex" of "Alex Ae"), for greetings. */
export function firstName(displayName: string): string {
  return displayName.trim().split(/\s+/)[0] ?? displayName;
}

/** Text made safe to place inside HTML (the reply's greeting names the lead and the SDR). */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
