// The weekly report job on the real database: at the team's weekday and hour in its zone the report of the 7 days
// before goes to the outbox once per team-week (runs again, a second instance, and the hour after do not send it
// twice); a disabled team is skipped; a team without a manager is told in the log and sends nothing.
import { Writable } from 'node:stream';
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import { seedPeople, type TestPeople } from '../helpers/people';
import { createLogger } from '../../../server/log';
import { createOutboxStore } from '../../../server/store/outbox-store';
import { createPeopleStore } from '../../../server/store/people-store';
import { createReportStore } from '../../../server/store/report-store';
import { createRatingStore } from '../../../server/store/rating-store';
import { createWeeklyReportJob } from '../../../server/engine/weekly-report';
import { parseReportSettings, type ReportSettings } from '../../../server/domain/report-settings';

let db: TestDatabase;
let people: TestPeople;
let now = new Date('2026-11-23T06:59:00Z');
const logLines: string[] = [];
const logger = createLogger('info', new Writable({ write: (c: Buffer, _e, done) => { logLines.push(c.toString()); done(); } }));

function settings(json: unknown): ReportSettings {
  const parsed = parseReportSettings(json);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  return parsed.value;
}

const schedule = settings({
  default: { weekday: 'monday', hour: 8, recipients: ['sales@baton.example'] },
  teams: { south: { enabled: false } },
  checkedFields: ['phone'],
});

const job = (s = schedule) =>
  createWeeklyReportJob({ db: db.db, reports: createReportStore(db.db), ratings: createRatingStore(db.db), people: createPeopleStore(db.db), outbox: createOutboxStore(db.db), settings: s, handBackReasons: [], now: () => now, logger });

beforeAll(async () => {
  db = await openTestDatabase();
  people = await seedPeople(db.db);
});
afterAll(async () => {
  await db.close();
});

const keys = async () => (await db.db.selectFrom('outbox').select('idempotency_key').orderBy('id').execute()).map((r) => r.idempotency_key);

describe('weekly report job', () => {
  it('queues each team-week once, at the weekday and hour in the team’s zone', async () => {
    const first = job();
    // Monday 07:59 in Berlin: this week's is not due yet, last week's (never sent) is.
    expect(await first.run()).toBe(1);
    expect(await keys()).toEqual(['weekly-report:north:2026-11-16']);
    expect(await first.run()).toBe(0);

    now = new Date('2026-11-23T07:00:00Z');
    expect(await first.run()).toBe(1);
    // Another instance of Baton, and the same one an hour later.
    expect(await job().run()).toBe(0);
    now = new Date('2026-11-23T08:05:00Z');
    expect(await first.run()).toBe(0);
    expect(await keys()).toEqual(['weekly-report:north:2026-11-16', 'weekly-report:north:2026-11-23']);

    const row = await db.db.selectFrom('outbox').select(['mailbox', 'payload', 'kind', 'handoff_id']).where('idempotency_key', '=', 'weekly-report:north:2026-11-23').executeTakeFirstOrThrow();
    const payload = row.payload as { to: { address: string }[]; subject: string };
    expect(row).toMatchObject({ mailbox: people.northManager.entraOid, kind: 'mail', handoff_id: null });
    expect(payload.to.map((t) => t.address)).toEqual([people.northManager.email, 'sales@baton.example']);
    expect(payload.subject).toBe('Hand-off report North: 16–22 November 2026');
  });

  it('tells the log when a team has no manager to send from, and sends nothing for it', async () => {
    await db.reset();
    people = await seedPeople(db.db);
    await createPeopleStore(db.db).updateUser(people.northManager.id, { active: false }, now);
    logLines.length = 0;
    expect(await job(settings({ default: { weekday: 'monday', hour: 8 }, checkedFields: ['phone'] })).run()).toBe(1);
    expect(await keys()).toEqual(['weekly-report:south:2026-11-16']);
    expect(logLines.join('')).toContain('"code":"no_manager"');
  });
});
