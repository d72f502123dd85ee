// Benchmark: the report of one year for 50 reps (25 SDRs paired with 25 AEs) on the embedded database, about 100,000
// hand-offs spread over the year with their leads, both SLA obligations (some breached, some met late), closings
// (Sales Qualified or handed back with a reason), no-shows, reschedules, cancelled meetings and follow-ups. Bulk
// rows go in set-based (generate_series). Measured: the real report store counting the year (and the year before,
// empty) per period and group in the database plus the pure computation from those counts, as GET /api/reports does
// (the newest 200 successes); best and median of 5 runs after one warm run. Goal: ≤ 1 s. Imports: the server's
// store and domain, kysely.
import { sql } from 'kysely';
import { reportOfAggregates } from '../../server/domain/report';
import type { LeadFieldName } from '../../server/domain/lead';
import { migrateToLatest, openDatabase, type Db } from '../../server/store/database';
import { createPeopleStore } from '../../server/store/people-store';
import { createReportStore } from '../../server/store/report-store';
import { withCountsRebuiltAfter } from '../../server/store/migrations/010-report-rollups';

const HANDOFFS = Number(process.env['BENCH_REPORT_HANDOFFS'] ?? 100_000);
const REPS = 50;
const RUNS = 5;
const yearEnd = new Date('2026-11-23T00:00:00Z');
const yearStart = new Date(yearEnd.getTime() - 365 * 86_400_000);
/** A data folder kept between runs (the load takes about a minute); unset: a throwaway in-memory database. */
const DATA_DIR = process.env['BENCH_REPORT_DATA_DIR'];
const checkedFields: LeadFieldName[] = ['title', 'phone', 'employeeCount', 'country', 'needs', 'budget', 'decisionMaker'];

/** The year of rows: people, leads, hand-offs, obligations, audit lines, findings and follow-ups. */
async function load(db: Db): Promise<void> {
  const people = createPeopleStore(db);
  await people.upsertTeam({ id: 'emea', name: 'EMEA', timeZone: 'Europe/Berlin', pairingMode: 'one_to_one' });
  const mk = (key: string, role: 'sdr' | 'ae') =>
    people.createUser(
      { entraOid: `oid-${key}`, tenantId: 'bench', email: `${key}@baton.example`, displayName: key, role, teamId: 'emea', managerId: null, backupId: null, timeZone: 'Europe/Berlin' },
      yearStart,
    );
  const sdrs: string[] = [];
  const aes: string[] = [];
  for (let i = 0; i < REPS / 2; i++) {
    sdrs.push((await mk(`sdr${String(i)}`, 'sdr')).id);
    aes.push((await mk(`ae${String(i)}`, 'ae')).id);
  }
  const t0 = performance.now();
  const sdrIds = sql.val(sdrs);
  const aeIds = sql.val(aes);
  const span = yearEnd.getTime() - yearStart.getTime();
  const CHUNK = 20_000;
  for (let from = 1; from <= HANDOFFS; from += CHUNK) {
    const to = Math.min(HANDOFFS, from + CHUNK - 1);
    // Lead i is handed off at start + i/N of the year; its pair is i % 25 (1:1 pairing).
    await sql`
      insert into leads (team_id, owner_id, sdr_id, ae_id, status, contact_name, title, email, phone, company_name, employee_count, country,
                         needs, budget, decision_maker, source_list, created_at, updated_at)
      select 'emea', (${sdrIds}::uuid[])[1 + i % 25], (${sdrIds}::uuid[])[1 + i % 25], (${aeIds}::uuid[])[1 + i % 25],
             case when i % 10 < 6 then 'sales_qualified' when i % 10 < 9 then 'handed_back' else 'suspect' end,
             'Contact ' || i, case when i % 7 = 0 then null else 'COO' end, 'lead' || i || '@prospect.example',
             case when i % 5 = 0 then null else '+4930' || i end, 'Prospect ' || i, 100 + i % 900, 'DE',
             'Plant schedules in spreadsheets', case when i % 3 = 0 then null else '50k EUR' end, i % 4 <> 0,
             'List ' || (i % 8), x.at - interval '12 days', x.at
      from generate_series(${from}::int, ${to}::int) as i,
           lateral (select to_timestamp((${yearStart.getTime()}::float8 + i::float8 * ${span / HANDOFFS}::float8) / 1000) as at) as x`.execute(db);
  }
  await sql`
    insert into handoffs (lead_id, team_id, sdr_id, ae_id, stage, stage_changed_at, created_at, intro_sent_at, meeting_start, meeting_end, outcome)
    select id, team_id, sdr_id, ae_id,
           case when status = 'suspect' then 'accepted' else 'closed' end,
           case when status = 'suspect' then updated_at + interval '1 day' else updated_at + interval '4 days' end,
           updated_at, updated_at + interval '10 minutes', updated_at + interval '3 days', updated_at + interval '3 days 30 minutes',
           case status when 'sales_qualified' then 'sales_qualified' when 'handed_back' then 'hand_back' end
    from leads`.execute(db);
  // Both obligations: one in six accepts breached (then met late), one in nine replies breached.
  await sql`
    with h as (select id, created_at, row_number() over (order by created_at) as n from handoffs)
    insert into obligations (handoff_id, kind, status, started_at, due_at, remind_at, second_level_at, breached_at, met_at, time_to_respond_ms, met_within_sla)
    select id, k.kind, 'met', created_at, created_at + interval '8 hours', created_at + interval '4 hours', created_at + interval '16 hours',
           case when late then created_at + interval '8 hours' end,
           created_at + case when late then interval '20 hours' else interval '3 hours' end,
           case when late then 72000000 else 10800000 end, not late
    from h, lateral (values ('ae_accept', n % 6 = 0), ('ae_reply', n % 9 = 0)) as k(kind, late)`.execute(db);
  await sql`
    insert into audit_log (entity, entity_id, at, from_state, to_state, reason_code, reason_text)
    select 'handoff', h.id, h.stage_changed_at, 'accepted', 'closed',
           case when h.outcome = 'hand_back' then (array['no_budget', 'not_decision_maker', 'wrong_fit'])[1 + abs(hashtext(h.id::text)) % 3] else h.outcome end,
           case when h.outcome = 'hand_back' then 'Budget frozen until next year.' end
    from handoffs h where h.stage = 'closed'`.execute(db);
  await sql`
    insert into audit_log (entity, entity_id, at, from_state, to_state)
    select 'handoff', id, created_at + interval '3 days 1 hour', 'accepted', case when n % 2 = 0 then 'no_show' else 'rescheduled' end
    from (select id, created_at, row_number() over (order by created_at) as n from handoffs) x where n % 25 = 0`.execute(db);
  await sql`
    insert into handoff_findings (handoff_id, kind, at, details)
    select id, 'meeting_deleted', created_at + interval '2 days', '{}'::jsonb
    from (select id, created_at, row_number() over (order by created_at) as n from handoffs) x where n % 40 = 0`.execute(db);
  await sql`
    insert into followups (lead_id, owner_id, due_at, note, created_at, done_at)
    select l.id, l.owner_id, l.updated_at + interval '30 days', 'Check in', l.updated_at,
           case when row_number() over (order by l.id) % 3 = 0 then l.updated_at + interval '10 days' end
    from leads l`.execute(db);
  await sql`analyze`.execute(db);
  const loadS = (performance.now() - t0) / 1000;
  const counts = await sql<{ handoffs: string; obligations: string }>`
    select (select count(*) from handoffs)::text as handoffs, (select count(*) from obligations)::text as obligations`.execute(db);
  console.log(`loaded ${counts.rows[0]?.handoffs ?? '?'} hand-offs, ${counts.rows[0]?.obligations ?? '?'} obligations in ${loadS.toFixed(1)} s`);
}

async function main(): Promise<void> {
  const opened = await openDatabase({ dataDir: DATA_DIR });
  const db = opened.db;
  try {
    await migrateToLatest(db);
    const loaded = await sql<{ n: string }>`select count(*)::text as n from handoffs`.execute(db);
    if (loaded.rows[0]?.n === '0') {
      const t = performance.now();
      await withCountsRebuiltAfter(db, () => load(db));
      console.log(`counted in ${((performance.now() - t) / 1000).toFixed(1)} s (load and the counts computed once)`);
    }
    const store = createReportStore(db);
    const range = { from: yearStart, to: yearEnd };
    const once = async () => {
      const t = performance.now();
      const aggregates = await store.aggregates(range, ['emea'], checkedFields, { successes: 200 });
      const read = performance.now() - t;
      const report = reportOfAggregates(aggregates, range, { checkedFields });
      return { total: performance.now() - t, read, report };
    };
    const warm = await once();
    const times: number[] = [];
    const reads: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await once();
      times.push(r.total);
      reads.push(r.read);
    }
    console.log(`runs (s, in order): ${times.map((t) => (t / 1000).toFixed(3)).join(', ')}`);
    times.sort((a, b) => a - b);
    reads.sort((a, b) => a - b);
    const f = warm.report.total.current;
    console.log(
      `report of the year: ${String(f.handoffs)} hand-offs, ${String(f.breaches)} breaches, acceptance within SLA ${String(f.acceptance.share)}, ` +
        `${String(f.conversion.salesQualified)} Sales Qualified, ${String(warm.report.byPair.length)} pairs; counting in the database ${(reads[Math.floor(RUNS / 2)] ?? 0).toFixed(0)} ms of it`,
    );
    console.log(`bench: report_year_50_reps_best = ${((times[0] ?? 0) / 1000).toFixed(3)} s`);
    console.log(`bench: report_year_50_reps_median = ${((times[Math.floor(RUNS / 2)] ?? 0) / 1000).toFixed(3)} s (goal ≤ 1 s)`);
  } finally {
    await opened.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
