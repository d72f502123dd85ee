// Migration 010: the report's facts kept by the database, so the report of a year sums a few thousand counts instead
// of scanning its hand-offs (issue 7). Two tables, kept up to date by triggers on every table a figure reads (every
// write path keeps them right without knowing of them), and filled from the existing rows here:
// - report_facts: one row per countable fact of a hand-off (started, meeting held, Sales Qualified, breach, acceptance
//   settled, time to accept, no-show, rescheduled, handed back, meeting cancelled), with the instant that decides its
//   period, its pair and what the figures need (source list, missing-field bits, reason, value); and, per lead, the
//   instants its "no future follow-up" spans start and end. A fact dated before its hand-off started or after it
//   closed is kept here only ("anomalous"): the report checks those against its range one by one.
// - report_rollup: the facts counted per UTC day and per UTC month, pair, kind and what the figures group by.
// A change to a hand-off (or its lead, obligations, stage moves, findings, follow-ups) recomputes that hand-off's
// facts (or that lead's spans): the old ones are subtracted from the counts and the new ones added, in the same
// transaction; counts are written in key order (concurrent writers lock them in the same order). Plain SQL and
// plpgsql: PostgreSQL 15 and PGlite alike. Imports: kysely.
import { sql, type Kysely } from 'kysely';

/** The kinds of facts of a hand-off and of a lead's follow-up spans (report_facts.kind). */
export const reportFactKinds = [
  'handoffs',
  'meetings_held',
  'sales_qualified',
  'breaches',
  'accepted_within_sla',
  'accepted_late',
  'accept_time',
  'no_show',
  'rescheduled',
  'handed_back',
  'cancelled',
  'gap_start',
  'gap_end',
] as const;

const refreshHandoffs = sql`
create function report_refresh_handoffs(ids uuid[]) returns void language plpgsql as $fn$
begin
  if coalesce(cardinality(ids), 0) = 0 then
    return;
  end if;
  -- The hand-offs' old facts out of the counts.
  with gone as (
    delete from report_facts f using (select distinct x.id from unnest(ids) as x(id)) i
    where f.handoff_id = i.id
    returning f.*
  )
  insert into report_rollup as r (bucket, start_date, team_id, sdr_id, ae_id, kind, source, mask, code, value, n)
  select b.bucket,
         case b.bucket when 'day' then (g.at at time zone 'UTC')::date else date_trunc('month', g.at at time zone 'UTC')::date end,
         g.team_id, g.sdr_id, g.ae_id, g.kind, g.source, g.mask, g.code, g.value, -count(*)
  from gone g cross join (values ('day'), ('month')) as b(bucket)
  where not g.anomalous
  group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
  order by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
  on conflict (bucket, start_date, team_id, sdr_id, ae_id, kind, source, mask, code, value) do update set n = r.n + excluded.n;

  -- Their facts as the rows now stand.
  with h as (
    select h.id, h.lead_id, h.team_id, h.sdr_id, h.ae_id, h.created_at, h.outcome,
           case when h.stage = 'closed' then h.stage_changed_at end as closed_at,
           coalesce(h.meeting_start, h.slot_start) as meeting_at,
           l.source_list, l.missing_fields, l.created_at as lead_created_at
    from handoffs h join leads l on l.id = h.lead_id
    where h.id in (select x.id from unnest(ids) as x(id))
  ),
  facts as (
    select h.id, 'handoffs'::text as kind, h.created_at as at, h.source_list as source, h.missing_fields as mask,
           null::text as code, null::text as txt, null::float8 as value
    from h
    union all
    select h.id, 'meetings_held', h.meeting_at, null, null, null, null, null
    from h
    where h.meeting_at is not null and h.closed_at is not null and h.outcome in ('sales_qualified', 'hand_back') and h.closed_at >= h.meeting_at
    union all
    select h.id, 'sales_qualified', h.closed_at, null, null, null, null,
           date_part('epoch', h.closed_at) - date_part('epoch', h.lead_created_at)
    from h
    where h.closed_at is not null and h.outcome = 'sales_qualified'
    union all
    select h.id, 'breaches', o.breached_at, null, null, null, null, null
    from h join obligations o on o.handoff_id = h.id
    where o.breached_at is not null
    union all
    -- Settled: when met within the SLA, else when its deadline passed (breach) or, unswept, when it was met late.
    select h.id,
           case when o.met_at is not null and o.met_within_sla is true then 'accepted_within_sla' else 'accepted_late' end,
           case when o.met_at is not null and o.met_within_sla is true then o.met_at else coalesce(o.breached_at, o.met_at) end,
           null, null, null, null, null
    from h join obligations o on o.handoff_id = h.id
    where o.kind = 'ae_accept' and coalesce(o.breached_at, o.met_at) is not null
    union all
    select h.id, 'accept_time', o.met_at, null, null, null, null, o.time_to_respond_ms::float8
    from h join obligations o on o.handoff_id = h.id
    where o.kind = 'ae_accept' and o.met_at is not null and o.time_to_respond_ms is not null
    union all
    select h.id, a.to_state, a.at, null, null, null, null, null
    from h join audit_log a on a.entity = 'handoff' and a.entity_id = h.id
    where a.to_state in ('no_show', 'rescheduled')
    union all
    select h.id, 'handed_back', a.at, null, null, a.reason_code, a.reason_text, null
    from h join audit_log a on a.entity = 'handoff' and a.entity_id = h.id
    where a.to_state = 'closed' and h.outcome = 'hand_back' and a.reason_code is not null
    union all
    select h.id, 'cancelled', f.at, null, null, null, null, null
    from h join handoff_findings f on f.handoff_id = h.id
    where f.kind = 'meeting_deleted'
  ),
  added as (
    insert into report_facts (handoff_id, lead_id, team_id, sdr_id, ae_id, kind, at, source, mask, code, txt, value, anomalous, handoff_created_at, handoff_closed_at)
    select h.id, h.lead_id, h.team_id, h.sdr_id, h.ae_id, f.kind, f.at, f.source, f.mask, f.code, f.txt, f.value,
           f.at < h.created_at or (h.closed_at is not null and f.at > h.closed_at), h.created_at, h.closed_at
    from facts f join h on h.id = f.id
    returning *
  )
  insert into report_rollup as r (bucket, start_date, team_id, sdr_id, ae_id, kind, source, mask, code, value, n)
  select b.bucket,
         case b.bucket when 'day' then (g.at at time zone 'UTC')::date else date_trunc('month', g.at at time zone 'UTC')::date end,
         g.team_id, g.sdr_id, g.ae_id, g.kind, g.source, g.mask, g.code, g.value, count(*)
  from added g cross join (values ('day'), ('month')) as b(bucket)
  where not g.anomalous
  group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
  order by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
  on conflict (bucket, start_date, team_id, sdr_id, ae_id, kind, source, mask, code, value) do update set n = r.n + excluded.n;

  delete from report_rollup where n = 0;
end
$fn$`;

// A lead is without a future follow-up at t when it is not disqualified, was handed off before t, and no follow-up
// was open at t (created at or before it, not done by it) and due after it. Follow-up f covers [created, least(done,
// due)); the spans are the instants after the first hand-off that no follow-up covers.
const refreshGaps = sql`
create function report_refresh_gaps(ids uuid[]) returns void language plpgsql as $fn$
begin
  if coalesce(cardinality(ids), 0) = 0 then
    return;
  end if;
  with gone as (
    delete from report_facts f using (select distinct x.id from unnest(ids) as x(id)) i
    where f.handoff_id is null and f.lead_id = i.id
    returning f.*
  )
  insert into report_rollup as r (bucket, start_date, team_id, sdr_id, ae_id, kind, source, mask, code, value, n)
  select b.bucket,
         case b.bucket when 'day' then (g.at at time zone 'UTC')::date else date_trunc('month', g.at at time zone 'UTC')::date end,
         g.team_id, g.sdr_id, g.ae_id, g.kind, null::text, null::int, null::text, null::float8, -count(*)
  from gone g cross join (values ('day'), ('month')) as b(bucket)
  group by 1, 2, 3, 4, 5, 6
  order by 1, 2, 3, 4, 5, 6
  on conflict (bucket, start_date, team_id, sdr_id, ae_id, kind, source, mask, code, value) do update set n = r.n + excluded.n;

  with l as (
    select l.id, l.team_id, l.sdr_id, l.ae_id from leads l
    where l.id in (select x.id from unnest(ids) as x(id)) and l.status <> 'disqualified'
  ),
  first_handoff as (
    -- The first instant after the first hand-off (timestamps count microseconds).
    select h.lead_id, min(h.created_at) + interval '1 microsecond' as s
    from handoffs h join l on l.id = h.lead_id
    group by h.lead_id
  ),
  covered as (
    select f.lead_id, greatest(f.created_at, fh.s) as cs, least(coalesce(f.done_at, 'infinity'::timestamptz), f.due_at) as ce
    from followups f join first_handoff fh on fh.lead_id = f.lead_id
    where least(coalesce(f.done_at, 'infinity'::timestamptz), f.due_at) > greatest(f.created_at, fh.s)
  ),
  ordered as (
    select c.*, max(c.ce) over (partition by c.lead_id order by c.cs, c.ce rows between unbounded preceding and 1 preceding) as reach
    from covered c
  ),
  islands as (
    select o.*, sum(case when o.reach is null or o.cs > o.reach then 1 else 0 end) over (partition by o.lead_id order by o.cs, o.ce rows unbounded preceding) as island
    from ordered o
  ),
  merged as (
    select i.lead_id, min(i.cs) as ms, max(i.ce) as me from islands i group by i.lead_id, i.island
  ),
  spans as (
    -- From the first instant after the first hand-off to the first covered instant, and from the end of each
    -- covered stretch to the start of the next (the stretches start at or after the first instant).
    select fh.lead_id, fh.s as gs, m.first_ms as ge
    from first_handoff fh left join (select lead_id, min(ms) as first_ms from merged group by lead_id) m on m.lead_id = fh.lead_id
    union all
    select n.lead_id, n.me, n.next_ms
    from (select m.lead_id, m.me, lead(m.ms) over (partition by m.lead_id order by m.ms) as next_ms from merged m) n
    where n.me < 'infinity'::timestamptz
  ),
  events as (
    select s.lead_id, 'gap_start'::text as kind, s.gs as at from spans s where s.ge is null or s.ge > s.gs
    union all
    select s.lead_id, 'gap_end', s.ge from spans s where s.ge is not null and s.ge > s.gs
  ),
  added as (
    insert into report_facts (handoff_id, lead_id, team_id, sdr_id, ae_id, kind, at, anomalous)
    select null, l.id, l.team_id, l.sdr_id, l.ae_id, e.kind, e.at, false
    from events e join l on l.id = e.lead_id
    returning *
  )
  insert into report_rollup as r (bucket, start_date, team_id, sdr_id, ae_id, kind, source, mask, code, value, n)
  select b.bucket,
         case b.bucket when 'day' then (g.at at time zone 'UTC')::date else date_trunc('month', g.at at time zone 'UTC')::date end,
         g.team_id, g.sdr_id, g.ae_id, g.kind, null::text, null::int, null::text, null::float8, count(*)
  from added g cross join (values ('day'), ('month')) as b(bucket)
  group by 1, 2, 3, 4, 5, 6
  order by 1, 2, 3, 4, 5, 6
  on conflict (bucket, start_date, team_id, sdr_id, ae_id, kind, source, mask, code, value) do update set n = r.n + excluded.n;

  delete from report_rollup where n = 0;
end
$fn$`;

/** Statement triggers: the ids each changed table names, from its transition tables. */
const triggerFunctions = [
  sql`
create function report_on_handoffs() returns trigger language plpgsql as $fn$
begin
  if tg_op = 'INSERT' then
    perform report_refresh_handoffs(array(select id from new_rows));
    perform report_refresh_gaps(array(select lead_id from new_rows));
  elsif tg_op = 'UPDATE' then
    perform report_refresh_handoffs(array(select id from new_rows union select id from old_rows));
    perform report_refresh_gaps(array(select lead_id from new_rows union select lead_id from old_rows));
  else
    perform report_refresh_handoffs(array(select id from old_rows));
    perform report_refresh_gaps(array(select lead_id from old_rows));
  end if;
  return null;
end
$fn$`,
  sql`
create function report_on_leads() returns trigger language plpgsql as $fn$
begin
  -- A new lead has no hand-off yet.
  if tg_op = 'UPDATE' then
    perform report_refresh_handoffs(array(select h.id from handoffs h join new_rows n on n.id = h.lead_id));
    perform report_refresh_gaps(array(select id from new_rows));
  elsif tg_op = 'DELETE' then
    perform report_refresh_gaps(array(select id from old_rows));
  end if;
  return null;
end
$fn$`,
  sql`
create function report_on_handoff_child() returns trigger language plpgsql as $fn$
begin
  if tg_op = 'INSERT' then
    perform report_refresh_handoffs(array(select handoff_id from new_rows));
  elsif tg_op = 'UPDATE' then
    perform report_refresh_handoffs(array(select handoff_id from new_rows union select handoff_id from old_rows));
  else
    perform report_refresh_handoffs(array(select handoff_id from old_rows));
  end if;
  return null;
end
$fn$`,
  sql`
create function report_on_audit() returns trigger language plpgsql as $fn$
begin
  if tg_op = 'INSERT' then
    perform report_refresh_handoffs(array(select entity_id from new_rows where entity = 'handoff'));
  elsif tg_op = 'UPDATE' then
    perform report_refresh_handoffs(array(select entity_id from new_rows where entity = 'handoff' union select entity_id from old_rows where entity = 'handoff'));
  else
    perform report_refresh_handoffs(array(select entity_id from old_rows where entity = 'handoff'));
  end if;
  return null;
end
$fn$`,
  sql`
create function report_on_followups() returns trigger language plpgsql as $fn$
begin
  if tg_op = 'INSERT' then
    perform report_refresh_gaps(array(select lead_id from new_rows));
  elsif tg_op = 'UPDATE' then
    perform report_refresh_gaps(array(select lead_id from new_rows union select lead_id from old_rows));
  else
    perform report_refresh_gaps(array(select lead_id from old_rows));
  end if;
  return null;
end
$fn$`,
  sql`
create function report_rebuild() returns trigger language plpgsql as $fn$
begin
  truncate report_facts, report_rollup;
  perform report_refresh_handoffs(array(select id from handoffs));
  perform report_refresh_gaps(array(select id from leads));
  return null;
end
$fn$`,
];

/** [table, trigger function] pairs: one trigger per event (a trigger with transition tables takes one event). */
export const watched = [
  ['handoffs', 'report_on_handoffs'],
  ['leads', 'report_on_leads'],
  ['obligations', 'report_on_handoff_child'],
  ['handoff_findings', 'report_on_handoff_child'],
  ['audit_log', 'report_on_audit'],
  ['followups', 'report_on_followups'],
] as const;

/** The events each watched table has a report trigger for, named `<table>_report_<event>`. */
const triggerEvents = ['insert', 'update', 'delete', 'truncate'] as const;

/**
 * For a bulk load (a benchmark's year of rows): the counting triggers off while `load` writes, then every count
 * computed once from the rows, as the migration does. Set-based recounting per statement would redo the same
 * hand-offs once per table loaded.
 */
export async function withCountsRebuiltAfter<DB>(db: Kysely<DB>, load: () => Promise<void>): Promise<void> {
  for (const [table] of watched) await sql`alter table ${sql.table(table)} disable trigger user`.execute(db);
  try {
    await load();
  } finally {
    // The report triggers there are now (a later migration dropped the one on inserting leads).
    const { rows } = await sql<{ table: string; trigger: string }>`
      select c.relname as table, t.tgname as trigger from pg_trigger t join pg_class c on c.oid = t.tgrelid
      where c.relnamespace = current_schema()::regnamespace
        and t.tgname = any(${watched.flatMap(([table]) => triggerEvents.map((event) => `${table}_report_${event}`))})`.execute(db);
    for (const { table, trigger } of rows) await sql`alter table ${sql.table(table)} enable always trigger ${sql.id(trigger)}`.execute(db);
  }
  await sql`truncate report_facts, report_rollup`.execute(db);
  await sql`select report_refresh_handoffs(array(select id from handoffs))`.execute(db);
  await sql`select report_refresh_gaps(array(select id from leads))`.execute(db);
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table report_facts (
      id bigint generated always as identity primary key,
      handoff_id uuid,
      lead_id uuid not null,
      team_id text not null,
      sdr_id uuid not null,
      ae_id uuid,
      kind text not null,
      at timestamptz not null,
      source text,
      mask integer,
      code text,
      txt text,
      value float8,
      anomalous boolean not null,
      handoff_created_at timestamptz,
      handoff_closed_at timestamptz
    )`.execute(db);
  await sql`create index report_facts_handoff on report_facts (handoff_id) where handoff_id is not null`.execute(db);
  await sql`create index report_facts_lead on report_facts (lead_id) where handoff_id is null`.execute(db);
  await sql`create index report_facts_at on report_facts (at)`.execute(db);
  await sql`create index report_facts_anomalous on report_facts (at) where anomalous`.execute(db);
  await sql`create index report_facts_kind_at on report_facts (kind, at)`.execute(db);
  await sql`create index report_facts_texts on report_facts (team_id, sdr_id, ae_id, code, at) where kind = 'handed_back'`.execute(db);
  await sql`
    create table report_rollup (
      bucket text not null check (bucket in ('day', 'month')),
      start_date date not null,
      team_id text not null,
      sdr_id uuid not null,
      ae_id uuid,
      kind text not null,
      source text,
      mask integer,
      code text,
      value float8,
      n integer not null
    )`.execute(db);
  await sql`
    create unique index report_rollup_key on report_rollup (bucket, start_date, team_id, sdr_id, ae_id, kind, source, mask, code, value)
    nulls not distinct`.execute(db);
  await sql`create index report_rollup_empty on report_rollup (bucket) where n = 0`.execute(db);
  // A lead's follow-up spans read all its follow-ups, done ones too (followups_open holds the open ones only).
  await sql`create index followups_lead on followups (lead_id)`.execute(db);
  await refreshHandoffs.execute(db);
  await refreshGaps.execute(db);
  for (const fn of triggerFunctions) await fn.execute(db);
  for (const [table, fn] of watched) {
    await sql`create trigger ${sql.raw(`${table}_report_insert`)} after insert on ${sql.table(table)}
      referencing new table as new_rows for each statement execute function ${sql.raw(fn)}()`.execute(db);
    await sql`create trigger ${sql.raw(`${table}_report_update`)} after update on ${sql.table(table)}
      referencing old table as old_rows new table as new_rows for each statement execute function ${sql.raw(fn)}()`.execute(db);
    await sql`create trigger ${sql.raw(`${table}_report_delete`)} after delete on ${sql.table(table)}
      referencing old table as old_rows for each statement execute function ${sql.raw(fn)}()`.execute(db);
    await sql`create trigger ${sql.raw(`${table}_report_truncate`)} after truncate on ${sql.table(table)}
      for each statement execute function report_rebuild()`.execute(db);
    // The counts follow every write, also one made with `session_replication_role = replica` (the lead import's
    // COPYs switch off the per-row foreign-key checks that way).
    for (const event of triggerEvents) {
      await sql`alter table ${sql.table(table)} enable always trigger ${sql.raw(`${table}_report_${event}`)}`.execute(db);
    }
  }
  await sql`select report_refresh_handoffs(array(select id from handoffs))`.execute(db);
  await sql`select report_refresh_gaps(array(select id from leads))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const [table] of watched) {
    for (const event of triggerEvents) {
      await sql`drop trigger ${sql.raw(`${table}_report_${event}`)} on ${sql.table(table)}`.execute(db);
    }
  }
  for (const fn of ['report_on_handoffs', 'report_on_leads', 'report_on_handoff_child', 'report_on_audit', 'report_on_followups', 'report_rebuild']) {
    await sql`drop function ${sql.raw(fn)}()`.execute(db);
  }
  await sql`drop function report_refresh_handoffs(uuid[])`.execute(db);
  await sql`drop function report_refresh_gaps(uuid[])`.execute(db);
  await sql`drop index followups_lead`.execute(db);
  await sql`drop table report_rollup`.execute(db);
  await sql`drop table report_facts`.execute(db);
}
