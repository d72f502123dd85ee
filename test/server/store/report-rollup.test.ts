// The report's counts kept by the database (migration 010): over a randomized set of hand-offs spread across
// months (with facts dated outside their hand-off's life, blank hand-back texts, several teams), the report from the
// counts equals the report computed from the raw rows for ranges of every shape (whole months, whole days, odd
// hours, less than a day); and the counts follow later changes: an outcome changed, a lead edited, an obligation
// deleted, a follow-up done, a hand-off moved to another AE or deleted, a table emptied.
import { sql } from 'kysely';
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import { seedPeople, type TestPeople } from '../helpers/people';
import { createReportStore, segmentsOf, type ReportStore, type TeamSet } from '../../../server/store/report-store';
import { computeReport, reportOfAggregates, type ReportRange } from '../../../server/domain/report';
import type { LeadFieldName } from '../../../server/domain/lead';
import type { User } from '../../../server/domain/people';
import { withCountsRebuiltAfter } from '../../../server/store/migrations/010-report-rollups';

let db: TestDatabase;
let store: ReportStore;
let people: TestPeople;
const checked: readonly LeadFieldName[] = ['phone', 'budget', 'title', 'country'];

beforeAll(async () => {
  db = await openTestDatabase();
  store = createReportStore(db.db);
});
afterAll(async () => {
  await db.close();
});

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const hour = 3_600_000;
const day = 24 * hour;
const start = Date.parse('2026-09-20T00:00:00Z');
const span = Date.parse('2026-12-10T00:00:00Z') - start;

/** Hand-offs, obligations, stage moves, findings and follow-ups at random instants (each one distinct). */
async function seed(seedValue: number, count: number): Promise<{ handoffs: { id: string; leadId: string }[] }> {
  const rnd = random(seedValue);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;
  let tick = 0;
  /** A random instant near `base`, never equal to another (a unique second offset). */
  const at = (base: number, spread: number): Date => new Date(base + Math.floor(rnd() * spread) + (++tick) * 1000);
  const pairs: [User, User, string][] = [
    [people.sdr1, people.ae1, 'north'],
    [people.sdr1, people.ae2, 'north'],
    [people.sdr2, people.ae2, 'north'],
    [people.southSdr, people.southAe, 'south'],
  ];
  const created: { id: string; leadId: string }[] = [];
  for (let i = 0; i < count; i++) {
    const [sdr, ae, team] = pick(pairs);
    const startedAt = at(start, span);
    const leadCreated = new Date(startedAt.getTime() - Math.floor(rnd() * 20 * day));
    const lead = await db.db
      .insertInto('leads')
      .values({
        team_id: team,
        owner_id: sdr.id,
        sdr_id: sdr.id,
        ae_id: rnd() < 0.9 ? ae.id : null,
        status: rnd() < 0.1 ? 'disqualified' : 'suspect',
        contact_name: `Contact ${String(i)}`,
        title: rnd() < 0.3 ? null : 'COO',
        email: `lead${String(i)}@prospect${String(seedValue)}.example`,
        phone: rnd() < 0.3 ? ' ' : '+4930123',
        company_name: `Prospect ${String(i)}`,
        country: rnd() < 0.2 ? null : 'DE',
        budget: rnd() < 0.4 ? null : '50k',
        source_list: rnd() < 0.2 ? null : pick(['Fair', 'Web', 'List A']),
        created_at: leadCreated,
        updated_at: leadCreated,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const closed = rnd() < 0.7;
    // One in ten closes before its meeting or before it started: facts outside the hand-off's life.
    const closedAt = closed ? at(startedAt.getTime() + (rnd() < 0.1 ? -3 * day : 0), 12 * day) : null;
    const outcome = closed ? pick(['sales_qualified', 'hand_back', 'sales_qualified', 'hand_back', 'no_show']) : null;
    const meeting = rnd() < 0.8 ? at(startedAt.getTime() - (rnd() < 0.1 ? 2 * day : 0), 8 * day) : null;
    const h = await db.db
      .insertInto('handoffs')
      .values({
        lead_id: lead.id,
        team_id: team,
        sdr_id: sdr.id,
        ae_id: ae.id,
        stage: closed ? 'closed' : pick(['accepted', 'meeting_booked', 'intro_sent']),
        stage_changed_at: closedAt ?? startedAt,
        created_at: startedAt,
        outcome,
        meeting_start: meeting,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    created.push({ id: h.id, leadId: lead.id });
    const base = startedAt.getTime();
    if (rnd() < 0.9) {
      const met = rnd() < 0.8;
      const within = met && rnd() < 0.7;
      await db.db
        .insertInto('obligations')
        .values({
          handoff_id: h.id,
          kind: 'ae_accept',
          status: met ? 'met' : 'breached',
          started_at: startedAt,
          due_at: new Date(base + 8 * hour),
          remind_at: new Date(base + 4 * hour),
          second_level_at: new Date(base + 16 * hour),
          met_at: met ? at(base, within ? 8 * hour : 3 * day) : null,
          met_within_sla: met ? within : null,
          time_to_respond_ms: met ? Math.floor(rnd() * 6) * 30 * 60_000 : null,
          breached_at: within ? null : rnd() < 0.8 ? new Date(base + 8 * hour) : null,
        })
        .execute();
    }
    if (rnd() < 0.4) {
      await db.db
        .insertInto('obligations')
        .values({
          handoff_id: h.id,
          kind: 'ae_reply',
          status: 'breached',
          started_at: startedAt,
          due_at: new Date(base + 4 * hour),
          remind_at: new Date(base + 2 * hour),
          second_level_at: new Date(base + 8 * hour),
          breached_at: at(base, 2 * day),
        })
        .execute();
    }
    const audit: { to: string; at: Date; code?: string | null; text?: string | null }[] = [];
    if (rnd() < 0.15) audit.push({ to: 'no_show', at: at(base, 5 * day) });
    if (rnd() < 0.15) audit.push({ to: 'rescheduled', at: at(base, 5 * day) });
    if (rnd() < 0.2) audit.push({ to: 'invite_sent', at: at(base, day) });
    if (closedAt !== null) {
      const code = outcome === 'hand_back' ? pick(['no_budget', 'wrong_fit', 'not_decision_maker']) : outcome;
      audit.push({ to: 'closed', at: closedAt, code: rnd() < 0.1 ? null : code, text: outcome === 'hand_back' ? pick(['Budget frozen', '  ', null, `Said ${String(i)}`]) : null });
    }
    for (const a of audit) {
      await db.db
        .insertInto('audit_log')
        .values({ entity: 'handoff', entity_id: h.id, at: a.at, from_state: 'accepted', to_state: a.to, reason_code: a.code ?? null, reason_text: a.text ?? null })
        .execute();
    }
    if (rnd() < 0.15) await db.db.insertInto('handoff_findings').values({ handoff_id: h.id, kind: pick(['meeting_deleted', 'conflict']), at: at(base, 4 * day), details: '{}' }).execute();
    const followups = Math.floor(rnd() * 3);
    for (let f = 0; f < followups; f++) {
      const createdAt = at(base - day, 20 * day);
      await db.db
        .insertInto('followups')
        .values({
          lead_id: lead.id,
          owner_id: sdr.id,
          created_at: createdAt,
          due_at: at(createdAt.getTime(), 25 * day),
          done_at: rnd() < 0.4 ? at(createdAt.getTime(), 15 * day) : null,
          note: 'Call',
        })
        .execute();
    }
  }
  return { handoffs: created };
}

const r = (from: string, to: string): ReportRange => ({ from: new Date(from), to: new Date(to) });
/** Ranges of every shape: whole months, a year, whole days across a month's end, local midnights, odd minutes, hours. */
const ranges: ReportRange[] = [
  r('2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z'),
  r('2025-12-01T00:00:00Z', '2026-12-01T00:00:00Z'),
  r('2026-10-20T00:00:00Z', '2026-11-09T00:00:00Z'),
  r('2026-10-25T23:00:00Z', '2026-11-15T23:00:00Z'),
  r('2026-09-29T22:00:00Z', '2026-11-30T23:00:00Z'),
  r('2026-10-14T10:37:00Z', '2026-11-02T07:15:00Z'),
  r('2026-11-03T05:00:00Z', '2026-11-03T17:30:00Z'),
  r('2026-10-31T18:30:00Z', '2026-11-01T05:45:00Z'),
];
const teamSets: TeamSet[] = ['all', ['north'], ['south'], []];

async function expectSameReports(rangesToCheck: readonly ReportRange[] = ranges, sets: readonly TeamSet[] = teamSets): Promise<void> {
  for (const range of rangesToCheck) {
    for (const teams of sets) {
      for (const textsPerReason of [20, 1]) {
        const options = { checkedFields: checked, textsPerReason };
        const fromRows = computeReport(await store.rows(range, teams, checked), range, options);
        const fromCounts = reportOfAggregates(await store.aggregates(range, teams, checked, { textsPerReason }), range, options);
        expect({ range, teams, report: fromCounts }).toEqual({ range, teams, report: fromRows });
      }
    }
  }
}

/** The counts equal the facts counted again, and the facts equal those recomputed from the rows. */
async function expectConsistentCounts(): Promise<void> {
  const counts = sql`select bucket, start_date::text as start_date, team_id, sdr_id, ae_id, kind, source, mask, code, value, n::int as n from report_rollup`;
  const kept = await sql`${counts} order by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10`.execute(db.db);
  const recounted = await sql`
    select b.bucket,
           (case b.bucket when 'day' then (f.at at time zone 'UTC')::date else date_trunc('month', f.at at time zone 'UTC')::date end)::text as start_date,
           f.team_id, f.sdr_id, f.ae_id, f.kind, f.source, f.mask, f.code, f.value, count(*)::int as n
    from report_facts f cross join (values ('day'), ('month')) as b(bucket)
    where not f.anomalous
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
    order by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10`.execute(db.db);
  expect(kept.rows).toEqual(recounted.rows);
  const facts = sql`select handoff_id, lead_id, team_id, sdr_id, ae_id, kind, at, source, mask, code, txt, value, anomalous from report_facts
    order by lead_id, handoff_id, kind, at, code, txt, value`;
  const before = await facts.execute(db.db);
  await sql`select report_refresh_handoffs(array(select id from handoffs))`.execute(db.db);
  await sql`select report_refresh_gaps(array(select id from leads))`.execute(db.db);
  expect((await facts.execute(db.db)).rows).toEqual(before.rows);
  expect((await sql`${counts} order by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10`.execute(db.db)).rows).toEqual(kept.rows);
}

describe('report counts kept by the database', () => {
  let seeded: { handoffs: { id: string; leadId: string }[] };

  beforeAll(async () => {
    await db.reset();
    people = await seedPeople(db.db);
    seeded = await seed(7, 90);
  });

  it('cuts a range into whole months, whole days and the hours at its ends', () => {
    expect(segmentsOf(new Date('2026-10-25T23:00:00Z'), new Date('2026-12-02T05:00:00Z'))).toEqual([
      { bucket: 'fact', from: new Date('2026-10-25T23:00:00Z'), to: new Date('2026-10-26T00:00:00Z') },
      { bucket: 'fact', from: new Date('2026-12-02T00:00:00Z'), to: new Date('2026-12-02T05:00:00Z') },
      { bucket: 'month', from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-12-01T00:00:00Z') },
      { bucket: 'day', from: new Date('2026-10-26T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z') },
      { bucket: 'day', from: new Date('2026-12-01T00:00:00Z'), to: new Date('2026-12-02T00:00:00Z') },
    ]);
    expect(segmentsOf(new Date('2026-11-03T05:00:00Z'), new Date('2026-11-03T17:00:00Z'))).toEqual([
      { bucket: 'fact', from: new Date('2026-11-03T05:00:00Z'), to: new Date('2026-11-03T17:00:00Z') },
    ]);
  });

  it('gives the same report from its counts as from the raw rows, for every range and set of teams', async () => {
    const facts = await sql<{ n: number; anomalous: number }>`select count(*)::int as n, (count(*) filter (where anomalous))::int as anomalous from report_facts`.execute(db.db);
    // The data set has facts of every kind, and some outside their hand-off's life.
    expect(facts.rows[0]?.anomalous).toBeGreaterThan(0);
    const kinds = await sql<{ kind: string }>`select distinct kind from report_facts order by kind`.execute(db.db);
    expect(kinds.rows.map((k) => k.kind)).toEqual(
      ['accept_time', 'accepted_late', 'accepted_within_sla', 'breaches', 'cancelled', 'gap_end', 'gap_start', 'handed_back', 'handoffs', 'meetings_held', 'no_show', 'rescheduled', 'sales_qualified'],
    );
    await expectSameReports();
    await expectConsistentCounts();
  });

  it('follows later changes: outcomes, leads, obligations, follow-ups, a new AE, deletions', async () => {
    const [a, b, c, d, e] = seeded.handoffs;
    if (a === undefined || b === undefined || c === undefined || d === undefined || e === undefined) throw new Error('seed made too few hand-offs');
    const month = [r('2026-10-01T00:00:00Z', '2026-12-01T00:00:00Z'), r('2026-10-14T10:37:00Z', '2026-11-22T07:15:00Z')];
    const before = reportOfAggregates(await store.aggregates(month[0] as ReportRange, 'all', checked), month[0] as ReportRange, { checkedFields: checked });

    // An outcome changed later, and a hand-off closed again at another instant.
    await db.db.updateTable('handoffs').set({ stage: 'closed', outcome: 'sales_qualified', stage_changed_at: new Date('2026-11-10T12:00:00Z') }).where('id', '=', a.id).execute();
    await db.db.updateTable('handoffs').set({ outcome: 'hand_back' }).where('outcome', '=', 'sales_qualified').where('id', '<>', a.id).where('created_at', '<', new Date('2026-10-15T00:00:00Z')).execute();
    await expectSameReports(month, ['all', ['north']]);
    const after = reportOfAggregates(await store.aggregates(month[0] as ReportRange, 'all', checked), month[0] as ReportRange, { checkedFields: checked });
    expect(after).not.toEqual(before);

    // The lead edited: another source list, a phone number given, another creation date.
    await sql`update leads set source_list = 'Partner', phone = '+4930999', created_at = ${new Date('2026-09-01T00:00:00Z')} where id in (${a.leadId}, ${b.leadId})`.execute(db.db);
    // An obligation deleted, another met within the SLA after all.
    await db.db.deleteFrom('obligations').where('handoff_id', '=', b.id).execute();
    await db.db.updateTable('obligations').set({ met_at: new Date('2026-10-20T09:00:00Z'), met_within_sla: true, breached_at: null, time_to_respond_ms: 1_800_000 }).where('handoff_id', '=', c.id).execute();
    // A follow-up done, one added, the lead disqualified.
    await db.db.updateTable('followups').set({ done_at: new Date('2026-10-30T08:00:00Z') }).where('lead_id', '=', c.leadId).execute();
    await db.db.insertInto('followups').values({ lead_id: d.leadId, owner_id: people.sdr1.id, created_at: new Date('2026-10-02T08:00:00Z'), due_at: new Date('2027-01-10T08:00:00Z'), note: 'Later' }).execute();
    await db.db.updateTable('leads').set({ status: 'disqualified' }).where('id', '=', e.leadId).execute();
    await expectSameReports(month, ['all', ['north'], ['south']]);

    // Moved to another AE and another team; a stage move and a finding deleted; a hand-off deleted with its rows.
    await db.db.updateTable('handoffs').set({ ae_id: people.southAe.id, team_id: 'south' }).where('id', '=', d.id).execute();
    await db.db.deleteFrom('audit_log').where('entity_id', '=', e.id).execute();
    await db.db.deleteFrom('handoff_findings').where('handoff_id', 'in', [c.id, d.id, e.id]).execute();
    for (const table of ['obligations', 'handoff_findings'] as const) await db.db.deleteFrom(table).where('handoff_id', '=', e.id).execute();
    await db.db.deleteFrom('lead_ratings').where('handoff_id', '=', e.id).execute();
    await db.db.deleteFrom('action_tokens').where('handoff_id', '=', e.id).execute();
    await db.db.deleteFrom('handoff_events').where('handoff_id', '=', e.id).execute();
    await db.db.deleteFrom('handoffs').where('id', '=', e.id).execute();
    await expectSameReports(month, ['all', ['north'], ['south']]);
    await expectConsistentCounts();
    expect((await sql<{ n: number }>`select count(*)::int as n from report_facts where handoff_id = ${e.id}`.execute(db.db)).rows[0]?.n).toBe(0);
    expect((await sql<{ n: number }>`select count(*)::int as n from report_rollup where n = 0`.execute(db.db)).rows[0]?.n).toBe(0);
  });

  it('follows writes made with the foreign-key triggers off (the lead import), and a bulk load counted once after it', async () => {
    const month = [r('2026-10-01T00:00:00Z', '2026-12-01T00:00:00Z')];
    const [, , , , , f, g] = seeded.handoffs;
    if (f === undefined || g === undefined) throw new Error('seed made too few hand-offs');
    await db.db.transaction().execute(async (trx) => {
      await sql`set local session_replication_role = replica`.execute(trx);
      await sql`update leads set source_list = 'Imported', phone = null where id = ${f.leadId}`.execute(trx);
    });
    await expectSameReports(month, ['all']);
    await expectConsistentCounts();
    expect((await sql<{ n: number }>`select count(*)::int as n from report_facts where lead_id = ${f.leadId} and source = 'Imported'`.execute(db.db)).rows[0]?.n).toBe(1);

    await withCountsRebuiltAfter(db.db, async () => {
      await sql`update leads set source_list = 'Bulk-loaded list' where id = ${g.leadId}`.execute(db.db);
      // While the load runs the counts do not follow...
      expect((await sql<{ n: number }>`select count(*)::int as n from report_facts where source = 'Bulk-loaded list'`.execute(db.db)).rows[0]?.n).toBe(0);
    });
    // ...and after it they are whole again, with the triggers back on.
    expect((await sql<{ n: number }>`select count(*)::int as n from report_facts where source = 'Bulk-loaded list'`.execute(db.db)).rows[0]?.n).toBe(1);
    await sql`update leads set source_list = 'Bulk-loaded list, edited' where id = ${g.leadId}`.execute(db.db);
    expect((await sql<{ n: number }>`select count(*)::int as n from report_facts where source = 'Bulk-loaded list, edited'`.execute(db.db)).rows[0]?.n).toBe(1);
    await expectSameReports(month, ['all']);
    await expectConsistentCounts();
  });

  it('starts again from nothing when the tables are emptied', async () => {
    await db.reset();
    expect((await sql<{ n: number }>`select ((select count(*) from report_facts) + (select count(*) from report_rollup))::int as n`.execute(db.db)).rows[0]?.n).toBe(0);
    people = await seedPeople(db.db);
    await seed(11, 30);
    await expectSameReports(ranges.slice(0, 3), ['all']);
  });
});
