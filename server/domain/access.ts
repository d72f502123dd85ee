// Who may see and change which leads: admins everything, SDRs and managers their team's, AEs the leads handed to
// them. The store turns leadScope into a query filter; the checks below agree with it. Pure. Imports: ./lead.
import type { Actor, Lead } from './lead';

export type LeadScope =
  | { kind: 'all' }
  | { kind: 'team'; teamId: string }
  | { kind: 'ae'; aeId: string }
  | { kind: 'none' };

/** The leads an actor may see, as a filter. An SDR or manager without a team sees none. */
export function leadScope(actor: Actor): LeadScope {
  switch (actor.role) {
    case 'admin':
      return { kind: 'all' };
    case 'ae':
      return { kind: 'ae', aeId: actor.userId };
    case 'sdr':
    case 'manager':
      return actor.teamId === null ? { kind: 'none' } : { kind: 'team', teamId: actor.teamId };
  }
}

export function canViewLead(actor: Actor, lead: Pick<Lead, 'teamId' | 'aeId'>): boolean {
  const scope = leadScope(actor);
  switch (scope.kind) {
    case 'all':
      return true;
    case 'team':
      return lead.teamId === scope.teamId;
    case 'ae':
      return lead.aeId === scope.aeId;
    case 'none':
      return false;
  }
}

/**
 * Edit the lead's fields: its owner (the SDR, or the AE once Sales Qualified), a manager of its team, an admin —
 * and only someone who can see it, so an SDR who moved teams no longer edits the old team's leads.
 */
export function canEditLead(actor: Actor, lead: Pick<Lead, 'teamId' | 'ownerId' | 'aeId'>): boolean {
  if (!canViewLead(actor, lead)) return false;
  if (actor.role === 'admin') return true;
  if (actor.role === 'manager') return actor.teamId === lead.teamId;
  return actor.userId === lead.ownerId;
}

/** Create leads: SDRs and managers (into their team), admins. */
export function canCreateLead(actor: Actor): boolean {
  if (actor.role === 'admin') return true;
  return (actor.role === 'sdr' || actor.role === 'manager') && actor.teamId !== null;
}
