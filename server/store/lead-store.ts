// Lead repository: leads, their prefix search, the ownership lookups behind "never pursue the same lead twice",
// and transitions written together with their audit line in one transaction. Imports: kysely, ./schema, the domain.
import { sql, type Kysely, type RawBuilder, type SelectQueryBuilder, type Transaction } from 'kysely';
import type { AuditEntry, Lead, LeadFields, LeadStatus } from '../domain/lead';
import type { ExistingLeadMatch } from '../domain/duplicates';
import type { Database, LeadRow } from './schema';
import { fieldsToRow } from './lead-columns';

export { fieldsToRow };

/** Which leads a query may return; mirrors the domain's access rules. */
export type LeadQueryScope =
  | { kind: 'all' }
  | { kind: 'team'; teamId: string }
  | { kind: 'ae'; aeId: string }
  | { kind: 'none' };

export interface LeadSearch {
  scope: LeadQueryScope;
  /** Matched as a prefix of the contact name, the company name or the email, case-insensitively. */
  prefix: string;
  limit: number;
  offset: number;
}

export interface NewLead {
  teamId: string;
  ownerId: string;
  sdrId: string;
  fields: LeadFields;
}

export interface LeadChange {
  status: LeadStatus;
  ownerId: string;
  aeId: string | null;
  handBackReason: string | null;
  handBackText: string | null;
}

export type WriteOutcome = { ok: true; lead: Lead } | { ok: false; reason: 'not_found' | 'version_conflict' };

export interface LeadStore {
  create(lead: NewLead, audit: Omit<AuditEntry, 'entityId'>): Promise<Lead>;
  get(id: string): Promise<Lead | undefined>;
  search(query: LeadSearch): Promise<{ items: Lead[]; hasMore: boolean }>;
  /**
   * Leads with one of these emails, or one of these company domains, with their owner's name. With
   * `domainOwnerOtherThan`, a lead found only by its domain is left out when that user owns it (judgeDuplicate
   * ignores those: an import of many leads of one company would otherwise fetch them all again for every batch).
   */
  findMatches(emails: readonly string[], domains: readonly string[], options?: { domainOwnerOtherThan?: string }): Promise<ExistingLeadMatch[]>;
  updateFields(id: string, expectedVersion: number, fields: LeadFields, now: Date): Promise<WriteOutcome>;
  transition(id: string, expectedVersion: number, change: LeadChange, audit: AuditEntry): Promise<WriteOutcome>;
  auditTrail(entity: 'lead' | 'handoff', id: string): Promise<AuditEntry[]>;
}

type Executor = Kysely<Database> | Transaction<Database>;

/** A lead found by findMatches, before its owner's name is joined. */
interface MatchRow {
  id: string;
  email: string;
  web_domain: string | null;
  owner_id: string;
}

export function leadFromRow(r: LeadRow): Lead {
  return {
    id: r.id,
    teamId: r.team_id,
    ownerId: r.owner_id,
    sdrId: r.sdr_id,
    aeId: r.ae_id,
    status: r.status as LeadStatus,
    contactName: r.contact_name,
    title: r.title,
    email: r.email,
    phone: r.phone,
    companyName: r.company_name,
    webDomain: r.web_domain,
    website: r.website,
    employeeCount: r.employee_count,
    country: r.country,
    timeZone: r.time_zone,
    decisionMaker: r.decision_maker,
    needs: r.needs,
    currentSolution: r.current_solution,
    competitors: r.competitors,
    budget: r.budget,
    productInterests: r.product_interests,
    demoRequested: r.demo_requested,
    sourceList: r.source_list,
    notes: r.notes,
    handBackReason: r.hand_back_reason,
    handBackText: r.hand_back_text,
    version: r.version,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}


/** Writes a lead's status change if it is still at `expectedVersion`; undefined otherwise (stale or gone). */
export async function writeLeadChange(db: Executor, id: string, expectedVersion: number, change: LeadChange, at: Date): Promise<Lead | undefined> {
  const row = await db
    .updateTable('leads')
    .set({
      status: change.status,
      owner_id: change.ownerId,
      ae_id: change.aeId,
      hand_back_reason: change.handBackReason,
      hand_back_text: change.handBackText,
      version: sql<number>`version + 1`,
      updated_at: at,
    })
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .returningAll()
    .executeTakeFirst();
  return row ? leadFromRow(row) : undefined;
}

export async function appendAudit(db: Executor, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      entity: entry.entity,
      entity_id: entry.entityId,
      actor_id: entry.actorId,
      at: entry.at,
      from_state: entry.from,
      to_state: entry.to,
      reason_code: entry.reasonCode,
      reason_text: entry.reasonText,
    })
    .execute();
}

/** `like` pattern for a literal prefix: the user's `%`, `_` and `\` match themselves. */
export function likePrefix(prefix: string): string {
  return `${prefix.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function createLeadStore(db: Kysely<Database>): LeadStore {
  return {
    async create(lead, audit) {
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto('leads')
          .values({
            team_id: lead.teamId,
            owner_id: lead.ownerId,
            sdr_id: lead.sdrId,
            status: audit.to,
            ...fieldsToRow(lead.fields),
            created_at: audit.at,
            updated_at: audit.at,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await appendAudit(trx, { ...audit, entityId: row.id });
        return leadFromRow(row);
      });
    },

    async get(id) {
      const row = await db.selectFrom('leads').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? leadFromRow(row) : undefined;
    },

    async search({ scope, prefix, limit, offset }) {
      if (scope.kind === 'none') return { items: [], hasMore: false };
      const want = offset + limit + 1;
      const trimmed = prefix.trim();
      let rows: LeadRow[];
      if (trimmed === '') {
        rows = await scoped(db.selectFrom('leads').selectAll(), scope)
          .orderBy(sql`lower(contact_name) collate "C"`)
          .orderBy('id')
          .limit(limit + 1)
          .offset(offset)
          .execute();
      } else {
        // Three ordered index range scans (name, company, email), each cut at what the page needs, then merged:
        // one `OR` over three columns would read every match before sorting.
        const pattern = likePrefix(trimmed);
        const ids = (column: ReturnType<typeof sql>) =>
          scoped(db.selectFrom('leads').select('id'), scope)
            .where(sql<boolean>`${column} like ${pattern}`)
            .orderBy(column)
            .limit(want);
        const byName = ids(sql`lower(contact_name) collate "C"`);
        const byCompany = ids(sql`lower(company_name) collate "C"`);
        const byEmail = ids(sql`email collate "C"`);
        rows = await db
          .selectFrom('leads')
          .selectAll()
          .where(sql<boolean>`id in ((${byName}) union all (${byCompany}) union all (${byEmail}))`)
          .orderBy(sql`lower(contact_name) collate "C"`)
          .orderBy('id')
          .limit(limit + 1)
          .offset(offset)
          .execute();
      }
      return { items: rows.slice(0, limit).map(leadFromRow), hasMore: rows.length > limit };
    },

    async findMatches(emails, domains, options = {}) {
      if (emails.length === 0 && domains.length === 0) return [];
      // Each list is one array parameter (one short statement to plan, however many values), and each of its values
      // one index lookup: `offset 0` keeps each lateral subquery apart, so the planner cannot turn the lookups into a
      // scan of every lead. It did so with `email = any(..) or web_domain = any(..)`, and with a plain join, because
      // the embedded database never gathers table statistics.
      const otherOwner = options.domainOwnerOtherThan;
      const parts: RawBuilder<MatchRow>[] = [];
      if (emails.length > 0) {
        parts.push(sql<MatchRow>`
          select l.* from unnest(${[...emails]}::text[]) as v(email) cross join lateral (
            select id, email, web_domain, owner_id from leads where email = v.email offset 0) as l`);
      }
      if (domains.length > 0) {
        parts.push(sql<MatchRow>`
          select l.* from unnest(${[...domains]}::text[]) as v(domain) cross join lateral (${
            otherOwner === undefined
              ? sql`select id, email, web_domain, owner_id from leads where web_domain = v.domain offset 0`
              : // Two ranges of the (domain, owner) index around the owner: their own leads are never read.
                sql`(select id, email, web_domain, owner_id from leads where web_domain = v.domain and owner_id < ${otherOwner}::uuid offset 0)
                  union all
                  (select id, email, web_domain, owner_id from leads where web_domain = v.domain and owner_id > ${otherOwner}::uuid offset 0)`
          }) as l`);
      }
      // `union`: a lead found by its email and by its domain comes back once.
      const { rows } = await sql<MatchRow & { display_name: string }>`
        select m.id, m.email, m.web_domain, m.owner_id, u.display_name
        from (${sql.join(parts, sql` union `)}) as m join users u on u.id = m.owner_id`.execute(db);
      return rows.map((r) => ({ leadId: r.id, email: r.email, webDomain: r.web_domain, ownerId: r.owner_id, ownerName: r.display_name }));
    },

    async updateFields(id, expectedVersion, fields, now) {
      const row = await db
        .updateTable('leads')
        .set({ ...fieldsToRow(fields), version: sql<number>`version + 1`, updated_at: now })
        .where('id', '=', id)
        .where('version', '=', expectedVersion)
        .returningAll()
        .executeTakeFirst();
      if (row) return { ok: true, lead: leadFromRow(row) };
      return { ok: false, reason: (await exists(db, id)) ? 'version_conflict' : 'not_found' };
    },

    async transition(id, expectedVersion, change, audit) {
      return db.transaction().execute(async (trx): Promise<WriteOutcome> => {
        const lead = await writeLeadChange(trx, id, expectedVersion, change, audit.at);
        if (!lead) return { ok: false, reason: (await exists(trx, id)) ? 'version_conflict' : 'not_found' };
        await appendAudit(trx, audit);
        return { ok: true, lead };
      });
    },

    async auditTrail(entity, id) {
      const rows = await db
        .selectFrom('audit_log')
        .selectAll()
        .where('entity', '=', entity)
        .where('entity_id', '=', id)
        .orderBy('id')
        .execute();
      return rows.map((r) => ({
        // The filter above asked for this entity (refused action links, entity `action`, are never a lead's trail).
        entity,
        entityId: r.entity_id,
        actorId: r.actor_id,
        at: new Date(r.at),
        from: r.from_state,
        to: r.to_state,
        reasonCode: r.reason_code,
        reasonText: r.reason_text,
      }));
    },
  };
}

function scoped<O>(query: SelectQueryBuilder<Database, 'leads', O>, scope: LeadQueryScope): SelectQueryBuilder<Database, 'leads', O> {
  switch (scope.kind) {
    case 'all':
      return query;
    case 'team':
      return query.where('team_id', '=', scope.teamId);
    case 'ae':
      return query.where('ae_id', '=', scope.aeId);
    case 'none':
      return query.where(sql<boolean>`false`);
  }
}

async function exists(db: Executor, id: string): Promise<boolean> {
  return (await db.selectFrom('leads').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}
