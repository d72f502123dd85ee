// HandoffWatchStore against a real database (embedded, or PostgreSQL when DATABASE_URL is set): candidates found by
// every key in one query, the AE's open meetings, signals recorded once under their dedupe key with their tracking
// updates inside the caller's transaction, and the pending events read back and consumed.
import type { HandoffSignal, TrackedHandoff } from '../../../server/domain/handoff-signals';
import { matchKeysOfEvent, matchKeysOfMessage, signalsFromMessage } from '../../../server/domain/handoff-signals';
import type { CalendarEvent, MailMessage } from '../../../server/domain/mailbox';
import { createHandoffWatchStore, type HandoffWatchStore, type MatchKeys } from '../../../server/store/handoff-watch-store';
import { createLeadStore } from '../../../server/store/lead-store';
import type { Insertable } from 'kysely';
import type { HandoffTable } from '../../../server/store/schema';
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import { leadFields } from '../helpers/leads';
import { seedPeople, type TestPeople } from '../helpers/people';

let tdb: TestDatabase;
let store: HandoffWatchStore;
let p: TestPeople;
let leadId: string;
beforeAll(async () => {
  tdb = await openTestDatabase();
  store = createHandoffWatchStore(tdb.db);
}, 60_000);
afterAll(() => tdb.close());
beforeEach(async () => {
  await tdb.reset();
  p = await seedPeople(tdb.db);
  const lead = await createLeadStore(tdb.db).create(
    { teamId: 'north', ownerId: p.sdr1.id, sdrId: p.sdr1.id, fields: leadFields() },
    { entity: 'lead', actorId: p.sdr1.id, at: now, from: null, to: 'new', reasonCode: null, reasonText: null },
  );
  leadId = lead.id;
  leadCount = 0;
});

const now = new Date('2026-11-03T10:00:00Z');
const t = (iso: string) => new Date(iso);

let leadCount = 0;
/** A hand-off of its own lead (one hand-off in progress per lead is held by the database). */
async function addHandoff(over: Partial<Insertable<HandoffTable>> = {}): Promise<string> {
  const lead =
    leadCount++ === 0
      ? leadId
      : (
          await createLeadStore(tdb.db).create(
            { teamId: 'north', ownerId: p.sdr1.id, sdrId: p.sdr1.id, fields: leadFields({ email: `lead${String(leadCount)}@acme-robotics.com` }) },
            { entity: 'lead', actorId: p.sdr1.id, at: now, from: null, to: 'new', reasonCode: null, reasonText: null },
          )
        ).id;
  const row = await tdb.db
    .insertInto('handoffs')
    .values({
      lead_id: lead,
      team_id: 'north',
      sdr_id: p.sdr1.id,
      ae_id: p.ae1.id,
      stage: 'invite_sent',
      stage_changed_at: now,
      created_at: now,
      intro_message_id: null,
      intro_internet_message_id: null,
      intro_conversation_id: null,
      intro_sent_at: null,
      meeting_event_id: null,
      meeting_ical_uid: null,
      meeting_ae_event_id: null,
      meeting_start: null,
      meeting_end: null,
      ...over,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

const messageKeys = (over: Partial<Extract<MatchKeys, { messageId: string }>> = {}): MatchKeys => ({
  handoffIds: [],
  messageId: 'msg-none',
  internetMessageIds: [],
  conversationId: null,
  ...over,
});
const eventKeys = (over: Partial<Extract<MatchKeys, { eventId: string }>> = {}): MatchKeys => ({ iCalUId: null, eventId: 'evt-none', transactionId: null, ...over });

describe('finding candidates', () => {
  let target: string;
  beforeEach(async () => {
    target = await addHandoff({
      intro_message_id: 'msg-intro',
      intro_internet_message_id: '<intro@baton.example>',
      intro_conversation_id: 'conv-intro',
      intro_sent_at: t('2026-11-03T09:00:00Z'),
      meeting_event_id: 'evt-org',
      meeting_ical_uid: 'ical-1',
      meeting_ae_event_id: 'evt-ae',
      meeting_start: t('2026-11-05T14:00:00Z'),
      meeting_end: t('2026-11-05T14:30:00Z'),
    });
    // A bystander that matches none of the keys below.
    await addHandoff({ intro_message_id: 'msg-other', intro_conversation_id: 'conv-other', meeting_ical_uid: 'ical-other', meeting_event_id: 'evt-other-org' });
  });

  const rows: [string, () => MatchKeys][] = [
    ['the x-baton-handoff id', () => messageKeys({ handoffIds: [target] })],
    ['the intro’s item id', () => messageKeys({ messageId: 'msg-intro' })],
    ['an In-Reply-To / References id', () => messageKeys({ internetMessageIds: ['<lead@acme.example>', '<intro@baton.example>'] })],
    ['the conversation', () => messageKeys({ conversationId: 'conv-intro' })],
    ['the meeting’s iCalUId', () => eventKeys({ iCalUId: 'ical-1' })],
    ['the organizer’s event id', () => eventKeys({ eventId: 'evt-org' })],
    ['the AE’s event id', () => eventKeys({ eventId: 'evt-ae' })],
    ['the event’s transactionId', () => eventKeys({ transactionId: target })],
  ];
  test.each(rows)('by %s, with the SDR’s and AE’s emails', async (_name, keys) => {
    const found = await store.findCandidates(keys());
    expect(found).toEqual<TrackedHandoff[]>([
      {
        id: target,
        sdrId: p.sdr1.id,
        aeId: p.ae1.id,
        sdrEmail: 'sara@baton.example',
        aeEmail: 'alex@baton.example',
        stage: 'invite_sent',
        introMessageId: 'msg-intro',
        introInternetMessageId: '<intro@baton.example>',
        introConversationId: 'conv-intro',
        introSentAt: t('2026-11-03T09:00:00Z'),
        meetingEventId: 'evt-org',
        meetingICalUId: 'ical-1',
        meetingAeEventId: 'evt-ae',
        meetingStart: t('2026-11-05T14:00:00Z'),
        meetingEnd: t('2026-11-05T14:30:00Z'),
        prepEventId: null,
        prepStart: null,
        prepEnd: null,
      },
    ]);
  });

  it.each<[string, MatchKeys | MatchKeys[]]>([
    ['keys that match nothing', messageKeys({ internetMessageIds: ['<x@y>'], conversationId: 'conv-x' })],
    ['no keys at all', []],
    ['a transactionId that is not a UUID (not even tried against the uuid column)', eventKeys({ eventId: 'evt-x', transactionId: 'not-a-uuid' })],
    ['a header id that is not a UUID', messageKeys({ handoffIds: ['not-a-uuid'] })],
  ])('finds nothing for %s', async (_name, keys) => {
    expect(await store.findCandidates(keys)).toEqual([]);
  });

  it('answers a whole page of items in one call, each hand-off once, whatever stage', async () => {
    const closed = await addHandoff({ stage: 'closed', meeting_ical_uid: 'ical-closed' });
    const found = await store.findCandidates([
      messageKeys({ conversationId: 'conv-intro' }),
      eventKeys({ iCalUId: 'ical-1', eventId: 'evt-ae' }),
      eventKeys({ iCalUId: 'ical-closed' }),
    ]);
    expect(found.map((h) => h.id).sort()).toEqual([target, closed].sort());
    expect(found.find((h) => h.id === closed)?.stage).toBe('closed');
  });

  it('uses the real match keys of a message and an event', async () => {
    const message = {
      id: 'msg-reply', internetMessageId: '<reply@x>', conversationId: 'conv-unknown', subject: 'RE', from: null, to: [], cc: [], sentAt: null, receivedAt: null,
      isDraft: false, headers: new Map([['references', '<a@x> <intro@baton.example>']]), webLink: null, folder: null,
    } satisfies MailMessage;
    expect((await store.findCandidates(matchKeysOfMessage(message))).map((h) => h.id)).toEqual([target]);
    const event = { id: 'evt-unknown', iCalUId: 'ical-unknown', transactionId: target.toUpperCase() } as Pick<CalendarEvent, 'id' | 'iCalUId' | 'transactionId'>;
    expect((await store.findCandidates(matchKeysOfEvent(event as CalendarEvent))).map((h) => h.id)).toEqual([target]);
  });
});

describe('open meetings of an AE', () => {
  it('lists the AE’s hand-offs whose meeting overlaps the window, still expecting their meeting', async () => {
    const meeting = { meeting_start: t('2026-11-05T14:00:00Z'), meeting_end: t('2026-11-05T14:30:00Z') };
    const open = await addHandoff(meeting);
    const noShow = await addHandoff({ ...meeting, stage: 'no_show' });
    await addHandoff({ ...meeting, stage: 'closed' });
    await addHandoff({ ...meeting, stage: 'met' });
    await addHandoff({ ...meeting, ae_id: p.ae2.id });
    await addHandoff({ stage: 'intro_sent' }); // no meeting yet
    await addHandoff({ meeting_start: t('2026-11-05T15:00:00Z'), meeting_end: t('2026-11-05T16:00:00Z') }); // outside
    const found = await store.openMeetingsOfAe(p.ae1.id, { start: t('2026-11-05T13:00:00Z'), end: t('2026-11-05T15:00:00Z') });
    expect(found.map((h) => h.id).sort()).toEqual([open, noShow].sort());
    expect(found[0]).toMatchObject({ aeEmail: 'alex@baton.example', meetingStart: t('2026-11-05T14:00:00Z') });
  });

  it('does not count a meeting that only touches the window', async () => {
    await addHandoff({ meeting_start: t('2026-11-05T14:00:00Z'), meeting_end: t('2026-11-05T14:30:00Z') });
    expect(await store.openMeetingsOfAe(p.ae1.id, { start: t('2026-11-05T14:30:00Z'), end: t('2026-11-05T15:00:00Z') })).toEqual([]);
    expect(await store.openMeetingsOfAe(p.ae1.id, { start: t('2026-11-05T13:00:00Z'), end: t('2026-11-05T14:00:00Z') })).toEqual([]);
  });

  it('counts the prep block before the meeting, and finds the hand-off by the prep block’s event id', async () => {
    const id = await addHandoff({
      meeting_start: t('2026-11-05T14:00:00Z'),
      meeting_end: t('2026-11-05T14:30:00Z'),
      prep_event_id: 'evt-prep',
      prep_start: t('2026-11-05T13:30:00Z'),
      prep_end: t('2026-11-05T14:00:00Z'),
    });
    const found = await store.openMeetingsOfAe(p.ae1.id, { start: t('2026-11-05T13:00:00Z'), end: t('2026-11-05T13:45:00Z') });
    expect(found.map((h) => [h.id, h.prepEventId, h.prepStart])).toEqual([[id, 'evt-prep', t('2026-11-05T13:30:00Z')]]);
    expect((await store.findCandidates(eventKeys({ eventId: 'evt-prep' }))).map((h) => h.id)).toEqual([id]);
  });
});

describe('recording signals', () => {
  const introSent = (handoffId: string, over: Partial<Extract<HandoffSignal, { kind: 'intro_sent' }>> = {}): HandoffSignal => ({
    kind: 'intro_sent',
    handoffId,
    dedupeKey: `intro_sent:${handoffId}`,
    at: t('2026-11-03T09:00:00Z'),
    messageId: 'msg-intro',
    internetMessageId: '<intro@baton.example>',
    conversationId: 'conv-intro',
    ...over,
  });
  const moved = (handoffId: string, start: string, end: string): HandoffSignal => ({
    kind: 'meeting_moved',
    handoffId,
    dedupeKey: `meeting_moved:${handoffId}:ical-1:${start}:${end}`,
    at: t('2026-11-03T11:00:00Z'),
    from: { start: t('2026-11-05T14:00:00Z'), end: t('2026-11-05T14:30:00Z') },
    to: { start: t(start), end: t(end) },
    seenOn: 'organizer_copy',
    eventId: 'evt-org',
  });
  const conflict = (handoffId: string): HandoffSignal => ({
    kind: 'conflict_added',
    handoffId,
    dedupeKey: `conflict:${handoffId}:ical-dentist:2026-11-05T14:15:00.000Z`,
    at: null,
    eventId: 'evt-dentist',
    iCalUId: 'ical-dentist',
    start: t('2026-11-05T14:15:00Z'),
    end: t('2026-11-05T15:00:00Z'),
    subject: null,
    showAs: 'busy',
    overlaps: 'meeting',
  });
  const tracked = async (id: string) => (await store.findCandidates(messageKeys({ handoffIds: [id] })))[0];

  it('records each fact once and returns only the new ones, also within one batch', async () => {
    const h = await addHandoff({ stage: 'intro_composed' });
    const first = await store.recordSignals(tdb.db, [introSent(h), introSent(h), conflict(h)], now);
    expect(first.map((s) => s.kind)).toEqual(['intro_sent', 'conflict_added']);
    const replay = await store.recordSignals(tdb.db, [conflict(h), introSent(h, { messageId: 'msg-later' })], t('2026-11-03T12:00:00Z'));
    expect(replay).toEqual([]);
    const rows = await tdb.db.selectFrom('handoff_events').select(['kind', 'occurred_at', 'recorded_at', 'dedupe_key']).orderBy('id').execute();
    expect(rows).toEqual([
      { kind: 'intro_sent', occurred_at: t('2026-11-03T09:00:00Z'), recorded_at: now, dedupe_key: `intro_sent:${h}` },
      // No time from the mailbox: the time it was recorded.
      { kind: 'conflict_added', occurred_at: now, recorded_at: now, dedupe_key: `conflict:${h}:ical-dentist:2026-11-05T14:15:00.000Z` },
    ]);
  });

  it('fills the intro’s ids and time when still unknown, and keeps what was known', async () => {
    const fresh = await addHandoff({ stage: 'intro_composed' });
    const drafted = await addHandoff({ stage: 'intro_composed', intro_message_id: 'msg-draft', intro_sent_at: t('2026-11-03T08:00:00Z') });
    await store.recordSignals(tdb.db, [introSent(fresh), introSent(drafted)], now);
    expect(await tracked(fresh)).toMatchObject({ introMessageId: 'msg-intro', introInternetMessageId: '<intro@baton.example>', introConversationId: 'conv-intro', introSentAt: t('2026-11-03T09:00:00Z') });
    expect(await tracked(drafted)).toMatchObject({ introMessageId: 'msg-draft', introInternetMessageId: '<intro@baton.example>', introConversationId: 'conv-intro', introSentAt: t('2026-11-03T08:00:00Z') });
  });

  it('tracks the meeting where it is, also after a move back and forth', async () => {
    const h = await addHandoff({ meeting_ical_uid: 'ical-1', meeting_start: t('2026-11-05T14:00:00Z'), meeting_end: t('2026-11-05T14:30:00Z') });
    const there = moved(h, '2026-11-06T09:00:00.000Z', '2026-11-06T09:30:00.000Z');
    const back = moved(h, '2026-11-05T14:00:00.000Z', '2026-11-05T14:30:00.000Z');
    expect(await store.recordSignals(tdb.db, [there], now)).toHaveLength(1);
    expect(await tracked(h)).toMatchObject({ meetingStart: t('2026-11-06T09:00:00Z'), meetingEnd: t('2026-11-06T09:30:00Z') });
    expect(await store.recordSignals(tdb.db, [back], now)).toHaveLength(1);
    // Moved there again: not a new fact, but the tracked time follows the meeting.
    expect(await store.recordSignals(tdb.db, [there], now)).toEqual([]);
    expect(await tracked(h)).toMatchObject({ meetingStart: t('2026-11-06T09:00:00Z'), meetingEnd: t('2026-11-06T09:30:00Z') });
  });

  it('remembers the AE’s copy of the meeting', async () => {
    const h = await addHandoff({ meeting_ical_uid: 'ical-1' });
    await store.recordSignals(tdb.db, [{ kind: 'ae_copy_seen', handoffId: h, dedupeKey: `ae_copy_seen:${h}:evt-ae`, at: null, eventId: 'evt-ae' }], now);
    expect(await tracked(h)).toMatchObject({ meetingAeEventId: 'evt-ae' });
    expect((await store.findCandidates(eventKeys({ eventId: 'evt-ae' }))).map((x) => x.id)).toEqual([h]);
  });

  it('writes inside the caller’s transaction: a rollback leaves neither the event nor the tracking', async () => {
    const h = await addHandoff({ stage: 'intro_composed' });
    await expect(
      tdb.db.transaction().execute(async (trx) => {
        expect(await store.recordSignals(trx, [introSent(h)], now)).toHaveLength(1);
        throw new Error('the stage change failed');
      }),
    ).rejects.toThrow('the stage change failed');
    expect(await tdb.db.selectFrom('handoff_events').select('id').execute()).toEqual([]);
    expect(await tracked(h)).toMatchObject({ introMessageId: null, introSentAt: null });
    expect(await store.recordSignals(tdb.db, [introSent(h)], now)).toHaveLength(1);
  });

  it('hands pending events to the engine oldest first, as the signals they were, until consumed', async () => {
    const h = await addHandoff({ stage: 'intro_composed', meeting_ical_uid: 'ical-1', meeting_start: t('2026-11-05T14:00:00Z'), meeting_end: t('2026-11-05T14:30:00Z') });
    const signals = [introSent(h), moved(h, '2026-11-06T09:00:00.000Z', '2026-11-06T09:30:00.000Z'), conflict(h)];
    await store.recordSignals(tdb.db, signals, now);
    const pending = await store.pendingEvents(10);
    expect(pending.map((e) => e.signal)).toEqual(signals);
    expect(pending[1]).toMatchObject({ handoffId: h, kind: 'meeting_moved', occurredAt: t('2026-11-03T11:00:00Z'), recordedAt: now, dedupeKey: signals[1]?.dedupeKey });
    expect((await store.pendingEvents(2)).map((e) => e.kind)).toEqual(['intro_sent', 'meeting_moved']);

    const ids = pending.slice(0, 2).map((e) => e.id);
    expect(await store.markConsumed(ids, t('2026-11-03T10:05:00Z'))).toBe(2);
    expect(await store.markConsumed(ids, t('2026-11-03T10:06:00Z'))).toBe(0);
    expect(await store.markConsumed([], now)).toBe(0);
    expect((await store.pendingEvents(10)).map((e) => e.kind)).toEqual(['conflict_added']);
    const consumed = await tdb.db.selectFrom('handoff_events').select('consumed_at').where('id', '=', ids[0] ?? '').executeTakeFirstOrThrow();
    expect(consumed.consumed_at).toEqual(t('2026-11-03T10:05:00Z'));
  });

  it('skips events another transaction holds', async () => {
    const h = await addHandoff({ stage: 'intro_composed' });
    await store.recordSignals(tdb.db, [introSent(h), conflict(h)], now);
    // The embedded database is one connection: a second concurrent transaction needs a PostgreSQL server.
    if (tdb.kind === 'embedded') {
      await tdb.db.transaction().execute(async (trx) => {
        expect(await store.pendingEvents(1, trx)).toHaveLength(1);
      });
      return;
    }
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let claimed: (value: string[]) => void = () => undefined;
    const firstClaim = new Promise<string[]>((resolve) => (claimed = resolve));
    const holder = tdb.db.transaction().execute(async (trx) => {
      claimed((await store.pendingEvents(1, trx)).map((e) => e.kind));
      await held;
    });
    expect(await firstClaim).toEqual(['intro_sent']);
    const other = await tdb.db.transaction().execute((trx) => store.pendingEvents(10, trx));
    expect(other.map((e) => e.kind)).toEqual(['conflict_added']);
    release();
    await holder;
  });

  it('end to end: a replayed message finds its hand-off and records nothing new the second time', async () => {
    const h = await addHandoff({ stage: 'intro_composed' });
    const intro: MailMessage = {
      id: 'msg-intro', internetMessageId: '<intro@baton.example>', conversationId: 'conv-intro', subject: 'Introduction', from: { address: 'sara@baton.example' },
      to: [], cc: [], sentAt: t('2026-11-03T09:00:00Z'), receivedAt: null, isDraft: false, headers: new Map([['x-baton-handoff', h]]), webLink: null, folder: 'sentitems',
    };
    const sdr = { userId: p.sdr1.id, email: p.sdr1.email, role: 'sdr' as const };
    const run = async () => {
      const candidates = await store.findCandidates(matchKeysOfMessage(intro));
      return store.recordSignals(tdb.db, signalsFromMessage(intro, sdr, 'sentitems', candidates), now);
    };
    expect((await run()).map((s) => s.kind)).toEqual(['intro_sent']);
    expect(await run()).toEqual([]);
    expect(await tracked(h)).toMatchObject({ introInternetMessageId: '<intro@baton.example>', introConversationId: 'conv-intro' });
  });
});
