// The weekly sync job against the sandbox (the demo tenant, its clock, the real Graph client): each pair's series is
// created once (two runs, two instances), the agenda is written into the next occurrence once and escaped, a deleted
// series comes back, a 1:1 SDR's new AE is moved onto the series, an ended pair's series is cancelled, and a pair with
// no common hours gets no series while the manager is told once per reason; the Graph requests are counted.
import { sql } from 'kysely';
import { startWatchHarness, silentLogger, type WatchHarness } from './watch-harness';
import { createOutboxStore } from '../../../server/store/outbox-store';
import { createPeopleStore, type PeopleStore } from '../../../server/store/people-store';
import { createOutboxSender } from '../../../server/engine/outbox-sender';
import { createWeeklySyncJob, weeklySyncKind, type WeeklySyncJob } from '../../../server/engine/weekly-sync';
import { parseWeeklySyncPolicies, type WeeklySyncPolicies } from '../../../server/domain/weekly-sync';
import type { JsonObject } from '../../../server/sandbox/odata';

let h: WatchHarness;
let people: PeopleStore;
const policies = ((): WeeklySyncPolicies => {
  const parsed = parseWeeklySyncPolicies({
    default: { weekday: 'tuesday', lengthMinutes: 30, earliest: '09:00', latest: '17:00', agendaHoursBefore: 24, lookAheadWeeks: 4 },
    teams: { americas: { enabled: false } },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  return parsed.value;
})();

function instance(name: string): { job: WeeklySyncJob; cycle: () => Promise<void> } {
  const db = h.tdb.db;
  const outbox = createOutboxStore(db);
  const now = () => h.clock.now();
  const job = createWeeklySyncJob({ db, gateway: h.gateway, people, outbox, policies, handBackReasons: [{ code: 'no_budget', label: 'No budget' }], now, logger: silentLogger });
  const sender = createOutboxSender({ db, store: outbox, gateway: h.gateway, now, logger: silentLogger, workerId: name, handlers: { [weeklySyncKind]: job.handler } });
  return {
    job,
    async cycle() {
      for (let i = 0; i < 10; i++) {
        const queued = await job.run();
        const sent = (await sender.runOnce()).claimed;
        if (queued + sent === 0) return;
      }
      throw new Error('the weekly sync did not settle');
    },
  };
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const sandboxId = (email: string): string => {
  const u = h.running.sandbox.directory.find(email);
  if (!u) throw new Error(`no sandbox user ${email}`);
  return u.id;
};
const seriesOf = (email: string): JsonObject[] => h.running.sandbox.calendar.listEvents(sandboxId(email)).filter((e) => e['type'] === 'seriesMaster' && str(e['subject']).startsWith('Weekly sync'));
const live = (email: string) => seriesOf(email).filter((e) => e['isCancelled'] !== true);
const attendeesOf = (e: JsonObject | undefined) => ((e?.['attendees'] ?? []) as { emailAddress: { address: string } }[]).map((a) => a.emailAddress.address);
const outboxKeys = async (prefix: string) =>
  (await h.tdb.db.selectFrom('outbox').select('idempotency_key').where('idempotency_key', 'like', `${prefix}%`).orderBy('id').execute()).map((r) => r.idempotency_key);
/**
 * Graph requests by endpoint, leaving out the 401s the sandbox answers when its clock jumped past the app's token
 * (the client then signs in again and repeats the request: an artefact of moving the clock, not of the job).
 */
function byEndpoint(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of h.running.sandbox.requestLog.entries()) {
    if (!e.url.startsWith('/v1.0/') || e.status === 401) continue;
    const key = `${e.method} ${e.route ?? ''}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}
const graphRequests = () => Object.values(byEndpoint()).reduce((a, b) => a + b, 0);

const sofia = 'sofia.keller@contoso-sales.example';
const anton = 'anton.weber@contoso-sales.example';
const elena = 'elena.rossi@contoso-sales.example';
const liam = 'liam.novak@contoso-sales.example';

beforeAll(async () => {
  // Monday 23 November 2026, 08:00 UTC.
  h = await startWatchHarness({ start: new Date('2026-11-23T08:00:00Z') });
  people = createPeopleStore(h.tdb.db);
}, 60_000);
afterAll(async () => {
  await h.close();
});

describe('weekly sync job', () => {
  it('books one series per pair, once, across runs and instances, inside both people’s hours', async () => {
    const sofiaUser = h.people['sdr_emea_1'];
    const antonUser = h.people['ae_emea_1'];
    if (!sofiaUser || !antonUser) throw new Error('demo people');
    await people.pair({ sdrId: sofiaUser.id, aeId: antonUser.id, isPrimary: true }, true);
    h.running.sandbox.requestLog.clear();
    const first = instance('one');
    await first.cycle();
    // One getSchedule for both, one POST of the series.
    expect(byEndpoint()).toEqual({ 'POST /v1.0/users/:user/calendar/getSchedule': 1, 'POST /v1.0/users/:user/events': 1 });
    await first.cycle();
    await instance('two').cycle();
    expect(graphRequests()).toBe(2);
    const series = live(sofia);
    expect(series).toHaveLength(1);
    const master = series[0] ?? {};
    expect(master['subject']).toBe('Weekly sync: Sofia Keller ↔ Anton Weber');
    expect(attendeesOf(master)).toEqual([anton]);
    expect(master['recurrence']).toMatchObject({ pattern: { type: 'weekly', interval: 1, daysOfWeek: ['tuesday'] }, range: { type: 'noEnd', startDate: '2026-11-24', recurrenceTimeZone: 'Europe/Berlin' } });
    // Sofia works 08:00–16:30 in Berlin, Anton 09:00–18:00 in Berlin: 12:30 is the middle of both.
    expect(master['start']).toEqual({ dateTime: '2026-11-24T11:30:00.0000000', timeZone: 'UTC' });
    expect(live(anton)).toHaveLength(1);
    expect(await outboxKeys('weekly-sync:create')).toHaveLength(1);
  });

  it('writes the agenda into the next occurrence once, a day before, escaping the leads', async () => {
    const sofiaUser = h.people['sdr_emea_1'];
    const antonUser = h.people['ae_emea_1'];
    if (!sofiaUser || !antonUser) throw new Error('demo people');
    const handoffId = await h.newHandoff('sdr_emea_1', 'ae_emea_1');
    // Handed off this Monday morning (the database's own clock would say today's date).
    await sql`update handoffs set created_at = ${new Date('2026-11-23T08:00:00Z')} where id = ${handoffId}`.execute(h.tdb.db);
    await h.tdb.db.updateTable('leads').set({ contact_name: '<img src=x onerror=alert(1)>', company_name: 'Evil & Sons' }).where('id', '=', (await h.tdb.db.selectFrom('handoffs').select('lead_id').where('id', '=', handoffId).executeTakeFirstOrThrow()).lead_id).execute();
    const one = instance('one');
    // Monday 12:00 Berlin: the Tuesday 12:30 occurrence is more than a day away.
    h.clock.set(new Date('2026-11-23T11:00:00Z'));
    h.running.sandbox.requestLog.clear();
    await one.cycle();
    expect(graphRequests()).toBe(0);
    h.clock.set(new Date('2026-11-23T11:45:00Z'));
    await one.cycle();
    await instance('two').cycle();
    expect(byEndpoint()).toEqual({ 'GET /v1.0/users/:user/events/:eventId/instances': 1, 'PATCH /v1.0/users/:user/events/:eventId': 1 });
    const masterId = str(live(sofia)[0]?.['id']);
    const week = h.running.sandbox.calendar.instances(sandboxId(sofia), masterId, new Date('2026-11-24T00:00:00Z'), new Date('2026-12-09T00:00:00Z'));
    expect(week.map((o) => o['type'])).toEqual(['exception', 'occurrence', 'occurrence']);
    const body = str((week[0]?.['body'] as JsonObject)['content']);
    expect(body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(body).not.toContain('<img src=x');
    expect(body).toContain('Evil &amp; Sons');
    expect(body).toContain('Next steps');
    // The AE's copy of that occurrence carries it too.
    const antonMaster = str(live(anton)[0]?.['id']);
    const antonWeek = h.running.sandbox.calendar.instances(sandboxId(anton), antonMaster, new Date('2026-11-24T00:00:00Z'), new Date('2026-11-25T00:00:00Z'));
    expect(str((antonWeek[0]?.['body'] as JsonObject)['content'])).toContain('Evil &amp; Sons');
    expect(await outboxKeys('weekly-sync:agenda')).toEqual([expect.stringMatching(/:2026-11-24$/)]);
  });

  it('books the series again when someone deletes it', async () => {
    const masterId = str(live(sofia)[0]?.['id']);
    h.running.sandbox.calendar.deleteEvent(sandboxId(sofia), masterId);
    expect(live(sofia)).toHaveLength(0);
    const one = instance('one');
    // Monday a week on, within a day of the next occurrence: the agenda finds the series gone, the job books it again
    // from that Tuesday on and writes the agenda into the new series.
    h.clock.set(new Date('2026-11-30T12:00:00Z'));
    h.running.sandbox.requestLog.clear();
    await one.cycle();
    const again = live(sofia);
    expect(again).toHaveLength(1);
    expect(again[0]?.['id']).not.toBe(masterId);
    expect((again[0]?.['recurrence'] as JsonObject)['range']).toMatchObject({ startDate: '2026-12-01' });
    expect(byEndpoint()).toEqual({
      'GET /v1.0/users/:user/events/:eventId/instances': 2,
      'POST /v1.0/users/:user/events': 1,
      'PATCH /v1.0/users/:user/events/:eventId': 1,
    });
    const first = h.running.sandbox.calendar.instances(sandboxId(sofia), str(again[0]?.['id']), new Date('2026-12-01T00:00:00Z'), new Date('2026-12-02T00:00:00Z'));
    expect(first[0]?.['type']).toBe('exception');
  });

  it('moves the series to the SDR’s new AE', async () => {
    const sofiaUser = h.people['sdr_emea_1'];
    const elenaUser = h.people['ae_emea_2'];
    if (!sofiaUser || !elenaUser) throw new Error('demo people');
    const before = str(live(sofia)[0]?.['id']);
    await people.pair({ sdrId: sofiaUser.id, aeId: elenaUser.id, isPrimary: true }, true);
    await instance('one').cycle();
    const after = live(sofia);
    expect(after.map((e) => e['id'])).toEqual([before]);
    expect(after[0]?.['subject']).toBe('Weekly sync: Sofia Keller ↔ Elena Rossi');
    expect(attendeesOf(after[0])).toEqual([elena]);
    expect(live(elena)).toHaveLength(1);
    expect(live(anton)).toHaveLength(0);
  });

  it('cancels the series when the pair ends', async () => {
    const sofiaUser = h.people['sdr_emea_1'];
    const elenaUser = h.people['ae_emea_2'];
    if (!sofiaUser || !elenaUser) throw new Error('demo people');
    await people.unpair(sofiaUser.id, elenaUser.id);
    await instance('one').cycle();
    expect(live(sofia)).toHaveLength(0);
    expect(live(elena)).toHaveLength(0);
    const row = await h.tdb.db.selectFrom('weekly_syncs').select('status').where('sdr_id', '=', sofiaUser.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('ended');
  });

  it('books nothing for a pair with no common hours and tells the manager once per reason', async () => {
    const liamUser = h.people['sdr_emea_2'];
    const antonUser = h.people['ae_emea_1'];
    if (!liamUser || !antonUser) throw new Error('demo people');
    const antonId = sandboxId(anton);
    const hours = (zone: string) => ({ workingHours: { daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'], startTime: '09:00:00.0000000', endTime: '17:00:00.0000000', timeZone: { name: zone } } });
    h.running.sandbox.directory.updateMailboxSettings(antonId, hours('Pacific Standard Time'));
    await people.pair({ sdrId: liamUser.id, aeId: antonUser.id, isPrimary: true }, true);
    const one = instance('one');
    await one.cycle();
    await instance('two').cycle();
    expect(live(liam)).toHaveLength(0);
    const told = await outboxKeys('weekly-sync:no-common-hours');
    expect(told).toHaveLength(1);
    const mail = await h.tdb.db.selectFrom('outbox').select(['mailbox', 'payload', 'status']).where('idempotency_key', '=', told[0] ?? '').executeTakeFirstOrThrow();
    const payload = mail.payload as { to: { address: string }[]; subject: string; html: string };
    expect(payload.to.map((t) => t.address)).toEqual(['megan.bauer@contoso-sales.example']);
    expect(payload.subject).toBe('No weekly sync for Liam Novak and Anton Weber: no common working hours');
    expect(payload.html).toContain('America/Los_Angeles');
    expect(mail.status).toBe('done');

    // A week on the hours are read again: the same reason is not told twice; another one is.
    h.clock.set(new Date('2026-12-08T08:00:00Z'));
    await one.cycle();
    expect(await outboxKeys('weekly-sync:no-common-hours')).toHaveLength(1);
    h.running.sandbox.directory.updateMailboxSettings(antonId, hours('Hawaiian Standard Time'));
    h.clock.set(new Date('2026-12-16T08:00:00Z'));
    await one.cycle();
    expect(await outboxKeys('weekly-sync:no-common-hours')).toHaveLength(2);
    expect(live(liam)).toHaveLength(0);

    // Hours that meet: the sync is booked.
    h.running.sandbox.directory.updateMailboxSettings(antonId, hours('W. Europe Standard Time'));
    h.clock.set(new Date('2026-12-24T08:00:00Z'));
    await one.cycle();
    expect(live(liam)).toHaveLength(1);
    expect(attendeesOf(live(liam)[0])).toEqual([anton]);
  });
});
