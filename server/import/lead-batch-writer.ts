// Writes one batch of imported leads and their audit lines. On a PostgreSQL server, in a single statement: the rows
// travel as one JSON parameter (json_to_recordset), which PGlite runs about twice as fast as a 1,000-row VALUES list
// of 20-odd parameters each. On the embedded database (PGlite), with two `COPY ... FROM '/dev/blob'` (leads, then
// their audit lines) in COPY's text format, several times faster again, with the foreign keys (the same team and
// users for every row) checked once per batch instead of once per row. Column names come from a typed table,
// values only as parameters or escaped COPY text (./lead-copy-text). Imports: node:crypto, kysely, the store.
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { LeadFields } from '../domain/lead';
import type { Database } from '../store/schema';
import { fieldsToRow, leadFieldColumnTypes as columnTypes, leadFieldColumns as columns } from '../store/lead-columns';
import { copyField, leadCopyText } from './lead-copy-text';

export { copyField, copyValue, leadCopyText } from './lead-copy-text';

const insertColumns = sql.join(columns.map((c) => sql.id(c)));
const selectColumns = sql.join(columns.map((c) => sql.ref(`x.${c}`)));
const recordShape = sql.join(columns.map((c) => sql`${sql.id(c)} ${sql.raw(columnTypes[c])}`));

export interface LeadBatchContext {
  teamId: string;
  sdrId: string;
  actorId: string;
  now: Date;
  /** reason_code and reason_text of each lead's audit line (from null to `new`). */
  audit: { code: string; text: string };
  /**
   * The embedded database's PGlite instance (embeddedInstanceOf), whose connection `db`'s transaction is on: the
   * batch is then written with COPY. Only when nothing else can write meanwhile (PGlite is one connection) and the
   * caller has checked, in the same transaction, that no lead has any of these emails: COPY has no
   * `on conflict do nothing`, so a clash fails the batch instead of leaving the row out.
   */
  copyTo?: BlobQueryable;
}

/** What COPY needs of PGlite: queries, with the `blob` option that `FROM '/dev/blob'` reads. */
export interface BlobQueryable {
  query(query: string, params?: unknown[], options?: { blob?: Blob }): Promise<{ rows: unknown[] }>;
}

/**
 * Inserts the leads (status `new`, owned by the SDR) and one audit line each. A lead whose email exists by now is
 * left out (`on conflict do nothing`): the caller sees which emails came back and judges the others again.
 */
export async function insertLeadBatch(
  db: Kysely<Database>,
  leads: readonly LeadFields[],
  context: LeadBatchContext,
): Promise<{ id: string; email: string }[]> {
  if (leads.length === 0) return [];
  if (context.copyTo) return copyLeadBatch(context.copyTo, leads.map((l) => ({ email: l.email, copyText: leadCopyText(l) })), context);
  const { teamId, sdrId, actorId, now, audit } = context;
  const rows = JSON.stringify(leads.map(fieldsToRow));
  const result = await sql<{ id: string; email: string }>`
    with inserted as (
      insert into leads (team_id, owner_id, sdr_id, status, created_at, updated_at, ${insertColumns})
      select ${teamId}, ${sdrId}::uuid, ${sdrId}::uuid, 'new', ${now}::timestamptz, ${now}::timestamptz, ${selectColumns}
      from json_to_recordset(${rows}::json) as x(${recordShape})
      on conflict (email) do nothing
      returning id, email
    ), audited as (
      insert into audit_log (entity, entity_id, actor_id, at, from_state, to_state, reason_code, reason_text)
      select 'lead', inserted.id, ${actorId}::uuid, ${now}::timestamptz, null, 'new', ${audit.code}, ${audit.text}
      from inserted
    )
    select id, email from inserted`.execute(db);
  return result.rows;
}

// ---------------------------------------------------------------------------------------------------------------
// COPY (embedded database)

const copyLeadColumns = ['id', 'team_id', 'owner_id', 'sdr_id', 'status', 'created_at', 'updated_at', ...columns].join(', ');
const copyAuditColumns = 'entity, entity_id, actor_id, at, from_state, to_state, reason_code, reason_text';

/** A lead laid out for COPY: its email, and its field columns as COPY text (leadCopyText). */
export interface CopyLead {
  email: string;
  copyText: string;
}

/**
 * The leads with ids made here (random UUIDs, as `gen_random_uuid()` makes), then one audit line each, in the
 * order given: the same rows the INSERT writes. For the embedded database only, under the conditions of `copyTo`.
 */
export async function copyLeadBatch(
  copyTo: BlobQueryable,
  leads: readonly CopyLead[],
  context: Omit<LeadBatchContext, 'copyTo'>,
): Promise<{ id: string; email: string }[]> {
  const { teamId, sdrId, actorId, now, audit } = context;
  const at = now.toISOString();
  const leadPrefix = `\t${copyField(teamId)}\t${copyField(sdrId)}\t${copyField(sdrId)}\tnew\t${at}\t${at}\t`;
  const auditSuffix = `\t${copyField(actorId)}\t${at}\t\\N\tnew\t${copyField(audit.code)}\t${copyField(audit.text)}\n`;
  const inserted: { id: string; email: string }[] = [];
  let leadText = '';
  let auditText = '';
  for (const lead of leads) {
    const id = randomUUID();
    inserted.push({ id, email: lead.email });
    leadText += `${id}${leadPrefix}${lead.copyText}\n`;
    auditText += `lead\t${id}${auditSuffix}`;
  }
  // Every row's foreign keys (team, owner and SDR of a lead; actor of its audit line) name the same three rows: when
  // they exist, the constraint triggers, which would look them up again for each row and key (a third of the
  // COPYs' time), are switched off for the two COPYs only. When one is missing, the triggers stay on and report it
  // as they always did. Nothing else can write meanwhile (see `copyTo`), so the rows checked cannot go away.
  const skipChecks = await referencedRowsExist(copyTo, teamId, [sdrId, actorId]);
  if (skipChecks) await copyTo.query('set local session_replication_role = replica');
  await copyTo.query(`copy leads (${copyLeadColumns}) from '/dev/blob'`, [], { blob: new Blob([leadText]) });
  await copyTo.query(`copy audit_log (${copyAuditColumns}) from '/dev/blob'`, [], { blob: new Blob([auditText]) });
  if (skipChecks) await copyTo.query('set local session_replication_role = origin');
  return inserted;
}

/** True when the team and every one of the users exist. */
async function referencedRowsExist(db: BlobQueryable, teamId: string, userIds: readonly string[]): Promise<boolean> {
  const ids = [...new Set(userIds)];
  const { rows } = await db.query(
    'select exists (select 1 from teams where id = $1) and (select count(*) from users where id = any($2::uuid[])) = $3 as ok',
    [teamId, ids, ids.length],
  );
  const row = rows[0] as { ok?: unknown } | undefined;
  return row?.ok === true;
}
