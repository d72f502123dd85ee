// Whose leads a create or an import makes: the SDR calling, or (for a manager or admin) an active SDR of their team
// named by `ownerId`. Shared by /api/leads and /api/imports. Imports: ../errors, domain and store types.
import type { Actor } from '../../domain/lead';
import type { User } from '../../domain/people';
import type { PeopleStore } from '../../store/people-store';
import { forbidden, HttpError } from '../errors';

export async function resolveOwner(
  people: Pick<PeopleStore, 'getUser'>,
  actor: Actor,
  user: User,
  ownerId: string | undefined,
): Promise<{ ownerId: string; teamId: string }> {
  if (ownerId === undefined || ownerId === actor.userId) {
    if (user.teamId === null) {
      throw new HttpError(400, 'owner_required', 'Name the SDR who owns these leads (ownerId).', { field: 'ownerId' });
    }
    return { ownerId: user.id, teamId: user.teamId };
  }
  if (actor.role === 'sdr') throw forbidden('An SDR creates leads for themself only.');
  const owner = await people.getUser(ownerId);
  const teamId = owner?.active === true && owner.role === 'sdr' ? owner.teamId : null;
  if (owner === undefined || teamId === null || (actor.role === 'manager' && teamId !== actor.teamId)) {
    throw new HttpError(400, 'invalid_owner', 'The owner must be an active SDR of your team.', { field: 'ownerId' });
  }
  return { ownerId: owner.id, teamId };
}
