// A hand-off reassigned in the sandbox: the intro is seen sent, the invite is booked on the SDR's calendar with the
// first AE as attendee (and the first AE's prep block before the demo), then the manager reassigns it to a second AE
// through the hand-off service, as the API does. Once the real outbox sender has run: the meeting names the new AE
// only, the new AE has it and the prep block, the first AE has neither, and each of the three got one notice.
import { createHandoffService, type HandoffService } from '../../../server/engine/handoff-service';
import { createHandoffStore } from '../../../server/store/handoff-store';
import { createFollowupStore } from '../../../server/store/followup-store';
import { createLeadStore } from '../../../server/store/lead-store';
import { createPeopleStore } from '../../../server/store/people-store';
import { createRatingStore } from '../../../server/store/rating-store';
import { loadSettings } from '../../../server/settings/load-settings';
import type { CalendarEvent } from '../../../server/domain/mailbox';
import { startWatchHarness, type WatchHarness } from './watch-harness';

let h: WatchHarness;
let service: HandoffService;
beforeAll(async () => {
  // Monday 2026-11-23 08:00 UTC = 09:00 in Berlin.
  h = await startWatchHarness({ engine: true });
  const engine = h.runtime.engine;
  if (engine === null) throw new Error('the engine is not running');
  const settings = loadSettings({ qualificationFile: 'server/settings/qualification.json', handBackReasonsFile: 'server/settings/hand-back-reasons.json' });
  service = createHandoffService({
    clock: h.clock,
    handoffs: createHandoffStore(h.tdb.db),
    followups: createFollowupStore(h.tdb.db),
    leads: createLeadStore(h.tdb.db),
    people: createPeopleStore(h.tdb.db),
    criteria: settings.qualificationCriteria,
    handBackReasons: settings.handBackReasons,
    ratings: createRatingStore(h.tdb.db),
    obligations: engine.obligations,
  });
}, 60_000);
afterAll(() => h.close());

const user = (key: string) => {
  const u = h.people[key];
  if (u === undefined) throw new Error(key);
  return u;
};

const sender = () => {
  const engine = h.runtime.engine;
  if (engine === null) throw new Error('the engine is not running');
  return engine.sender;
};

async function inboxSubjects(key: string): Promise<string[]> {
  const page = (await h.connection.call((c) => c.api(`/users/${user(key).entraOid}/mailFolders/inbox/messages`).select('subject').top(999).get())) as { value: { subject: string }[] };
  return page.value.map((m) => m.subject);
}

const window = { start: new Date('2026-11-25T00:00:00Z'), end: new Date('2026-11-26T00:00:00Z') };
const calendar = (key: string): Promise<readonly CalendarEvent[]> => h.gateway.calendarView(user(key).entraOid, window);

it('moves the meeting, the prep block and the deadlines to the new AE, and tells the SDR and both AEs once', async () => {
  const id = await h.newHandoff('sdr_emea_1', 'ae_emea_1');
  await h.tdb.db
    .updateTable('handoffs')
    .set({ demo_requested: true, slot_start: new Date('2026-11-25T13:00:00Z'), slot_end: new Date('2026-11-25T13:30:00Z') })
    .where('id', '=', id)
    .execute();
  const lead = await h.tdb.db.selectFrom('handoffs').innerJoin('leads', 'leads.id', 'handoffs.lead_id').select(['leads.email', 'leads.contact_name', 'leads.company_name']).where('handoffs.id', '=', id).executeTakeFirstOrThrow();
  await h.gateway.sendMail(user('sdr_emea_1').entraOid, {
    to: [{ address: lead.email, name: lead.contact_name }],
    cc: [{ address: user('ae_emea_1').email }],
    subject: `Introduction ${id.slice(0, 8)}`,
    html: '<p>Meet Anton.</p>',
    headers: { 'x-baton-handoff': id },
  });
  await h.settle();

  const booked = await h.tdb.db.selectFrom('handoffs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  expect(booked.stage).toBe('invite_sent');
  const meetingId = booked.meeting_event_id;
  const oldPrepId = booked.prep_event_id;
  if (meetingId === null || oldPrepId === null) throw new Error('the invite or the prep block was not booked');
  const ofMeeting = (events: readonly CalendarEvent[]) => events.filter((e) => e.iCalUId === booked.meeting_ical_uid);
  const attendees = async () => (await h.gateway.getEvent(user('sdr_emea_1').entraOid, meetingId))?.attendees.map((a) => a.address.toLowerCase());
  expect(await attendees()).toEqual(expect.arrayContaining([user('ae_emea_1').email]));
  expect(ofMeeting(await calendar('ae_emea_1'))).toHaveLength(1);
  expect((await calendar('ae_emea_1')).map((e) => e.id)).toContain(oldPrepId);
  expect(ofMeeting(await calendar('ae_emea_2'))).toHaveLength(0);

  const manager = user('mgr_emea');
  const reassignedAt = h.clock.now();
  await service.reassign({ userId: manager.id, role: manager.role, teamId: manager.teamId }, id, { aeId: user('ae_emea_2').id, reason: 'Anton is on leave' });
  expect((await h.tdb.db.selectFrom('handoffs').select('ae_id').where('id', '=', id).executeTakeFirstOrThrow()).ae_id).toBe(user('ae_emea_2').id);
  // Anton's deadlines are cancelled; Elena's clock starts at the reassignment, for the reply and the acceptance.
  const deadlines = await h.tdb.db.selectFrom('obligations').select(['kind', 'status', 'started_at']).where('handoff_id', '=', id).orderBy('started_at').orderBy('kind').execute();
  expect(deadlines.map((o) => [o.kind, o.status])).toEqual([
    ['ae_accept', 'cancelled'],
    ['ae_reply', 'cancelled'],
    ['ae_accept', 'open'],
    ['ae_reply', 'open'],
  ]);
  expect(deadlines[2]?.started_at.getTime()).toBeGreaterThanOrEqual(reassignedAt.getTime());
  for (let i = 0; i < 10 && (await sender().runOnce()).claimed > 0; i++) await h.settle();
  await h.settle();
  const outbox = await h.tdb.db.selectFrom('outbox').select(['idempotency_key', 'status']).where('handoff_id', '=', id).where('idempotency_key', 'like', 'reassign:%').execute();
  expect(outbox.map((o) => o.idempotency_key.replace(/^reassign:[^:]+:v\d+:/, '').replace(/mail:.+$/, 'mail')).sort()).toEqual(['mail', 'mail', 'mail', 'meeting', 'prep', 'prep-delete']);
  expect(outbox.every((o) => o.status === 'done')).toBe(true);

  // The organizer's meeting names Elena, not Anton; Elena has it, Anton's copy is cancelled or gone.
  const now = await attendees();
  expect(now).toContain(user('ae_emea_2').email);
  expect(now).not.toContain(user('ae_emea_1').email);
  expect(ofMeeting(await calendar('ae_emea_2')).filter((e) => !e.isCancelled)).toHaveLength(1);
  expect(ofMeeting(await calendar('ae_emea_1')).filter((e) => !e.isCancelled)).toHaveLength(0);
  // The prep block: gone from Anton's calendar, on Elena's, private, before the demo.
  const antonAfter = await calendar('ae_emea_1');
  expect(antonAfter.map((e) => e.id)).not.toContain(oldPrepId);
  expect(antonAfter.filter((e) => e.subject === `Prep: ${lead.company_name} demo`)).toHaveLength(0);
  const elenaPrep = (await calendar('ae_emea_2')).filter((e) => e.subject === `Prep: ${lead.company_name} demo`);
  expect(elenaPrep).toHaveLength(1);
  expect(elenaPrep[0]).toMatchObject({ sensitivity: 'private', showAs: 'busy', end: new Date('2026-11-25T13:00:00Z') });

  // One "hand-off moved" mail each for Sofia, Anton and Elena.
  const moved = `${lead.company_name}: hand-off moved from Anton Weber to Elena Rossi`;
  const counts = async () => Promise.all(['sdr_emea_1', 'ae_emea_1', 'ae_emea_2'].map(async (k) => (await inboxSubjects(k)).filter((s) => s === moved).length));
  expect(await counts()).toEqual([1, 1, 1]);

  // The sender again: nothing left to send, nothing sent twice.
  expect((await sender().runOnce()).claimed).toBe(0);
  await h.settle();
  expect(await counts()).toEqual([1, 1, 1]);
  expect(ofMeeting(await calendar('ae_emea_2')).filter((e) => !e.isCancelled)).toHaveLength(1);
  expect((await calendar('ae_emea_2')).filter((e) => e.subject === `Prep: ${lead.company_name} demo`)).toHaveLength(1);
});

it('writes an invite and prep block still queued in the outbox for the new AE, so the new AE is the one invited', async () => {
  const engine = h.runtime.engine;
  if (engine === null) throw new Error('the engine is not running');
  const id = await h.newHandoff('sdr_emea_1', 'ae_emea_1');
  await h.tdb.db.updateTable('handoffs').set({ demo_requested: true }).where('id', '=', id).execute();
  const lead = await h.tdb.db.selectFrom('handoffs').innerJoin('leads', 'leads.id', 'handoffs.lead_id').select(['leads.company_name']).where('handoffs.id', '=', id).executeTakeFirstOrThrow();
  const slot = { start: new Date('2026-11-25T14:00:00Z'), end: new Date('2026-11-25T14:30:00Z') };
  expect(await engine.handoffs.requestInvite(id, slot)).toBe('booked');
  const queued = () => h.tdb.db.selectFrom('outbox').select(['id', 'idempotency_key', 'mailbox', 'payload', 'status']).where('handoff_id', '=', id).where('kind', '=', 'event').orderBy('id').execute();
  expect((await queued()).map((q) => q.status)).toEqual(['pending', 'pending']);

  // A sender holding the invite right now: the reassignment waits (nothing changed), then goes through once it is free.
  const manager = user('mgr_emea');
  const actor = { userId: manager.id, role: manager.role, teamId: manager.teamId };
  const [invite] = await queued();
  if (invite === undefined) throw new Error('no invite queued');
  await h.tdb.db.updateTable('outbox').set({ claimed_by: 'other-worker', claimed_until: new Date(h.clock.now().getTime() + 60_000) }).where('id', '=', invite.id).execute();
  await expect(service.reassign(actor, id, { aeId: user('ae_emea_2').id, reason: 'Anton is on leave' })).rejects.toMatchObject({ status: 409, code: 'invite_in_flight' });
  expect((await h.tdb.db.selectFrom('handoffs').select('ae_id').where('id', '=', id).executeTakeFirstOrThrow()).ae_id).toBe(user('ae_emea_1').id);
  await h.tdb.db.updateTable('outbox').set({ claimed_by: null, claimed_until: null }).where('id', '=', invite.id).execute();

  await service.reassign(actor, id, { aeId: user('ae_emea_2').id, reason: 'Anton is on leave' });
  const [meeting, prep] = (await queued()) as unknown as [{ mailbox: string; payload: { subject: string; html: string; attendees: { address: string }[]; purpose: string } }, { mailbox: string; payload: { html: string; purpose: string } }];
  expect(meeting.payload.purpose).toBe('meeting');
  expect(meeting.mailbox).toBe(user('sdr_emea_1').entraOid);
  expect(meeting.payload.attendees.map((a) => a.address)).toContain(user('ae_emea_2').email);
  expect(meeting.payload.attendees.map((a) => a.address)).not.toContain(user('ae_emea_1').email);
  expect(meeting.payload.subject).toBe(`${lead.company_name} × Elena Rossi: introduction`);
  expect(meeting.payload.html).toContain('Elena Rossi');
  expect(meeting.payload.html).not.toContain('Anton Weber');
  expect(prep.payload.purpose).toBe('prep');
  expect(prep.mailbox).toBe(user('ae_emea_2').entraOid);
  expect(prep.payload.html).toContain('Elena');

  // Sent: Elena has the meeting and the prep block; Anton has neither.
  for (let i = 0; i < 10 && (await sender().runOnce()).claimed > 0; i++) await h.settle();
  await h.settle();
  const booked = await h.tdb.db.selectFrom('handoffs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  expect(booked.meeting_event_id).not.toBeNull();
  const ofMeeting = (events: readonly CalendarEvent[]) => events.filter((e) => e.iCalUId === booked.meeting_ical_uid && !e.isCancelled);
  expect(ofMeeting(await calendar('ae_emea_2'))).toHaveLength(1);
  expect(ofMeeting(await calendar('ae_emea_1'))).toHaveLength(0);
  const prepOf = async (key: string) => (await calendar(key)).filter((e) => e.subject === `Prep: ${lead.company_name} demo` && e.end.getTime() === slot.start.getTime());
  expect(await prepOf('ae_emea_2')).toHaveLength(1);
  expect(await prepOf('ae_emea_1')).toHaveLength(0);
});
