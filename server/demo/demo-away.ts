// Demo for `npm start`: the AE whose automatic replies are on in the demo tenant (Elena Rossi) has an open hand-off
// whose SLA clock is paused: one of her SDR's qualified leads handed to her the day before, intro sent, both
// obligations opened through the obligation service with her absence (seen on since shortly after) as a pause, so the
// pane's countdown shows the pause and why. Loaded once, with the demo data. Imports: domain, store, engine port types.
import type { HandBackReason } from '../domain/lifecycle';
import { transitionLead } from '../domain/lifecycle';
import { qualify, type QualificationCriteria } from '../domain/qualification';
import type { Db } from '../store/database';
import type { AwayStore } from '../store/away-store';
import { appendAudit, createLeadStore } from '../store/lead-store';
import { createPeopleStore } from '../store/people-store';
import type { ObligationService } from '../engine/obligations';

const hour = 3_600_000;
/** Elena Rossi in the demo tenant (server/sandbox/seed/demo-tenant.json): automatic replies alwaysEnabled. */
export const demoAwayAeOid = '0f9e8d7c-0000-4000-8000-000000000031';

/** Returns the hand-off's id, or null when the demo people are not there (nothing is written then). */
export async function loadDemoAway(
  db: Db,
  options: { now: Date; obligations: Pick<ObligationService, 'open' | 'calendarOf'>; away: AwayStore; criteria: QualificationCriteria; handBackReasons: readonly HandBackReason[] },
): Promise<string | null> {
  const people = createPeopleStore(db);
  const ae = await people.findByOid(demoAwayAeOid);
  if (ae?.role !== 'ae') return null;
  const sdrId = (await db.selectFrom('pairings').select('sdr_id').where('ae_id', '=', ae.id).where('is_primary', '=', true).executeTakeFirst())?.sdr_id;
  const sdr = sdrId === undefined ? undefined : await people.getUser(sdrId);
  if (sdr === undefined) return null;
  const candidate = await db.selectFrom('leads').select('id').where('sdr_id', '=', sdr.id).where('status', '=', 'qualified').orderBy('created_at').executeTakeFirst();
  const lead = candidate === undefined ? undefined : await createLeadStore(db).get(candidate.id);
  if (lead === undefined) return null;
  const { now } = options;
  const introAt = new Date(now.getTime() - 26 * hour);
  const awaySince = new Date(now.getTime() - 24 * hour);
  // Read before the transaction: the calendar may need Elena's mailbox settings.
  await options.obligations.calendarOf(ae);
  return db.transaction().execute(async (trx) => {
    // Her absence as the away check saw it: on since the day before, no end; checked again at the next interval.
    await options.away.lock(trx, ae.id, now);
    await options.away.replace(trx, ae.id, [{ start: awaySince, end: null, source: 'alwaysEnabled' }], awaySince);
    await options.away.checked(trx, ae.id, awaySince, now);
    const moved = transitionLead(
      lead,
      { to: 'suspect', aeId: ae.id },
      { actor: { userId: sdr.id, role: sdr.role, teamId: sdr.teamId }, now: introAt, qualification: qualify(lead, options.criteria), handBackReasons: options.handBackReasons },
    );
    if (!moved.ok) throw new Error(`demo lead ${lead.id} cannot be handed to ${ae.displayName}: ${moved.error.message}`);
    await trx
      .updateTable('leads')
      .set((eb) => ({ status: 'suspect', ae_id: ae.id, owner_id: moved.value.ownerId, updated_at: introAt, version: eb('version', '+', 1) }))
      .where('id', '=', lead.id)
      .execute();
    await appendAudit(trx, moved.value.audit);
    const handoff = await trx
      .insertInto('handoffs')
      .values({ lead_id: lead.id, team_id: lead.teamId, sdr_id: sdr.id, ae_id: ae.id, stage: 'intro_sent', stage_changed_at: introAt, created_at: new Date(introAt.getTime() - 10 * 60_000), intro_sent_at: introAt, demo_requested: lead.demoRequested })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const [from, to, at] of [[null, 'intro_composed', new Date(introAt.getTime() - 10 * 60_000)], ['intro_composed', 'intro_sent', introAt]] as const) {
      await appendAudit(trx, { entity: 'handoff', entityId: handoff.id, actorId: sdr.id, at, from, to, reasonCode: null, reasonText: null });
    }
    const ref = { id: handoff.id, aeId: ae.id, teamId: lead.teamId };
    await options.obligations.open(trx, ref, 'ae_reply', introAt);
    await options.obligations.open(trx, ref, 'ae_accept', introAt);
    await trx
      .insertInto('followups')
      .values({ lead_id: lead.id, owner_id: lead.ownerId, due_at: new Date(now.getTime() + 2 * 24 * hour), note: `Follow up on the hand-off of ${lead.contactName} to ${ae.displayName}.`, created_at: introAt })
      .execute();
    return handoff.id;
  });
}
