// Follow-up repository: the tasks that keep every handed-off lead moving (owner, due date, note, done), and the
// handed-off leads that have no future follow-up, for the daily flag and the reports. Imports: kysely, ./schema.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { LeadStatus } from '../domain/lead';
import type { Database, FollowupTable } from './schema';

type Executor = Kysely<Database>;

export interface Followup {
  id: string;
  leadId: string;
  ownerId: string;
  dueAt: Date;
  note: string;
  createdAt: Date;
  doneAt: Date | null;
}

export interface NewFollowup {
  leadId: string;
  ownerId: string;
  dueAt: Date;
  note: string;
  at: Date;
}

/** A handed-off lead with no open follow-up due after `now`: flagged to its owner. */
export interface LeadWithoutFollowup {
  leadId: string;
  teamId: string;
  ownerId: string;
  status: LeadStatus;
  contactName: string;
  companyName: string;
}

export interface FollowupStore {
  /** Inserts in the caller's transaction when `executor` is given. */
  create(followup: NewFollowup, executor?: Executor): Promise<Followup>;
  get(id: string): Promise<Followup | undefined>;
  /** A lead's follow-ups: open ones first by due date, then done ones, latest first. */
  listForLead(leadId: string): Promise<Followup[]>;
  /** Marks it done at `at`; a follow-up already done keeps its first time. Undefined when it does not exist. */
  markDone(id: string, at: Date): Promise<Followup | undefined>;
  /**
   * Leads that were handed off (have a hand-off), are still pursued (not disqualified) and have no open follow-up
   * due after `now`; of one team, or of every team with null.
   */
  leadsWithoutFutureFollowup(teamId: string | null, now: Date): Promise<LeadWithoutFollowup[]>;
}

function fromRow(r: Selectable<FollowupTable>): Followup {
  return {
    id: r.id,
    leadId: r.lead_id,
    ownerId: r.owner_id,
    dueAt: new Date(r.due_at),
    note: r.note,
    createdAt: new Date(r.created_at),
    doneAt: r.done_at === null ? null : new Date(r.done_at),
  };
}

export function createFollowupStore(db: Kysely<Database>): FollowupStore {
  return {
    async create(f, executor = db) {
      const row = await executor
        .insertInto('followups')
        .values({ lead_id: f.leadId, owner_id: f.ownerId, due_at: f.dueAt, note: f.note, created_at: f.at })
        .returningAll()
        .executeTakeFirstOrThrow();
      return fromRow(row);
    },

    async get(id) {
      const row = await db.selectFrom('followups').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? fromRow(row) : undefined;
    },

    async listForLead(leadId) {
      const rows = await db
        .selectFrom('followups')
        .selectAll()
        .where('lead_id', '=', leadId)
        .orderBy(sql`done_at is not null`)
        .orderBy(sql`case when done_at is null then due_at end`)
        .orderBy('done_at', 'desc')
        .orderBy('id')
        .execute();
      return rows.map(fromRow);
    },

    async markDone(id, at) {
      const row = await db
        .updateTable('followups')
        .set({ done_at: sql<Date>`coalesce(done_at, ${at})` })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row ? fromRow(row) : undefined;
    },

    async leadsWithoutFutureFollowup(teamId, now) {
      let query = db
        .selectFrom('leads')
        .select(['leads.id', 'leads.team_id', 'leads.owner_id', 'leads.status', 'leads.contact_name', 'leads.company_name'])
        .where('leads.status', '<>', 'disqualified')
        .where((eb) => eb.exists(eb.selectFrom('handoffs').select('handoffs.id').whereRef('handoffs.lead_id', '=', 'leads.id')))
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('followups')
                .select('followups.id')
                .whereRef('followups.lead_id', '=', 'leads.id')
                .where('followups.done_at', 'is', null)
                .where('followups.due_at', '>', now),
            ),
          ),
        );
      if (teamId !== null) query = query.where('leads.team_id', '=', teamId);
      const rows = await query.orderBy('leads.team_id').orderBy('leads.owner_id').orderBy('leads.id').execute();
      return rows.map((r) => ({
        leadId: r.id,
        teamId: r.team_id,
        ownerId: r.owner_id,
        status: r.status as LeadStatus,
        contactName: r.contact_name,
        companyName: r.company_name,
      }));
    },
  };
}
