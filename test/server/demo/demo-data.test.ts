// The demo data `npm start` loads: the demo tenant's people and 200 leads across the lifecycle, each with an audit
// trail written through the domain's transitions, loaded once.
import path from 'node:path';
import { sql } from 'kysely';
import { loadDemoData } from '../../../server/demo/demo-data';
import { loadSettings } from '../../../server/settings/load-settings';
import { createLeadStore } from '../../../server/store/lead-store';
import { openTestDatabase, type TestDatabase } from '../helpers/database';

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await openTestDatabase();
}, 60_000);
afterAll(() => tdb.close());

const settings = loadSettings({
  qualificationFile: path.resolve('server/settings/qualification.json'),
  handBackReasonsFile: path.resolve('server/settings/hand-back-reasons.json'),
});
const now = new Date('2026-11-24T09:00:00Z');

describe('demo data', () => {
  it('loads two teams, their people and 200 leads in every status, once', async () => {
    const first = await loadDemoData(tdb.db, { now, criteria: settings.qualificationCriteria, handBackReasons: settings.handBackReasons });
    expect(first).toEqual({ users: 10, leads: 200, skipped: false });
    const byStatus = await sql<{ status: string; n: string }>`select status, count(*)::text as n from leads group by status order by status`.execute(tdb.db);
    expect(Object.fromEntries(byStatus.rows.map((r) => [r.status, Number(r.n)]))).toEqual({
      new: 40, working: 40, qualified: 30, suspect: 30, sales_qualified: 25, handed_back: 15, nurture: 10, disqualified: 10,
    });
    const again = await loadDemoData(tdb.db, { now, criteria: settings.qualificationCriteria, handBackReasons: settings.handBackReasons });
    expect(again.skipped).toBe(true);
    expect((await sql<{ n: string }>`select count(*)::text as n from leads`.execute(tdb.db)).rows[0]?.n).toBe('200');
  }, 60_000);

  it('gives Sales Qualified leads to the AE and handed-back leads a reason, with their audit trail', async () => {
    const store = createLeadStore(tdb.db);
    const sq = await tdb.db.selectFrom('leads').selectAll().where('status', '=', 'sales_qualified').limit(1).executeTakeFirstOrThrow();
    expect(sq.owner_id).toBe(sq.ae_id);
    const trail = await store.auditTrail('lead', sq.id);
    expect(trail.map((a) => a.to)).toEqual(['new', 'working', 'qualified', 'suspect', 'sales_qualified']);
    const hb = await tdb.db.selectFrom('leads').selectAll().where('status', '=', 'handed_back').limit(1).executeTakeFirstOrThrow();
    expect(hb.owner_id).toBe(hb.sdr_id);
    expect(settings.handBackReasons.map((r) => r.code)).toContain(hb.hand_back_reason);
    expect(hb.hand_back_text).toBeTruthy();
  });
});
