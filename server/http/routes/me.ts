// GET /api/me: the signed-in user, their team and their SDR↔AE pairings (the add-in's start-up call).
// Imports: ../contract, ../dto, ../auth, ../errors, ../app types.
import { MeDto } from '../contract';
import { toPairingDto, toTeamDto, toUserDto } from '../dto';
import { requireAuth } from '../auth';
import { errorResponses } from '../errors';
import type { App, AppDeps } from '../app';

export function registerMeRoutes(app: App, deps: Pick<AppDeps, 'peopleStore'>): void {
  const people = deps.peopleStore;
  app.get(
    '/api/me',
    {
      schema: {
        summary: 'The signed-in user and their team',
        tags: ['people'],
        response: { 200: MeDto, ...errorResponses(401, 403) },
      },
    },
    async (request) => {
      const { user } = requireAuth(request);
      const [team, pairings] = await Promise.all([
        user.teamId === null ? Promise.resolve(undefined) : people.getTeam(user.teamId),
        people.pairingsOf(user.id),
      ]);
      const otherIds = [...new Set(pairings.map((p) => (p.sdrId === user.id ? p.aeId : p.sdrId)))];
      const others = await Promise.all(otherIds.map((id) => people.getUser(id)));
      return {
        user: toUserDto(user),
        team: team === undefined ? null : toTeamDto(team),
        pairings: pairings.map(toPairingDto),
        pairedWith: others.flatMap((u) => (u === undefined ? [] : [{ id: u.id, displayName: u.displayName, role: u.role }])),
      };
    },
  );
}
