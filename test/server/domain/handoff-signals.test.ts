// Hand-off signals from what Baton sees in the SDRs' and AEs' mailboxes: each rule and each near miss, table-driven;
// dedupe keys (the same fact twice → one key, a new fact → a new key); and Microsoft's documented Graph examples
// mapped by server/graph/graph-mappers into snapshots. Pure domain test: no database, no network.
import fs from 'node:fs';
import path from 'node:path';
import {
  matchKeysOfEvent,
  matchKeysOfMessage,
  signalsFromEvent,
  signalsFromMessage,
  signalsFromRemoval,
  signalStages,
  type HandoffSignal,
  type TrackedHandoff,
  type WatchedMailbox,
  type WatchScope,
} from '../../../server/domain/handoff-signals';
import { handoffStages } from '../../../server/domain/lifecycle';
import type { AttendeeResponse, CalendarEvent, EventAttendee, MailMessage } from '../../../server/domain/mailbox';
import { toCalendarEvent, toMailMessage } from '../../../server/graph/graph-mappers';
import { examplesDir } from '../sandbox/contract/examples';

const H1 = '11111111-1111-4111-8111-111111111111';
const H2 = '22222222-2222-4222-8222-222222222222';
const introImid = '<intro-1@baton.example>';
const introConversation = 'conv-intro-1';
const uid = 'ical-meeting-1';
const t = (iso: string) => new Date(iso);

const sdr: WatchedMailbox = { userId: 'sdr-1', email: 'sara@baton.example', role: 'sdr' };
const otherSdr: WatchedMailbox = { userId: 'sdr-2', email: 'sid@baton.example', role: 'sdr' };
const ae: WatchedMailbox = { userId: 'ae-1', email: 'alex@baton.example', role: 'ae' };
const otherAe: WatchedMailbox = { userId: 'ae-2', email: 'ava@baton.example', role: 'ae' };

function handoff(over: Partial<TrackedHandoff> = {}): TrackedHandoff {
  return {
    id: H1,
    sdrId: 'sdr-1',
    aeId: 'ae-1',
    sdrEmail: 'sara@baton.example',
    aeEmail: 'alex@baton.example',
    stage: 'invite_sent',
    introMessageId: 'msg-intro-1',
    introInternetMessageId: introImid,
    introConversationId: introConversation,
    introSentAt: t('2026-11-03T09:00:00Z'),
    meetingEventId: 'evt-org-1',
    meetingICalUId: uid,
    meetingAeEventId: 'evt-ae-1',
    meetingStart: t('2026-11-05T14:00:00Z'),
    meetingEnd: t('2026-11-05T14:30:00Z'),
    ...over,
  };
}

function message(over: Partial<Omit<MailMessage, 'headers'>> & { headers?: Record<string, string> } = {}): MailMessage {
  const { headers, ...rest } = over;
  return {
    id: 'msg-reply-1',
    internetMessageId: '<reply-1@baton.example>',
    conversationId: introConversation,
    subject: 'RE: Introduction',
    from: { address: 'alex@baton.example', name: 'Alex' },
    to: [{ address: 'jane@acme.example' }],
    cc: [{ address: 'sara@baton.example' }],
    sentAt: t('2026-11-03T10:00:00Z'),
    receivedAt: t('2026-11-03T10:00:01Z'),
    isDraft: false,
    headers: new Map(Object.entries(headers ?? { 'in-reply-to': introImid, references: introImid })),
    webLink: null,
    folder: null,
    ...rest,
  };
}

/** The intro as it sits in the SDR's Sent Items. */
function intro(over: Parameters<typeof message>[0] = {}): MailMessage {
  return message({
    id: 'msg-intro-1',
    internetMessageId: introImid,
    from: { address: 'sara@baton.example' },
    to: [{ address: 'jane@acme.example' }],
    cc: [{ address: 'alex@baton.example' }],
    sentAt: t('2026-11-03T09:00:00Z'),
    headers: { 'x-baton-handoff': H1 },
    ...over,
  });
}

function attendee(address: string, response: AttendeeResponse, respondedAt: Date | null = null): EventAttendee {
  return { address, name: null, type: 'required', response, respondedAt };
}

function event(over: Partial<CalendarEvent> = {}): CalendarEvent {
  return {
    id: 'evt-ae-1',
    iCalUId: uid,
    subject: 'Acme Robotics × Baton',
    start: t('2026-11-05T14:00:00Z'),
    end: t('2026-11-05T14:30:00Z'),
    isAllDay: false,
    isCancelled: false,
    isOrganizer: false,
    organizer: { address: 'sara@baton.example' },
    attendees: [attendee('jane@acme.example', 'none'), attendee('alex@baton.example', 'none')],
    response: 'notResponded',
    respondedAt: null,
    showAs: 'busy',
    sensitivity: 'normal',
    transactionId: null,
    joinUrl: null,
    webLink: null,
    type: 'singleInstance',
    lastModifiedAt: t('2026-11-03T11:00:00Z'),
    ...over,
  };
}

/** The organizer's copy on the SDR's calendar. */
const organizerCopy = (over: Partial<CalendarEvent> = {}) =>
  event({ id: 'evt-org-1', isOrganizer: true, response: 'organizer', transactionId: H1, ...over });

/** A stripped view of signals for table rows: kind plus the fields a row cares about. */
const kinds = (signals: readonly HandoffSignal[]) => signals.map((s) => s.kind);

describe('match keys', () => {
  it('reads the hand-off id from x-baton-handoff (UUIDs only, lower-cased) and message ids from In-Reply-To and References', () => {
    const keys = matchKeysOfMessage(
      message({
        headers: {
          'x-baton-handoff': H1.toUpperCase(),
          'in-reply-to': '<b@x>',
          references: '<a@x>\r\n <b@x><c@x>',
        },
      }),
    );
    expect(keys).toEqual({ handoffIds: [H1], messageId: 'msg-reply-1', internetMessageIds: ['<b@x>', '<a@x>', '<c@x>'], conversationId: introConversation });
  });

  it.each([['not-a-uuid'], [''], ['11111111-1111-4111-8111-11111111111'], [`${H1}; drop table`]])('ignores x-baton-handoff %j', (value) => {
    expect(matchKeysOfMessage(message({ headers: { 'x-baton-handoff': value } })).handoffIds).toEqual([]);
  });

  it('reads the iCalUId, id and a UUID transactionId of an event', () => {
    expect(matchKeysOfEvent(organizerCopy())).toEqual({ iCalUId: uid, eventId: 'evt-org-1', transactionId: H1 });
    expect(matchKeysOfEvent(organizerCopy({ transactionId: 'someone-elses-tx' })).transactionId).toBeNull();
  });
});

describe('signals from a message', () => {
  type Row = [name: string, msg: MailMessage, mailbox: WatchedMailbox, scope: WatchScope, h: TrackedHandoff, expected: Partial<HandoffSignal>[]];
  const rows: Row[] = [
    ['the intro in the SDR’s sent items', intro(), sdr, 'sentitems', handoff({ stage: 'intro_composed', introInternetMessageId: null, introConversationId: null, introSentAt: null }),
      [{ kind: 'intro_sent', handoffId: H1, dedupeKey: `intro_sent:${H1}`, at: t('2026-11-03T09:00:00Z'), messageId: 'msg-intro-1', internetMessageId: introImid, conversationId: introConversation }]],
    ['the intro without its header, known by its immutable id', intro({ headers: {} }), sdr, 'sentitems', handoff({ stage: 'intro_composed' }), [{ kind: 'intro_sent', messageId: 'msg-intro-1' }]],
    ['the intro still a draft', intro({ isDraft: true, sentAt: null }), sdr, 'sentitems', handoff({ stage: 'intro_composed' }), []],
    ['the intro of another hand-off', intro({ id: 'msg-other', headers: { 'x-baton-handoff': H2 } }), sdr, 'sentitems', handoff({ stage: 'intro_composed' }), []],
    ['the intro in another SDR’s sent items', intro(), otherSdr, 'sentitems', handoff({ stage: 'intro_composed' }), []],
    ['the intro seen in the AE’s inbox', intro(), ae, 'inbox', handoff({ stage: 'intro_composed' }), []],
    ['the intro seen in the SDR’s inbox', intro(), sdr, 'inbox', handoff({ stage: 'intro_composed' }), []],
    ['the intro of a closed hand-off', intro(), sdr, 'sentitems', handoff({ stage: 'closed' }), []],
    ['the intro after the meeting took place', intro(), sdr, 'sentitems', handoff({ stage: 'met' }), []],
    ['an AE reply in the AE’s sent items (In-Reply-To)', message(), ae, 'sentitems', handoff(),
      [{ kind: 'ae_replied', handoffId: H1, dedupeKey: `ae_replied:${H1}`, at: t('2026-11-03T10:00:00Z'), matchedBy: 'in_reply_to', seenIn: 'ae_sentitems', messageId: 'msg-reply-1' }]],
    ['an AE reply further down the thread (References)', message({ headers: { 'in-reply-to': '<lead-1@acme.example>', references: `${introImid} <lead-1@acme.example>` } }), ae, 'sentitems', handoff(),
      [{ kind: 'ae_replied', matchedBy: 'references' }]],
    ['an AE reply known by its conversation only', message({ headers: {} }), ae, 'sentitems', handoff(), [{ kind: 'ae_replied', matchedBy: 'conversation' }]],
    ['an AE reply seen in the SDR’s inbox', message({ from: { address: 'ALEX@baton.example' } }), sdr, 'inbox', handoff(), [{ kind: 'ae_replied', seenIn: 'sdr_inbox', matchedBy: 'in_reply_to' }]],
    ['an AE reply while the stage still says intro_composed', message(), ae, 'sentitems', handoff({ stage: 'intro_composed' }), [{ kind: 'ae_replied' }]],
    ['an AE reply after acceptance', message(), ae, 'sentitems', handoff({ stage: 'accepted' }), [{ kind: 'ae_replied' }]],
    ['a reply from the lead in the SDR’s inbox', message({ from: { address: 'jane@acme.example' } }), sdr, 'inbox', handoff(), []],
    ['a reply with no sender in the SDR’s inbox', message({ from: null }), sdr, 'inbox', handoff(), []],
    ['a message sent from the AE’s mailbox as someone else', message({ from: { address: 'assistant@baton.example' } }), ae, 'sentitems', handoff(), []],
    ['an AE reply still a draft', message({ isDraft: true }), ae, 'sentitems', handoff(), []],
    ['the AE’s automatic reply in the SDR’s inbox', message({ headers: { 'in-reply-to': introImid, 'auto-submitted': 'auto-replied' } }), sdr, 'inbox', handoff(), []],
    ['a reply marked Auto-Submitted: no', message({ headers: { 'in-reply-to': introImid, 'auto-submitted': 'no' } }), sdr, 'inbox', handoff(), [{ kind: 'ae_replied' }]],
    ['an older message of the thread the intro was sent into', message({ headers: {}, sentAt: t('2026-11-02T10:00:00Z') }), ae, 'sentitems', handoff(), []],
    ['an unrelated message of the AE', message({ headers: { 'in-reply-to': '<other@x>' }, conversationId: 'conv-other' }), ae, 'sentitems', handoff(), []],
    ['the intro itself in the SDR’s inbox, from the AE’s address', message({ id: 'copy', internetMessageId: introImid }), sdr, 'inbox', handoff(), []],
    ['a reply in the AE’s inbox (not watched for replies)', message(), ae, 'inbox', handoff(), []],
    ['a reply in another AE’s sent items', message({ from: { address: 'ava@baton.example' } }), otherAe, 'sentitems', handoff(), []],
    ['a reply before the intro is known', message({ headers: {} }), ae, 'sentitems', handoff({ introInternetMessageId: null, introConversationId: null }), []],
    ['a reply after the meeting took place', message(), ae, 'sentitems', handoff({ stage: 'met' }), []],
    ['a reply on a no-show', message(), ae, 'sentitems', handoff({ stage: 'no_show' }), []],
    ['a reply on a closed hand-off', message(), ae, 'sentitems', handoff({ stage: 'closed' }), []],
    ['a message read from the calendar scope', message(), ae, 'events', handoff(), []],
  ];
  test.each(rows)('%s', (_name, msg, mailbox, scope, h, expected) => {
    const signals = signalsFromMessage(msg, mailbox, scope, [h]);
    // toMatchObject on arrays: the same length, each signal holding the row's fields.
    expect(signals).toMatchObject(expected);
  });

  it('gives each candidate its own signal and ignores the others', () => {
    const other = handoff({ id: H2, introInternetMessageId: '<intro-2@baton.example>', introConversationId: 'conv-2', introMessageId: 'msg-intro-2' });
    expect(signalsFromMessage(message(), ae, 'sentitems', [other, handoff()]).map((s) => s.handoffId)).toEqual([H1]);
  });

  it('gives the same key to the same reply seen twice and to a second reply: the first reply counts', () => {
    const first = signalsFromMessage(message(), ae, 'sentitems', [handoff()]);
    const again = signalsFromMessage(message(), sdr, 'inbox', [handoff()]);
    const second = signalsFromMessage(message({ id: 'msg-reply-2', internetMessageId: '<reply-2@x>', sentAt: t('2026-11-04T10:00:00Z') }), ae, 'sentitems', [handoff()]);
    expect(first[0]?.dedupeKey).toBe(`ae_replied:${H1}`);
    expect(again[0]?.dedupeKey).toBe(first[0]?.dedupeKey);
    expect(second[0]?.dedupeKey).toBe(first[0]?.dedupeKey);
  });
});

describe('signals from an event', () => {
  type Row = [name: string, ev: CalendarEvent, mailbox: WatchedMailbox, h: TrackedHandoff, expected: Partial<HandoffSignal>[]];
  const accepted = t('2026-11-03T12:00:00Z');
  const rows: Row[] = [
    ['the AE’s copy first seen, not answered', event(), ae, handoff({ meetingAeEventId: null }),
      [{ kind: 'ae_copy_seen', eventId: 'evt-ae-1', dedupeKey: `ae_copy_seen:${H1}:evt-ae-1`, at: null }]],
    ['the AE’s copy, accepted (with or without a response sent)', event({ response: 'accepted', respondedAt: accepted }), ae, handoff(),
      [{ kind: 'invite_answered', response: 'accepted', seenOn: 'attendee_copy', at: accepted, removed: false, eventId: 'evt-ae-1', dedupeKey: `invite_answered:${H1}:${uid}:accepted:${accepted.toISOString()}` }]],
    ['the AE’s copy first seen, already tentatively accepted', event({ response: 'tentativelyAccepted', respondedAt: accepted }), ae, handoff({ meetingAeEventId: null }),
      [{ kind: 'ae_copy_seen' }, { kind: 'invite_answered', response: 'tentativelyAccepted' }]],
    ['the AE’s copy, declined', event({ response: 'declined', respondedAt: accepted }), ae, handoff(), [{ kind: 'invite_answered', response: 'declined' }]],
    ['the AE’s copy, answer time unknown (Graph’s year 1)', event({ response: 'accepted', respondedAt: t('0001-01-01T00:00:00Z') }), ae, handoff(),
      [{ kind: 'invite_answered', at: null, dedupeKey: `invite_answered:${H1}:${uid}:accepted:attendee_copy` }]],
    ['the AE’s copy known by its id only', event({ iCalUId: 'other', response: 'accepted', respondedAt: accepted }), ae, handoff(), [{ kind: 'invite_answered' }]],
    ['the organizer’s copy with the AE accepted', organizerCopy({ attendees: [attendee('jane@acme.example', 'none'), attendee('Alex@Baton.example', 'accepted', accepted)] }), sdr, handoff(),
      [{ kind: 'invite_answered', response: 'accepted', seenOn: 'organizer_copy', eventId: 'evt-org-1', dedupeKey: `invite_answered:${H1}:${uid}:accepted:${accepted.toISOString()}` }]],
    ['the organizer’s copy known by transactionId only', organizerCopy({ id: 'evt-new', iCalUId: 'uid-new', attendees: [attendee('alex@baton.example', 'declined', accepted)] }), sdr,
      handoff({ meetingEventId: null, meetingICalUId: null }), [{ kind: 'invite_answered', response: 'declined', seenOn: 'organizer_copy' }]],
    ['the organizer’s copy, AE not responded (an AE may accept without sending a response)', organizerCopy({ attendees: [attendee('alex@baton.example', 'notResponded')] }), sdr, handoff(), []],
    ['the organizer’s copy, AE none', organizerCopy(), sdr, handoff(), []],
    ['the organizer’s copy, only the lead answered', organizerCopy({ attendees: [attendee('jane@acme.example', 'accepted', accepted), attendee('alex@baton.example', 'none')] }), sdr, handoff(), []],
    ['the organizer’s copy without the AE among the attendees', organizerCopy({ attendees: [] }), sdr, handoff(), []],
    ['the meeting in another SDR’s calendar', organizerCopy({ attendees: [attendee('alex@baton.example', 'accepted', accepted)] }), otherSdr, handoff(), []],
    ['the meeting in another AE’s calendar', event({ response: 'accepted', respondedAt: accepted }), otherAe, handoff(), []],
    ['the AE’s copy seen from an SDR mailbox', event({ id: 'x', iCalUId: 'x', response: 'accepted', respondedAt: accepted }), sdr, handoff(), []],
    ['the organizer’s copy moved', organizerCopy({ start: t('2026-11-06T09:00:00Z'), end: t('2026-11-06T09:30:00Z') }), sdr, handoff(),
      [{ kind: 'meeting_moved', seenOn: 'organizer_copy', from: { start: t('2026-11-05T14:00:00Z'), end: t('2026-11-05T14:30:00Z') }, to: { start: t('2026-11-06T09:00:00Z'), end: t('2026-11-06T09:30:00Z') },
        dedupeKey: `meeting_moved:${H1}:${uid}:2026-11-06T09:00:00.000Z:2026-11-06T09:30:00.000Z` }]],
    ['the organizer’s copy made longer', organizerCopy({ end: t('2026-11-05T15:00:00Z') }), sdr, handoff(), [{ kind: 'meeting_moved' }]],
    ['the AE answered tentatively with a new time', organizerCopy({ attendees: [{ ...attendee('alex@baton.example', 'tentativelyAccepted', accepted), proposedNewTime: { start: t('2026-11-06T10:00:00Z'), end: t('2026-11-06T10:30:00Z') } }] }), sdr, handoff(),
      [{ kind: 'invite_answered', response: 'tentativelyAccepted' },
        { kind: 'time_proposed', by: 'alex@baton.example', response: 'tentativelyAccepted', proposed: { start: t('2026-11-06T10:00:00Z'), end: t('2026-11-06T10:30:00Z') },
          dedupeKey: `time_proposed:${H1}:${uid}:alex@baton.example:2026-11-06T10:00:00.000Z:2026-11-06T10:30:00.000Z` }]],
    ['the prospect declined with a new time', organizerCopy({ attendees: [{ ...attendee('jane@acme.example', 'declined', accepted), proposedNewTime: { start: t('2026-11-07T10:00:00Z'), end: t('2026-11-07T10:30:00Z') } }, attendee('alex@baton.example', 'none')] }), sdr, handoff(),
      [{ kind: 'time_proposed', by: 'jane@acme.example', response: 'declined' }]],
    ['a proposal on a closed hand-off', organizerCopy({ attendees: [{ ...attendee('jane@acme.example', 'declined', accepted), proposedNewTime: { start: t('2026-11-07T10:00:00Z'), end: t('2026-11-07T10:30:00Z') } }] }), sdr, handoff({ stage: 'closed' }), []],
    ['the AE’s copy moved', event({ start: t('2026-11-06T09:00:00Z'), end: t('2026-11-06T09:30:00Z') }), ae, handoff(),
      [{ kind: 'meeting_moved', seenOn: 'attendee_copy', dedupeKey: `meeting_moved:${H1}:${uid}:2026-11-06T09:00:00.000Z:2026-11-06T09:30:00.000Z` }]],
    ['a move before the meeting time is tracked', organizerCopy({ start: t('2026-11-06T09:00:00Z') }), sdr, handoff({ meetingStart: null, meetingEnd: null }), []],
    ['the meeting moved after a no-show (a reschedule)', organizerCopy({ start: t('2026-11-09T09:00:00Z'), end: t('2026-11-09T09:30:00Z') }), sdr, handoff({ stage: 'no_show' }), [{ kind: 'meeting_moved' }]],
    ['the AE’s copy cancelled', event({ isCancelled: true, response: 'accepted', respondedAt: accepted, start: t('2026-11-06T09:00:00Z') }), ae, handoff(),
      [{ kind: 'meeting_cancelled', seenOn: 'attendee_copy', how: 'cancelled', dedupeKey: `meeting_cancelled:${H1}:${uid}` }]],
    ['the organizer’s copy cancelled', organizerCopy({ isCancelled: true }), sdr, handoff(), [{ kind: 'meeting_cancelled', seenOn: 'organizer_copy' }]],
    ['an answer on a closed hand-off', event({ response: 'accepted', respondedAt: accepted }), ae, handoff({ stage: 'closed' }), []],
    ['a move after the meeting took place', organizerCopy({ start: t('2026-11-06T09:00:00Z') }), sdr, handoff({ stage: 'met' }), []],
  ];
  test.each(rows)('%s', (_name, ev, mailbox, h, expected) => {
    const signals = signalsFromEvent(ev, mailbox, [h], []);
    // toMatchObject on arrays: the same length, each signal holding the row's fields.
    expect(signals).toMatchObject(expected);
  });
});

describe('conflicts on the AE’s calendar', () => {
  const withPrep = handoff({ prepEventId: 'evt-prep-1', prepStart: t('2026-11-05T13:30:00Z'), prepEnd: t('2026-11-05T14:00:00Z') });
  const busy = (over: Partial<CalendarEvent> = {}) =>
    event({ id: 'evt-dentist', iCalUId: 'ical-dentist', subject: 'Dentist', start: t('2026-11-05T14:15:00Z'), end: t('2026-11-05T15:00:00Z'), response: 'organizer', isOrganizer: true, organizer: { address: 'alex@baton.example' }, attendees: [], ...over });
  type Row = [name: string, ev: CalendarEvent, mailbox: WatchedMailbox, open: TrackedHandoff[], expected: Partial<HandoffSignal>[]];
  const rows: Row[] = [
    ['a busy event overlapping the meeting', busy(), ae, [handoff()],
      [{ kind: 'conflict_added', handoffId: H1, eventId: 'evt-dentist', iCalUId: 'ical-dentist', start: t('2026-11-05T14:15:00Z'), end: t('2026-11-05T15:00:00Z'), subject: 'Dentist', showAs: 'busy',
        dedupeKey: `conflict:${H1}:ical-dentist:2026-11-05T14:15:00.000Z` }]],
    ['a tentative hold inside the meeting', busy({ showAs: 'tentative', start: t('2026-11-05T14:05:00Z'), end: t('2026-11-05T14:10:00Z') }), ae, [handoff()], [{ kind: 'conflict_added', showAs: 'tentative' }]],
    ['an out-of-office day around the meeting', busy({ showAs: 'oof', isAllDay: true, start: t('2026-11-05T00:00:00Z'), end: t('2026-11-06T00:00:00Z') }), ae, [handoff()], [{ kind: 'conflict_added', showAs: 'oof' }]],
    ['working elsewhere over the meeting', busy({ showAs: 'workingElsewhere' }), ae, [handoff()], [{ kind: 'conflict_added' }]],
    ['a private event: the subject is not passed on', busy({ sensitivity: 'private' }), ae, [handoff()], [{ kind: 'conflict_added', subject: null }]],
    ['an event without an iCalUId keys on its id', busy({ iCalUId: null }), ae, [handoff()], [{ kind: 'conflict_added', dedupeKey: `conflict:${H1}:evt-dentist:2026-11-05T14:15:00.000Z` }]],
    ['another hand-off’s meeting at the same time', busy({ iCalUId: 'ical-meeting-2', transactionId: H2 }), ae, [handoff()], [{ kind: 'conflict_added' }]],
    ['a free event overlapping', busy({ showAs: 'free' }), ae, [handoff()], []],
    ['an event of unknown availability', busy({ showAs: 'unknown' }), ae, [handoff()], []],
    ['an event ending when the meeting starts', busy({ start: t('2026-11-05T13:00:00Z'), end: t('2026-11-05T14:00:00Z') }), ae, [handoff()], []],
    ['an event starting when the meeting ends', busy({ start: t('2026-11-05T14:30:00Z'), end: t('2026-11-05T15:00:00Z') }), ae, [handoff()], []],
    ['a cancelled event', busy({ isCancelled: true }), ae, [handoff()], []],
    ['an occurrence of a recurring event', busy({ type: 'occurrence' }), ae, [handoff()], [{ kind: 'conflict_added' }]],
    ['the master of a recurring series (its occurrences are checked)', busy({ type: 'seriesMaster' }), ae, [handoff()], []],
    ['an invite the AE declined', busy({ response: 'declined', isOrganizer: false }), ae, [handoff()], []],
    ['the hand-off’s own meeting', event(), ae, [handoff()], []],
    ['Baton’s prep block for the hand-off', busy({ transactionId: `${H1}:prep`, iCalUId: 'ical-prep' }), ae, [handoff()], []],
    ['an overlapping event on the SDR’s calendar', busy(), sdr, [handoff()], []],
    ['an overlapping event on another AE’s calendar', busy(), otherAe, [handoff()], []],
    ['an open meeting not yet timed', busy(), ae, [handoff({ meetingStart: null, meetingEnd: null })], []],
    ['a meeting that already took place', busy(), ae, [handoff({ stage: 'met' })], []],
    ['a closed hand-off', busy(), ae, [handoff({ stage: 'closed' })], []],
    ['a busy event over the prep block before the meeting', busy({ start: t('2026-11-05T13:40:00Z'), end: t('2026-11-05T13:50:00Z') }), ae, [withPrep],
      [{ kind: 'conflict_added', overlaps: 'prep', eventId: 'evt-dentist', dedupeKey: `prep_conflict:${H1}:ical-dentist:2026-11-05T13:40:00.000Z` }]],
    ['an event over both the prep block and the meeting counts as a meeting conflict', busy({ start: t('2026-11-05T13:45:00Z'), end: t('2026-11-05T14:15:00Z') }), ae, [withPrep],
      [{ kind: 'conflict_added', overlaps: 'meeting' }]],
    ['an event ending when the prep block starts', busy({ start: t('2026-11-05T13:00:00Z'), end: t('2026-11-05T13:30:00Z') }), ae, [withPrep], []],
    ['the prep block itself', busy({ id: 'evt-prep-1', iCalUId: 'ical-prep-1', start: t('2026-11-05T13:30:00Z'), end: t('2026-11-05T14:00:00Z') }), ae, [withPrep], []],
    ['the same time without a prep block is no conflict', busy({ start: t('2026-11-05T13:40:00Z'), end: t('2026-11-05T13:50:00Z') }), ae, [handoff()], []],
  ];
  test.each(rows)('%s', (_name, ev, mailbox, open, expected) => {
    const signals = signalsFromEvent(ev, mailbox, [], open);
    // toMatchObject on arrays: the same length, each signal holding the row's fields.
    expect(signals).toMatchObject(expected);
  });

  it('checks every open meeting of the AE: the moved meeting of one hand-off may overlap another’s', () => {
    const other = handoff({ id: H2, meetingICalUId: 'ical-meeting-2', meetingEventId: 'evt-org-2', meetingAeEventId: 'evt-ae-2', meetingStart: t('2026-11-06T09:00:00Z'), meetingEnd: t('2026-11-06T10:00:00Z') });
    const moved = event({ start: t('2026-11-06T09:30:00Z'), end: t('2026-11-06T10:00:00Z') });
    expect(signalsFromEvent(moved, ae, [handoff()], [handoff(), other]).map((s) => [s.kind, s.handoffId])).toEqual([
      ['meeting_moved', H1],
      ['conflict_added', H2],
    ]);
  });

  it('gives a new key when the conflicting event moves, and the same one when it is seen again', () => {
    const key = (ev: CalendarEvent) => signalsFromEvent(ev, ae, [], [handoff()])[0]?.dedupeKey;
    expect(key(busy())).toBe(key(busy({ lastModifiedAt: t('2026-11-04T00:00:00Z') })));
    expect(key(busy({ start: t('2026-11-05T14:20:00Z') }))).not.toBe(key(busy()));
  });
});

describe('removed events', () => {
  type Row = [name: string, id: string, mailbox: WatchedMailbox, h: TrackedHandoff, expected: Partial<HandoffSignal>[]];
  const rows: Row[] = [
    ['the organizer’s copy deleted: the meeting is cancelled', 'evt-org-1', sdr, handoff(),
      [{ kind: 'meeting_cancelled', seenOn: 'organizer_copy', how: 'removed', eventId: 'evt-org-1', at: null, dedupeKey: `meeting_cancelled:${H1}:${uid}` }]],
    ['the AE deleted the invite: read as a decline', 'evt-ae-1', ae, handoff(),
      [{ kind: 'invite_answered', response: 'declined', seenOn: 'attendee_copy', removed: true, dedupeKey: `invite_answered:${H1}:${uid}:declined:removed` }]],
    ['an unrelated event deleted', 'evt-other', sdr, handoff(), []],
    ['the AE’s copy id in the SDR’s calendar', 'evt-ae-1', sdr, handoff(), []],
    ['the organizer’s copy id in the AE’s calendar', 'evt-org-1', ae, handoff(), []],
    ['the meeting of another SDR', 'evt-org-1', otherSdr, handoff(), []],
    ['a removal on a closed hand-off', 'evt-org-1', sdr, handoff({ stage: 'closed' }), []],
    ['the AE’s prep block deleted', 'evt-prep-1', ae, handoff({ prepEventId: 'evt-prep-1' }),
      [{ kind: 'prep_removed', eventId: 'evt-prep-1', at: null, dedupeKey: `prep_removed:${H1}:evt-prep-1` }]],
    ['the prep block id in the SDR’s calendar', 'evt-prep-1', sdr, handoff({ prepEventId: 'evt-prep-1' }), []],
    ['the prep block deleted after the meeting took place', 'evt-prep-1', ae, handoff({ prepEventId: 'evt-prep-1', stage: 'met' }), []],
  ];
  test.each(rows)('%s', (_name, id, mailbox, h, expected) => {
    const signals = signalsFromRemoval(id, mailbox, [h]);
    // toMatchObject on arrays: the same length, each signal holding the row's fields.
    expect(signals).toMatchObject(expected);
  });

  it('keys the cancellation the same whether the copy says cancelled or is gone, and per meeting', () => {
    const cancelled = signalsFromEvent(organizerCopy({ isCancelled: true }), sdr, [handoff()], []);
    const removed = signalsFromRemoval('evt-org-1', sdr, [handoff()]);
    const secondMeeting = signalsFromRemoval('evt-org-9', sdr, [handoff({ meetingEventId: 'evt-org-9', meetingICalUId: 'ical-meeting-9' })]);
    expect(removed[0]?.dedupeKey).toBe(cancelled[0]?.dedupeKey);
    expect(secondMeeting[0]?.dedupeKey).not.toBe(removed[0]?.dedupeKey);
  });
});

describe('dedupe keys', () => {
  it('are the same for the same event seen twice (duplicate notification, delta replay)', () => {
    const ev = event({ response: 'accepted', respondedAt: t('2026-11-03T12:00:00Z'), start: t('2026-11-06T09:00:00Z'), end: t('2026-11-06T09:30:00Z') });
    const once = signalsFromEvent(ev, ae, [handoff({ meetingAeEventId: null })], [handoff()]);
    const twice = signalsFromEvent({ ...ev }, ae, [handoff({ meetingAeEventId: null })], [handoff()]);
    expect(kinds(once)).toEqual(['ae_copy_seen', 'invite_answered', 'meeting_moved']);
    expect(twice).toEqual(once);
  });

  it('are the same for one answer seen on both copies at the same time', () => {
    const at = t('2026-11-03T12:00:00Z');
    const [onAe] = signalsFromEvent(event({ response: 'accepted', respondedAt: at }), ae, [handoff()], []);
    const [onOrganizer] = signalsFromEvent(organizerCopy({ attendees: [attendee('alex@baton.example', 'accepted', at)] }), sdr, [handoff()], []);
    expect(onOrganizer?.dedupeKey).toBe(onAe?.dedupeKey);
  });

  it('change with a changed answer: accepted, declined, accepted again', () => {
    const answer = (response: AttendeeResponse, iso: string) => signalsFromEvent(event({ response, respondedAt: t(iso) }), ae, [handoff()], [])[0]?.dedupeKey;
    const keys = [answer('accepted', '2026-11-03T12:00:00Z'), answer('declined', '2026-11-03T13:00:00Z'), answer('accepted', '2026-11-03T14:00:00Z')];
    expect(new Set(keys).size).toBe(3);
  });

  it('change with a second move to another time; a move seen from either copy is one fact', () => {
    const move = (start: string, end: string, h = handoff()) => signalsFromEvent(organizerCopy({ start: t(start), end: t(end) }), sdr, [h], [])[0]?.dedupeKey;
    const first = move('2026-11-06T09:00:00Z', '2026-11-06T09:30:00Z');
    // Once the first move is tracked, the meeting's time is the moved one.
    const tracked = handoff({ meetingStart: t('2026-11-06T09:00:00Z'), meetingEnd: t('2026-11-06T09:30:00Z') });
    const second = move('2026-11-07T09:00:00Z', '2026-11-07T09:30:00Z', tracked);
    expect(move('2026-11-06T09:00:00Z', '2026-11-06T09:30:00Z', tracked)).toBeUndefined();
    expect(second).not.toBe(first);
    const fromAe = signalsFromEvent(event({ start: t('2026-11-06T09:00:00Z'), end: t('2026-11-06T09:30:00Z') }), ae, [handoff()], [])[0]?.dedupeKey;
    expect(fromAe).toBe(first);
  });

  it('are unique within one hand-off’s history of a meeting', () => {
    const all = [
      ...signalsFromMessage(intro(), sdr, 'sentitems', [handoff()]),
      ...signalsFromMessage(message(), ae, 'sentitems', [handoff()]),
      ...signalsFromEvent(event({ response: 'accepted', respondedAt: t('2026-11-03T12:00:00Z') }), ae, [handoff({ meetingAeEventId: null })], []),
      ...signalsFromEvent(organizerCopy({ start: t('2026-11-06T09:00:00Z') }), sdr, [handoff()], []),
      ...signalsFromRemoval('evt-org-1', sdr, [handoff()]),
    ];
    expect(kinds(all)).toEqual(['intro_sent', 'ae_replied', 'ae_copy_seen', 'invite_answered', 'meeting_moved', 'meeting_cancelled']);
    expect(new Set(all.map((s) => s.dedupeKey)).size).toBe(all.length);
  });
});

describe('stages', () => {
  it('closed hand-offs produce no signal of any kind; every kind has stages it matters in', () => {
    for (const [kind, stages] of Object.entries(signalStages)) {
      expect([kind, stages.includes('closed')]).toEqual([kind, false]);
      expect(stages.length).toBeGreaterThan(0);
      for (const s of stages) expect(handoffStages).toContain(s);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Microsoft's documented examples, mapped into snapshots by the Graph adapter's own mappers.

type Json = Record<string, unknown>;
const isJson = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function exampleBody(name: string): Json {
  const file = JSON.parse(fs.readFileSync(path.join(examplesDir, `${name}.json`), 'utf8')) as unknown;
  const body = isJson(file) && isJson(file['response']) ? file['response']['body'] : undefined;
  if (!isJson(body)) throw new Error(`${name}: no JSON response body`);
  return body;
}

describe('Graph’s documented examples', () => {
  it('message-get.1: Adele’s answer in the intro’s conversation is an AE reply, in her sent items and in the SDR’s inbox', () => {
    const m = toMailMessage(exampleBody('message-get.1'), 'sentitems');
    const h = handoff({ aeEmail: 'adelev@contoso.onmicrosoft.com', sdrEmail: 'alexw@contoso.onmicrosoft.com', introConversationId: 'AAQkADOUpag6yWs=', introSentAt: t('2018-09-09T02:00:00Z') });
    const adele: WatchedMailbox = { userId: 'ae-1', email: 'adelev@contoso.onmicrosoft.com', role: 'ae' };
    const alex: WatchedMailbox = { userId: 'sdr-1', email: 'alexw@contoso.onmicrosoft.com', role: 'sdr' };
    expect(signalsFromMessage(m, adele, 'sentitems', [h])).toEqual([
      expect.objectContaining({ kind: 'ae_replied', matchedBy: 'conversation', seenIn: 'ae_sentitems', messageId: 'AAMkADhMGAAA=', internetMessageId: '<MWHPR6E1BE060@MWHPR1120.namprd22.prod.outlook.com>', at: t('2018-09-09T03:15:06Z') }),
    ]);
    expect(signalsFromMessage(m, alex, 'inbox', [h])).toMatchObject([{ kind: 'ae_replied', seenIn: 'sdr_inbox' }]);
    // Sent before the intro: an older message of the thread.
    expect(signalsFromMessage(m, adele, 'sentitems', [handoff({ ...h, introSentAt: t('2018-09-10T00:00:00Z') })])).toEqual([]);
  });

  it('message-get.2: custom headers other than x-baton-handoff give no hand-off id; the intro is still known by its id', () => {
    // Only the id and the headers were selected: the rest maps to nothing (not a draft, no time).
    const m = toMailMessage(exampleBody('message-get.2'));
    expect(m.headers.get('x-custom-header-group-id')).toBe('WA001');
    expect(matchKeysOfMessage(m).handoffIds).toEqual([]);
    expect(signalsFromMessage(m, sdr, 'sentitems', [handoff({ stage: 'intro_composed' })])).toEqual([]);
    expect(signalsFromMessage(m, sdr, 'sentitems', [handoff({ stage: 'intro_composed', introMessageId: 'AAMkADhAAAW-VPeAAA=' })])).toMatchObject([
      { kind: 'intro_sent', messageId: 'AAMkADhAAAW-VPeAAA=', at: null },
    ]);
  });

  it('eventmessage-get.2: Alex’s copy tentatively accepted, seen on his calendar; the organizer’s view has no answer time', () => {
    const json = exampleBody('eventmessage-get.2')['event'];
    if (!isJson(json)) throw new Error('no expanded event');
    const uidKickOff = '040000008200E00074C5B7101A82E00800000000A2A6F3535D7FD3010000000000000000100000003D770E2E8974F44B9471BDB348097FE3';
    const alex: WatchedMailbox = { userId: 'ae-1', email: 'AlexW@contoso.onmicrosoft.com', role: 'ae' };
    const admin: WatchedMailbox = { userId: 'sdr-1', email: 'admin@contoso.onmicrosoft.com', role: 'sdr' };
    const h = handoff({ aeEmail: 'alexw@contoso.onmicrosoft.com', meetingICalUId: uidKickOff, meetingAeEventId: null, meetingStart: t('2018-02-02T22:00:00Z'), meetingEnd: t('2018-02-02T23:00:00Z') });
    const answered = t('2017-12-27T22:19:12.619Z');
    const ev = toCalendarEvent(json);
    expect(signalsFromEvent(ev, alex, [h], [])).toEqual([
      expect.objectContaining({ kind: 'ae_copy_seen', eventId: 'AAMkADYAAAImVu6AAA=' }),
      expect.objectContaining({ kind: 'invite_answered', response: 'tentativelyAccepted', seenOn: 'attendee_copy', at: answered, dedupeKey: `invite_answered:${H1}:${uidKickOff}:tentativelyAccepted:${answered.toISOString()}` }),
    ]);
    // The same attendee list read as the organizer's copy: Alex's status carries Graph's "never" time (year 1).
    const organizer = toCalendarEvent({ ...json, isOrganizer: true, responseStatus: { response: 'organizer', time: '0001-01-01T00:00:00Z' } });
    expect(signalsFromEvent(organizer, admin, [h], [])).toEqual([
      expect.objectContaining({ kind: 'invite_answered', response: 'tentativelyAccepted', seenOn: 'organizer_copy', at: null, dedupeKey: `invite_answered:${H1}:${uidKickOff}:tentativelyAccepted:organizer_copy` }),
    ]);
    // As an event on Alex's calendar that is not the hand-off's meeting, the tentative hold conflicts with one at 22:30.
    const other = handoff({ meetingICalUId: 'ical-other', meetingAeEventId: 'evt-other', meetingStart: t('2018-02-02T22:30:00Z'), meetingEnd: t('2018-02-02T23:30:00Z') });
    expect(signalsFromEvent(ev, alex, [], [other])).toEqual([
      expect.objectContaining({ kind: 'conflict_added', showAs: 'tentative', subject: 'Kick off planning', start: t('2018-02-02T22:00:00Z'), end: t('2018-02-02T23:00:00Z') }),
    ]);
  });

  it('event-get.1: the organizer’s copy at 17:00 UTC of a meeting tracked at 16:00 is a move; no attendee has answered', () => {
    const json = exampleBody('event-get.1');
    const engineering: WatchedMailbox = { userId: 'sdr-1', email: 'engineering@M365x214355.onmicrosoft.com', role: 'sdr' };
    const h = handoff({ aeEmail: 'IrvinS@M365x214355.onmicrosoft.com', meetingEventId: String(json['id']), meetingICalUId: null, meetingStart: t('2014-11-03T16:00:00Z'), meetingEnd: t('2014-11-03T16:30:00Z') });
    const ev = toCalendarEvent(json);
    expect(signalsFromEvent(ev, engineering, [h], [])).toEqual([
      expect.objectContaining({ kind: 'meeting_moved', seenOn: 'organizer_copy', to: { start: t('2014-11-03T17:00:00Z'), end: t('2014-11-03T17:30:00Z') } }),
    ]);
    expect(signalsFromEvent(ev, engineering, [handoff({ ...h, meetingStart: t('2014-11-03T17:00:00Z'), meetingEnd: t('2014-11-03T17:30:00Z') })], [])).toEqual([]);
  });

  it('user-list-calendarview.1: an accepted copy in a calendar view is the AE’s answer', () => {
    const body = exampleBody('user-list-calendarview.1');
    const value: unknown = body['value'];
    const item: unknown = Array.isArray(value) ? (value as unknown[])[0] : undefined;
    if (!isJson(item)) throw new Error('no item');
    // The docs abridge the item to six fields; the id and times every calendar view item has are added.
    const ev = toCalendarEvent({ id: 'AAMkAGcalendarview=', start: { dateTime: '2020-01-02T17:00:00.0000000', timeZone: 'UTC' }, end: { dateTime: '2020-01-02T17:30:00.0000000', timeZone: 'UTC' }, ...item });
    const h = handoff({ meetingICalUId: String(item['iCalUId']), meetingAeEventId: 'AAMkAGcalendarview=', meetingStart: t('2020-01-02T17:00:00Z'), meetingEnd: t('2020-01-02T17:30:00Z') });
    expect(signalsFromEvent(ev, ae, [h], [])).toEqual([
      expect.objectContaining({ kind: 'invite_answered', response: 'accepted', seenOn: 'attendee_copy', at: t('2016-10-19T10:37:00Z') }),
    ]);
  });
});
