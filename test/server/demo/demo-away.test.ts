// The demo's AE with automatic replies on (Elena Rossi): after the demo data, an open hand-off to her whose SLA
// obligations stand still (no timer, the full working time left) because of her absence, which the pane then shows.
import { createRatingStore } from '../../../server/store/rating-store';
import path from 'node:path';
import { loadDemoData } from '../../../server/demo/demo-data';
import { loadDemoAway } from '../../../server/demo/demo-away';
import { createObligationService } from '../../../server/engine/obligations';
import { createHandoffService } from '../../../server/engine/handoff-service';
import { createAwayStore } from '../../../server/store/away-store';
import { createFollowupStore } from '../../../server/store/followup-store';
import { createHandoffStore } from '../../../server/store/handoff-store';
import { createLeadStore } from '../../../server/store/lead-store';
import { createOutboxStore } from '../../../server/store/outbox-store';
import { createPeopleStore } from '../../../server/store/people-store';
import { createReportStore } from '../../../server/store/report-store';
import { fixedClock } from '../../../server/clock';
import { loadSettings } from '../../../server/settings/load-settings';
import { silentLogger } from '../engine/watch-harness';
import { openTestDatabase, type TestDatabase } from '../helpers/database';

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await openTestDatabase();
  await tdb.reset();
}, 60_000);
afterAll(() => tdb.close());

const settings = loadSettings({ qualificationFile: path.resolve('server/settings/qualification.json'), handBackReasonsFile: path.resolve('server/settings/hand-back-reasons.json') });
// Tuesday 10:00 in Rome.
const now = new Date('2026-11-24T09:00:00Z');

it('gives Elena Rossi an open hand-off whose SLA clock is paused by her automatic replies', async () => {
  await loadDemoData(tdb.db, { now, criteria: settings.qualificationCriteria, handBackReasons: settings.handBackReasons });
  const people = createPeopleStore(tdb.db);
  const away = createAwayStore(tdb.db);
  const obligations = createObligationService({
    db: tdb.db,
    people,
    gateway: { mailboxSettings: () => Promise.resolve({ timeZone: 'Europe/Rome', workingHours: { daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'], startTime: '09:00:00', endTime: '18:00:00', timeZone: 'Europe/Rome' }, automaticReplies: { status: 'alwaysEnabled', scheduledStart: null, scheduledEnd: null } }) },
    outbox: createOutboxStore(tdb.db),
    policies: settings.handoffPolicies,
    now: () => now,
    logger: silentLogger,
    away,
  });
  const id = await loadDemoAway(tdb.db, { now, obligations, away, criteria: settings.qualificationCriteria, handBackReasons: settings.handBackReasons });
  if (id === null) throw new Error('no demo hand-off');
  const elena = await people.findByOid('0f9e8d7c-0000-4000-8000-000000000031');
  const rows = await tdb.db.selectFrom('obligations').selectAll().where('handoff_id', '=', id).orderBy('kind').execute();
  expect(rows.map((r) => [r.kind, r.status, r.next_check_at])).toEqual([
    ['ae_accept', 'open', null],
    ['ae_reply', 'open', null],
  ]);
  // The intro went out Monday 08:00 Rome, before her day; she has been away since 10:00: 1 of the 8 working hours ran,
  // 7 are left; the absence took out Monday 10:00–18:00 and Tuesday 09:00–10:00.
  const hour = 3_600_000;
  expect(rows.map((r) => Number(r.remaining_ms))).toEqual([7 * hour, 7 * hour]);
  expect(rows.map((r) => Number(r.paused_ms))).toEqual([9 * hour, 9 * hour]);

  const service = createHandoffService({
    clock: fixedClock(now),
    handoffs: createHandoffStore(tdb.db),
    followups: createFollowupStore(tdb.db),
    ratings: createRatingStore(tdb.db),
    leads: createLeadStore(tdb.db),
    people,
    criteria: settings.qualificationCriteria,
    handBackReasons: settings.handBackReasons,
    away: { record: () => Promise.reject(new Error('not read here')), spansOf: (userId) => away.spansOf(tdb.db, userId) },
  });
  const sdr = await people.getUser((await tdb.db.selectFrom('handoffs').select('sdr_id').where('id', '=', id).executeTakeFirstOrThrow()).sdr_id);
  if (sdr === undefined || elena === undefined) throw new Error('demo people missing');
  const view = await service.view({ userId: sdr.id, role: 'sdr', teamId: sdr.teamId }, id);
  expect(view.ae.displayName).toBe('Elena Rossi');
  expect(view.aeAway).toEqual({ start: new Date(now.getTime() - 24 * 3_600_000), end: null, source: 'alwaysEnabled' });
  expect(view.obligations.every((o) => o.remainingMs !== null && o.remainingMs > 0)).toBe(true);
  // The reports' drill-down row tells the paused working time.
  const [row] = await createReportStore(tdb.db).handoffsByIds([id], 'all');
  expect(row?.slaPausedMs).toBe(9 * 3_600_000);
});
