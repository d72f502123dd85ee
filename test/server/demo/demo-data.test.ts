// The demo data `npm start` loads: the demo tenant's people and 200 leads across the lifecycle, each with an audit
// trail written through the domain's transitions, loaded once; and their history of settled hand-offs, which the
// reports count.
import { demoAwayAeOid } from '../../../server/demo/demo-away';
import path from 'node:path';
import { sql } from 'kysely';
import { loadDemoData } from '../../../server/demo/demo-data';
import { computeReport } from '../../../server/domain/report';
import { loadSettings } from '../../../server/settings/load-settings';
import { createFollowupStore } from '../../../server/store/followup-store';
import { createLeadStore } from '../../../server/store/lead-store';
import { createReportStore } from '../../../server/store/report-store';
import { createRatingStore } from '../../../server/store/rating-store';
import { ratingReport } from '../../../server/domain/rating';
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

describe('demo history', () => {
  it('gives every demo lead past suspect a hand-off, all settled but one overdue reply (the breach mail of the demo), nothing queued to send', async () => {
    const handoffs = await tdb.db.selectFrom('handoffs').select(['lead_id', 'stage', 'outcome']).execute();
    expect(handoffs).toHaveLength(80);
    expect(handoffs.filter((h) => h.outcome === 'sales_qualified')).toHaveLength(25);
    expect(handoffs.filter((h) => h.outcome === 'hand_back')).toHaveLength(25);
    expect(handoffs.filter((h) => h.stage !== 'closed')).toHaveLength(30);
    const open = await tdb.db
      .selectFrom('obligations')
      .innerJoin('handoffs', 'handoffs.id', 'obligations.handoff_id')
      .innerJoin('users', 'users.id', 'handoffs.ae_id')
      .select(['obligations.id', 'users.entra_oid'])
      .where((eb) => eb.or([eb('obligations.status', '<>', 'met'), eb('obligations.next_check_at', 'is not', null)]))
      .execute();
    // One hand-off's AE never replied: the engine's first sweep sends its manager the breach mail with the action links.
    // Not the AE who is away (her clock stands still, so it would never breach).
    expect(open).toHaveLength(1);
    expect(open[0]?.entra_oid).not.toBe(demoAwayAeOid);
    expect(await tdb.db.selectFrom('outbox').select('id').execute()).toEqual([]);
    const gaps = await createFollowupStore(tdb.db).leadsWithoutFutureFollowup(null, now);
    expect(gaps).toEqual([]);
  });

  it('gives a report of the last four weeks with hand-offs, breaches, hand-back reasons, no-shows and successes', async () => {
    const range = { from: new Date(now.getTime() - 28 * 86_400_000), to: now };
    const rows = await createReportStore(tdb.db).rows(range, 'all', ['phone', 'budget']);
    const report = computeReport(rows, range, { checkedFields: ['phone', 'budget'] });
    const f = report.total.current;
    expect(f.handoffs).toBeGreaterThan(20);
    expect(f.acceptance.settled).toBeGreaterThan(0);
    expect(f.acceptance.withinSla).toBeLessThan(f.acceptance.settled);
    expect(f.breaches).toBeGreaterThan(0);
    expect(f.meetings.held).toBeGreaterThan(0);
    expect(f.meetings.noShow).toBeGreaterThan(0);
    expect(f.meetings.rescheduled).toBeGreaterThan(0);
    expect(f.conversion.salesQualified).toBeGreaterThan(0);
    expect(f.conversion.handedBack).toBeGreaterThan(0);
    expect(f.handBackReasons.map((r) => r.code).every((c) => settings.handBackReasons.some((r) => r.code === c))).toBe(true);
    expect(report.byAe.length).toBeGreaterThan(1);
    expect(report.successes.length).toBe(f.successes);
    expect(report.total.previous.handoffs).toBeGreaterThan(0);
  });

  it("gives the dashboard the AEs' ratings: varied scores and ticked fields, by SDR and by source list", async () => {
    const range = { from: new Date(now.getTime() - 28 * 86_400_000), to: now };
    const people = await tdb.db.selectFrom('users').select(['id', 'display_name as displayName']).execute();
    const ratings = ratingReport(await createRatingStore(tdb.db).counts(range, 'all'), people);
    const f = ratings.total.current;
    expect(f.count).toBeGreaterThan(10);
    expect(f.distribution.filter((n) => n > 0).length).toBeGreaterThanOrEqual(4);
    expect(f.fields.length).toBeGreaterThan(2);
    expect(ratings.bySdr.length).toBeGreaterThan(1);
    expect(ratings.bySource.length).toBeGreaterThan(1);
    const averages = ratings.bySource.flatMap((x) => (x.current.average === null ? [] : [x.current.average]));
    expect(Math.max(...averages) - Math.min(...averages)).toBeGreaterThan(0.5);
    expect(ratings.bySdr.some((g) => g.comments.length > 0)).toBe(true);
    expect(ratings.total.previous.count).toBeGreaterThan(0);
    // Every closed hand-off is rated once for its outcome, with its audit line.
    const closed = await tdb.db.selectFrom('handoffs').select('id').where('stage', '=', 'closed').execute();
    const final = await tdb.db.selectFrom('lead_ratings').select('handoff_id').where('outcome', '<>', 'no_show').execute();
    expect(final.map((r) => r.handoff_id).sort()).toEqual(closed.map((r) => r.id).sort());
    const audits = await tdb.db.selectFrom('audit_log').select('id').where('to_state', '=', 'rated').execute();
    expect(audits.length).toBe((await tdb.db.selectFrom('lead_ratings').select('id').execute()).length);
  });
});
