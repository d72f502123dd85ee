// One live hand-off for `npm start` whose AE has not replied past the deadline: the engine's own SLA sweep breaches it
// on the first second and mails the manager the breach with the one-click links (reassign to the backup, more time,
// nudge), so the links can be tried from the manager's sandbox inbox. Imports: the store's types, kysely.
import type { Db } from '../store/database';
import { demoAwayAeOid } from './demo-away';

const hourMs = 3_600_000;

/** Makes one open EMEA hand-off (its AE has a backup and is not away) overdue on the reply to the intro; false when there is none. */
export async function loadOverdueHandoff(db: Db, options: { now: Date }): Promise<boolean> {
  const now = options.now;
  return db.transaction().execute(async (trx) => {
    // An open hand-off of an EMEA AE who has a backup, whose AE never replied to the intro (no reply obligation yet).
    const handoff = await trx
      .selectFrom('handoffs')
      .innerJoin('users as ae', 'ae.id', 'handoffs.ae_id')
      .select(['handoffs.id', 'handoffs.intro_sent_at'])
      .where('handoffs.stage', '<>', 'closed')
      .where('handoffs.team_id', '=', 'emea')
      .where('handoffs.intro_sent_at', 'is not', null)
      .where('ae.backup_id', 'is not', null)
      // Not the AE whose automatic replies are on (./demo-away): her SLA clock stands still, so nothing would breach.
      .where('ae.entra_oid', '<>', demoAwayAeOid)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('obligations').select('obligations.id').whereRef('obligations.handoff_id', '=', 'handoffs.id').where('obligations.kind', '=', 'ae_reply'))))
      .orderBy('handoffs.created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (handoff === undefined) return false;
    const introAt = handoff.intro_sent_at ?? new Date(now.getTime() - 3 * 24 * hourMs);
    const dueAt = new Date(now.getTime() - 5 * 60_000);
    // Reminded half-way, due five minutes ago: the sweep's next step is the breach (the manager's mail).
    await trx
      .insertInto('obligations')
      .values({
        handoff_id: handoff.id,
        kind: 'ae_reply',
        status: 'reminded',
        started_at: introAt < dueAt ? introAt : new Date(dueAt.getTime() - 8 * hourMs),
        due_at: dueAt,
        remind_at: new Date(dueAt.getTime() - 4 * hourMs),
        reminded_at: new Date(dueAt.getTime() - 4 * hourMs),
        second_level_at: new Date('9999-01-01T00:00:00Z'),
        next_check_at: dueAt,
      })
      .execute();
    return true;
  });
}
