// Turns what Baton sees in a watched mailbox (a message, an event, a removed event id) into hand-off signals:
// the intro was sent, the AE replied, the AE answered the invite (perhaps with a new time), the meeting moved or was
// cancelled, a conflicting
// event appeared on the AE's calendar (over the meeting or over the prep block before it), the prep block was deleted.
// Each signal carries a dedupe key so recording it is idempotent.
// Pure: no I/O, no clock. Imports: ./mailbox (types), ./lifecycle (hand-off stages).
import type { AttendeeResponse, CalendarEvent, MailMessage, ShowAs } from './mailbox';
import type { HandoffStage } from './lifecycle';

/** A hand-off as the watcher needs it: who the SDR and AE are, and what of its intro and meeting is known. */
export interface TrackedHandoff {
  readonly id: string;
  readonly sdrId: string;
  readonly aeId: string;
  readonly sdrEmail: string;
  readonly aeEmail: string;
  readonly stage: HandoffStage;
  /** The intro's (immutable) item id in the SDR's mailbox. */
  readonly introMessageId: string | null;
  readonly introInternetMessageId: string | null;
  readonly introConversationId: string | null;
  readonly introSentAt: Date | null;
  /** The meeting's id on the organizer's (SDR's) calendar. */
  readonly meetingEventId: string | null;
  readonly meetingICalUId: string | null;
  /** The meeting's id on the AE's calendar, once seen there. */
  readonly meetingAeEventId: string | null;
  readonly meetingStart: Date | null;
  readonly meetingEnd: Date | null;
  /** The AE's private prep block before a demo (Baton's own event on the AE's calendar), once booked. */
  readonly prepEventId?: string | null;
  readonly prepStart?: Date | null;
  readonly prepEnd?: Date | null;
}

export interface WatchedMailbox {
  readonly userId: string;
  readonly email: string;
  readonly role: 'sdr' | 'ae';
}

/** Where an item was seen: a mail folder, or the calendar. */
export type WatchScope = 'sentitems' | 'inbox' | 'events';

export type InviteAnswer = 'accepted' | 'tentativelyAccepted' | 'declined';
export type MeetingCopy = 'attendee_copy' | 'organizer_copy';
export type ReplyMatch = 'in_reply_to' | 'references' | 'conversation';

export interface Slot {
  readonly start: Date;
  readonly end: Date;
}

interface SignalBase {
  readonly handoffId: string;
  /** Same fact → same key (duplicate notification, delta replay); a new fact → a new key. */
  readonly dedupeKey: string;
  /** When it happened, as the mailbox says; null when the item does not say (the store then records its `now`). */
  readonly at: Date | null;
}

export type HandoffSignal =
  | (SignalBase & {
      readonly kind: 'intro_sent';
      readonly messageId: string;
      readonly internetMessageId: string | null;
      readonly conversationId: string | null;
    })
  | (SignalBase & {
      readonly kind: 'ae_replied';
      readonly messageId: string;
      readonly internetMessageId: string | null;
      readonly conversationId: string | null;
      readonly matchedBy: ReplyMatch;
      /** The AE's sent items, or the SDR's inbox (a message from the AE). */
      readonly seenIn: 'ae_sentitems' | 'sdr_inbox';
    })
  | (SignalBase & {
      readonly kind: 'invite_answered';
      readonly response: InviteAnswer;
      readonly seenOn: MeetingCopy;
      readonly eventId: string;
      /** True when the AE's copy was deleted from the AE's calendar (read as a decline, see signalsFromRemoval). */
      readonly removed: boolean;
    })
  | (SignalBase & {
      readonly kind: 'meeting_moved';
      readonly from: Slot;
      readonly to: Slot;
      readonly seenOn: MeetingCopy;
      readonly eventId: string;
    })
  | (SignalBase & {
      readonly kind: 'meeting_cancelled';
      readonly seenOn: MeetingCopy;
      readonly eventId: string;
      /** `cancelled`: the copy says isCancelled; `removed`: the organizer's copy is gone. */
      readonly how: 'cancelled' | 'removed';
    })
  | (SignalBase & {
      readonly kind: 'conflict_added';
      readonly eventId: string;
      readonly iCalUId: string | null;
      readonly start: Date;
      readonly end: Date;
      /** Null for the AE's private, personal or confidential events: the SDR is told of the conflict, not its subject. */
      readonly subject: string | null;
      readonly showAs: ShowAs;
      /** What it overlaps: the meeting itself, or only the AE's prep block before it. */
      readonly overlaps: 'meeting' | 'prep';
    })
  | (SignalBase & {
      /** An attendee (the AE or the prospect) answered with a new time, seen on the organizer's copy. */
      readonly kind: 'time_proposed';
      readonly by: string;
      readonly response: AttendeeResponse;
      readonly proposed: Slot;
      readonly eventId: string;
    })
  | (SignalBase & {
      /** The AE's prep block was deleted from the AE's calendar (by anyone but Baton). */
      readonly kind: 'prep_removed';
      readonly eventId: string;
    })
  | (SignalBase & {
      /** Tracking only: the meeting was first seen on the AE's calendar under `eventId` (meetingAeEventId). */
      readonly kind: 'ae_copy_seen';
      readonly eventId: string;
    });

export type HandoffSignalKind = HandoffSignal['kind'];

/**
 * The stages in which each signal still matters. Mail signals stop once the meeting took place or failed to; calendar
 * signals keep coming after a no-show (the meeting may be moved: a reschedule). Closed hand-offs produce nothing.
 * Early stages are included because the stage moves only when the engine consumes the signals: a reply may be seen
 * while the hand-off still says `intro_composed`.
 */
const beforeMeeting: readonly HandoffStage[] = ['intro_composed', 'intro_sent', 'invite_sent', 'accepted', 'declined', 'rescheduled'];
const meetingOpen: readonly HandoffStage[] = [...beforeMeeting, 'no_show'];

export const signalStages: Readonly<Record<HandoffSignalKind, readonly HandoffStage[]>> = {
  intro_sent: beforeMeeting,
  ae_replied: beforeMeeting,
  invite_answered: meetingOpen,
  meeting_moved: meetingOpen,
  meeting_cancelled: meetingOpen,
  conflict_added: meetingOpen,
  time_proposed: meetingOpen,
  prep_removed: beforeMeeting,
  ae_copy_seen: meetingOpen,
};

const produces = (h: TrackedHandoff, kind: HandoffSignalKind): boolean => signalStages[kind].includes(h.stage);

/** Events with these showAs values make the AE unavailable; `free` and `unknown` do not conflict. */
export const conflictingShowAs: readonly ShowAs[] = ['busy', 'tentative', 'oof', 'workingElsewhere'];

export const handoffHeader = 'x-baton-handoff';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A hand-off id if `value` is one (a UUID, lower-cased), else null. */
export function handoffIdOf(value: string | null | undefined): string | null {
  const trimmed = value?.trim() ?? '';
  return uuidPattern.test(trimmed) ? trimmed.toLowerCase() : null;
}

// ---------------------------------------------------------------------------------------------------------------
// Match keys: what the store looks hand-offs up by.

export interface MessageMatchKeys {
  /** From the `x-baton-handoff` header (UUIDs only). */
  readonly handoffIds: readonly string[];
  /** The message's own item id: with immutable ids the intro keeps its draft's id in Sent Items. */
  readonly messageId: string;
  /** From `In-Reply-To` and `References`, each `<…>`. */
  readonly internetMessageIds: readonly string[];
  readonly conversationId: string | null;
}

export interface EventMatchKeys {
  readonly iCalUId: string | null;
  readonly eventId: string;
  /** Baton creates the meeting with transactionId = hand-off id; null unless it is a UUID. */
  readonly transactionId: string | null;
}

const messageIdTokens = (header: string | undefined): string[] => header?.match(/<[^<>\s]+>/g) ?? [];

const unique = <T>(items: readonly T[]): T[] => [...new Set(items)];

export function matchKeysOfMessage(message: MailMessage): MessageMatchKeys {
  const header = message.headers.get(handoffHeader);
  const handoffIds = (header ?? '')
    .split(/[\s,]+/)
    .map(handoffIdOf)
    .filter((id): id is string => id !== null);
  return {
    handoffIds: unique(handoffIds),
    messageId: message.id,
    internetMessageIds: unique([...messageIdTokens(message.headers.get('in-reply-to')), ...messageIdTokens(message.headers.get('references'))]),
    conversationId: message.conversationId,
  };
}

export function matchKeysOfEvent(event: CalendarEvent): EventMatchKeys {
  return { iCalUId: event.iCalUId, eventId: event.id, transactionId: handoffIdOf(event.transactionId) };
}

// ---------------------------------------------------------------------------------------------------------------
// Messages

const sameAddress = (a: string | null | undefined, b: string | null | undefined): boolean =>
  a != null && b != null && a.trim().toLowerCase() === b.trim().toLowerCase();

/** RFC 3834: automatic replies (out of office) say `Auto-Submitted: auto-replied`; they are not the AE answering. */
const isAutomatic = (message: MailMessage): boolean => {
  const value = message.headers.get('auto-submitted')?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== 'no';
};

function introSignal(message: MailMessage, mailbox: WatchedMailbox, scope: WatchScope, h: TrackedHandoff, keys: MessageMatchKeys): HandoffSignal | null {
  if (scope !== 'sentitems' || mailbox.role !== 'sdr' || mailbox.userId !== h.sdrId || !produces(h, 'intro_sent')) return null;
  if (!keys.handoffIds.includes(h.id) && message.id !== h.introMessageId) return null;
  return {
    kind: 'intro_sent',
    handoffId: h.id,
    dedupeKey: `intro_sent:${h.id}`,
    at: message.sentAt ?? message.receivedAt,
    messageId: message.id,
    internetMessageId: message.internetMessageId,
    conversationId: message.conversationId,
  };
}

function replyMatch(message: MailMessage, h: TrackedHandoff): ReplyMatch | null {
  const intro = h.introInternetMessageId;
  if (intro !== null) {
    if (messageIdTokens(message.headers.get('in-reply-to')).includes(intro)) return 'in_reply_to';
    if (messageIdTokens(message.headers.get('references')).includes(intro)) return 'references';
  }
  if (h.introConversationId === null || message.conversationId !== h.introConversationId) return null;
  // An intro sent into an existing thread shares its conversation with older mail: only what came after counts.
  const sent = message.sentAt ?? message.receivedAt;
  if (h.introSentAt !== null && sent !== null && sent.getTime() <= h.introSentAt.getTime()) return null;
  return 'conversation';
}

function replySignal(message: MailMessage, mailbox: WatchedMailbox, scope: WatchScope, h: TrackedHandoff, keys: MessageMatchKeys): HandoffSignal | null {
  if (!produces(h, 'ae_replied')) return null;
  let seenIn: 'ae_sentitems' | 'sdr_inbox';
  if (scope === 'sentitems' && mailbox.role === 'ae' && mailbox.userId === h.aeId) {
    // A message sent from the AE's mailbox as someone else (a delegate) is not the AE's reply.
    if (message.from !== null && !sameAddress(message.from.address, h.aeEmail)) return null;
    seenIn = 'ae_sentitems';
  } else if (scope === 'inbox' && mailbox.role === 'sdr' && mailbox.userId === h.sdrId) {
    if (!sameAddress(message.from?.address, h.aeEmail)) return null;
    seenIn = 'sdr_inbox';
  } else {
    return null;
  }
  // The intro itself is never a reply.
  if (keys.handoffIds.includes(h.id) || message.id === h.introMessageId) return null;
  if (message.internetMessageId !== null && message.internetMessageId === h.introInternetMessageId) return null;
  if (isAutomatic(message)) return null;
  const matchedBy = replyMatch(message, h);
  if (matchedBy === null) return null;
  return {
    kind: 'ae_replied',
    handoffId: h.id,
    // The first reply counts; later ones are the same fact for the SLA.
    dedupeKey: `ae_replied:${h.id}`,
    at: message.sentAt ?? message.receivedAt,
    messageId: message.id,
    internetMessageId: message.internetMessageId,
    conversationId: message.conversationId,
    matchedBy,
    seenIn,
  };
}

/** The signals one message gives for the candidate hand-offs (drafts give none). */
export function signalsFromMessage(
  message: MailMessage,
  mailbox: WatchedMailbox,
  scope: WatchScope,
  candidates: readonly TrackedHandoff[],
): HandoffSignal[] {
  if (message.isDraft || scope === 'events') return [];
  const keys = matchKeysOfMessage(message);
  const signals: HandoffSignal[] = [];
  for (const h of candidates) {
    const signal = introSignal(message, mailbox, scope, h, keys) ?? replySignal(message, mailbox, scope, h, keys);
    if (signal !== null) signals.push(signal);
  }
  return signals;
}

// ---------------------------------------------------------------------------------------------------------------
// Events

const answers: readonly AttendeeResponse[] = ['accepted', 'tentativelyAccepted', 'declined'];
const isAnswer = (r: AttendeeResponse): r is InviteAnswer => answers.includes(r);

/** Graph says "never" as 0001-01-01T00:00:00Z; anything before 1970 is read as unknown. */
const knownTime = (d: Date | null): Date | null => (d !== null && d.getTime() > 0 ? d : null);

/** The meeting's identity within a hand-off's history: a new invite after a decline is another meeting. */
const meetingRef = (h: TrackedHandoff, event: CalendarEvent): string => h.meetingICalUId ?? event.iCalUId ?? h.meetingEventId ?? event.id;

function copyOf(event: CalendarEvent, mailbox: WatchedMailbox, h: TrackedHandoff): MeetingCopy | null {
  if (mailbox.role === 'sdr' && mailbox.userId === h.sdrId) {
    const same =
      event.id === h.meetingEventId ||
      (h.meetingICalUId !== null && event.iCalUId === h.meetingICalUId) ||
      handoffIdOf(event.transactionId) === h.id;
    return same ? 'organizer_copy' : null;
  }
  if (mailbox.role === 'ae' && mailbox.userId === h.aeId) {
    const same = (h.meetingICalUId !== null && event.iCalUId === h.meetingICalUId) || event.id === h.meetingAeEventId;
    return same ? 'attendee_copy' : null;
  }
  return null;
}

function meetingSignals(event: CalendarEvent, copy: MeetingCopy, h: TrackedHandoff): HandoffSignal[] {
  const signals: HandoffSignal[] = [];
  const ref = meetingRef(h, event);
  if (copy === 'attendee_copy' && event.id !== h.meetingAeEventId && produces(h, 'ae_copy_seen')) {
    signals.push({ kind: 'ae_copy_seen', handoffId: h.id, dedupeKey: `ae_copy_seen:${h.id}:${event.id}`, at: null, eventId: event.id });
  }
  if (event.isCancelled) {
    if (produces(h, 'meeting_cancelled')) {
      signals.push({
        kind: 'meeting_cancelled',
        handoffId: h.id,
        dedupeKey: `meeting_cancelled:${h.id}:${ref}`,
        at: knownTime(event.lastModifiedAt),
        seenOn: copy,
        eventId: event.id,
        how: 'cancelled',
      });
    }
    return signals;
  }

  let response: AttendeeResponse;
  let respondedAt: Date | null;
  if (copy === 'attendee_copy') {
    response = event.response;
    respondedAt = knownTime(event.respondedAt);
  } else {
    const ae = event.attendees.find((a) => sameAddress(a.address, h.aeEmail));
    response = ae?.response ?? 'none';
    respondedAt = knownTime(ae?.respondedAt ?? null);
  }
  if (isAnswer(response) && produces(h, 'invite_answered')) {
    signals.push({
      kind: 'invite_answered',
      handoffId: h.id,
      // The answer's time tells a changed answer from the same one seen again; without it, the copy does.
      dedupeKey: `invite_answered:${h.id}:${ref}:${response}:${respondedAt?.toISOString() ?? copy}`,
      at: respondedAt,
      response,
      seenOn: copy,
      eventId: event.id,
      removed: false,
    });
  }

  if (copy === 'organizer_copy' && produces(h, 'time_proposed')) {
    for (const a of event.attendees) {
      const proposed = a.proposedNewTime;
      if (proposed === undefined || proposed === null) continue;
      signals.push({
        kind: 'time_proposed',
        handoffId: h.id,
        dedupeKey: `time_proposed:${h.id}:${ref}:${a.address.toLowerCase()}:${proposed.start.toISOString()}:${proposed.end.toISOString()}`,
        at: knownTime(a.respondedAt),
        by: a.address,
        response: a.response,
        proposed: { start: proposed.start, end: proposed.end },
        eventId: event.id,
      });
    }
  }

  const { meetingStart, meetingEnd } = h;
  if (
    meetingStart !== null &&
    meetingEnd !== null &&
    (event.start.getTime() !== meetingStart.getTime() || event.end.getTime() !== meetingEnd.getTime()) &&
    produces(h, 'meeting_moved')
  ) {
    signals.push({
      kind: 'meeting_moved',
      handoffId: h.id,
      dedupeKey: `meeting_moved:${h.id}:${ref}:${event.start.toISOString()}:${event.end.toISOString()}`,
      at: knownTime(event.lastModifiedAt),
      from: { start: meetingStart, end: meetingEnd },
      to: { start: event.start, end: event.end },
      seenOn: copy,
      eventId: event.id,
    });
  }
  return signals;
}

/** Whether `event` is `h`'s own meeting, or one of Baton's items for it (transactionId starting with the hand-off id). */
const isOwnItem = (event: CalendarEvent, h: TrackedHandoff): boolean =>
  (h.meetingICalUId !== null && event.iCalUId === h.meetingICalUId) ||
  event.id === h.meetingAeEventId ||
  event.id === h.meetingEventId ||
  (event.transactionId?.toLowerCase().startsWith(h.id) ?? false);

const overlapsWindow = (event: CalendarEvent, start: Date, end: Date): boolean =>
  // Half-open intervals: an event ending when the meeting starts does not overlap it.
  event.start.getTime() < end.getTime() && event.end.getTime() > start.getTime();

function conflictSignal(event: CalendarEvent, mailbox: WatchedMailbox, h: TrackedHandoff): HandoffSignal | null {
  if (mailbox.role !== 'ae' || mailbox.userId !== h.aeId || !produces(h, 'conflict_added')) return null;
  const { meetingStart, meetingEnd } = h;
  if (meetingStart === null || meetingEnd === null) return null;
  if (isOwnItem(event, h) || event.id === h.prepEventId || event.isCancelled || event.response === 'declined') return null;
  // A series master spans its first occurrence only; the occurrences (calendar view) are what overlap.
  if (event.type === 'seriesMaster') return null;
  if (!conflictingShowAs.includes(event.showAs)) return null;
  const prep = h.prepStart != null && h.prepEnd != null && h.prepEventId != null ? { start: h.prepStart, end: h.prepEnd } : null;
  const overlaps = overlapsWindow(event, meetingStart, meetingEnd) ? 'meeting' : prep !== null && overlapsWindow(event, prep.start, prep.end) ? 'prep' : null;
  if (overlaps === null) return null;
  return {
    kind: 'conflict_added',
    handoffId: h.id,
    dedupeKey: `${overlaps === 'meeting' ? 'conflict' : 'prep_conflict'}:${h.id}:${event.iCalUId ?? event.id}:${event.start.toISOString()}`,
    at: knownTime(event.lastModifiedAt),
    eventId: event.id,
    iCalUId: event.iCalUId,
    start: event.start,
    end: event.end,
    subject: event.sensitivity === 'normal' ? event.subject : null,
    showAs: event.showAs,
    overlaps,
  };
}

/**
 * The signals one event gives: for the candidates whose meeting it is (organizer's copy on the SDR's calendar,
 * attendee copy on the AE's, matched by iCalUId), answers, moves and cancellations; for the AE's open hand-offs
 * (`aeOpenMeetings`, from openMeetingsOfAe) whose meeting it overlaps, a conflict.
 */
export function signalsFromEvent(
  event: CalendarEvent,
  mailbox: WatchedMailbox,
  candidates: readonly TrackedHandoff[],
  aeOpenMeetings: readonly TrackedHandoff[],
): HandoffSignal[] {
  const signals: HandoffSignal[] = [];
  for (const h of candidates) {
    const copy = copyOf(event, mailbox, h);
    if (copy !== null) signals.push(...meetingSignals(event, copy, h));
  }
  for (const h of aeOpenMeetings) {
    const signal = conflictSignal(event, mailbox, h);
    if (signal !== null) signals.push(signal);
  }
  return uniqueByKey(signals);
}

/**
 * The signals of an event deleted from a watched calendar (a delta `@removed`, or a `deleted` notification). The
 * organizer's copy gone is a cancelled meeting; the AE's prep block gone is `prep_removed`. The AE's copy gone is
 * read as a decline (`invite_answered`,
 * declined, removed: true): an AE who deletes the invite without answering will not attend, and the SDR must know at
 * once. The caller passes real deletions only: an event leaving a calendarView delta window is also `@removed`, so
 * confirm with getEvent (null) first.
 */
export function signalsFromRemoval(eventId: string, mailbox: WatchedMailbox, candidates: readonly TrackedHandoff[]): HandoffSignal[] {
  const signals: HandoffSignal[] = [];
  for (const h of candidates) {
    const ref = h.meetingICalUId ?? h.meetingEventId ?? eventId;
    if (mailbox.role === 'sdr' && mailbox.userId === h.sdrId && eventId === h.meetingEventId && produces(h, 'meeting_cancelled')) {
      signals.push({
        kind: 'meeting_cancelled',
        handoffId: h.id,
        dedupeKey: `meeting_cancelled:${h.id}:${ref}`,
        at: null,
        seenOn: 'organizer_copy',
        eventId,
        how: 'removed',
      });
    } else if (mailbox.role === 'ae' && mailbox.userId === h.aeId && h.prepEventId != null && eventId === h.prepEventId && produces(h, 'prep_removed')) {
      signals.push({ kind: 'prep_removed', handoffId: h.id, dedupeKey: `prep_removed:${h.id}:${eventId}`, at: null, eventId });
    } else if (mailbox.role === 'ae' && mailbox.userId === h.aeId && eventId === h.meetingAeEventId && produces(h, 'invite_answered')) {
      signals.push({
        kind: 'invite_answered',
        handoffId: h.id,
        dedupeKey: `invite_answered:${h.id}:${ref}:declined:removed`,
        at: null,
        response: 'declined',
        seenOn: 'attendee_copy',
        eventId,
        removed: true,
      });
    }
  }
  return signals;
}

function uniqueByKey(signals: readonly HandoffSignal[]): HandoffSignal[] {
  const byKey = new Map<string, HandoffSignal>();
  for (const s of signals) if (!byKey.has(s.dedupeKey)) byKey.set(s.dedupeKey, s);
  return [...byKey.values()];
}
