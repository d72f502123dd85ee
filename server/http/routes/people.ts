// People, configured by admins (managers read their own team): users, teams and SDR↔AE pairings, with the
// domain's pairing and backup rules. Imports: luxon (IANA zones), zod, ../contract, ../dto, ../auth, ../errors,
// the domain, store types, ../app types.
import { IANAZone } from 'luxon';
import { z } from 'zod';
import {
  PairingDto,
  PairingList,
  PairingListQuery,
  PairingParams,
  PairingPutBody,
  TeamDto,
  TeamIdParams,
  TeamList,
  TeamPutBody,
  UserCreateBody,
  UserDto,
  UserIdParams,
  UserList,
  UserListQuery,
  UserPatchBody,
} from '../contract';
import { toPairingDto, toTeamDto, toUserDto } from '../dto';
import { requireAuth } from '../auth';
import { errorResponses, forbidden, fromDomainError, HttpError, notFound } from '../errors';
import type { App, AppDeps } from '../app';
import type { Actor } from '../../domain/lead';
import { checkBackup, checkPairing, type User } from '../../domain/people';

type PeopleDeps = Pick<AppDeps, 'clock' | 'peopleStore'>;

function requireAdmin(actor: Actor): void {
  if (actor.role !== 'admin') throw forbidden('Only an admin configures people, teams and pairings.');
}

/** The team whose people the actor may read: any (admin, optionally filtered) or their own (manager). */
function readableTeam(actor: Actor, requested: string | undefined): { teamId: string | undefined } {
  if (actor.role === 'admin') return { teamId: requested };
  if (actor.role === 'manager' && actor.teamId !== null && (requested === undefined || requested === actor.teamId)) {
    return { teamId: actor.teamId };
  }
  throw forbidden('You may read the people of your own team only.');
}

function assertTimeZone(zone: string): void {
  if (!IANAZone.isValidZone(zone)) {
    throw new HttpError(400, 'invalid_time_zone', `"${zone}" is not an IANA time zone such as Europe/Berlin.`, { field: 'timeZone' });
  }
}

const unknownReference = (field: string, what: string): HttpError =>
  new HttpError(400, 'unknown_reference', `No such ${what}.`, { field });

export function registerPeopleRoutes(app: App, deps: PeopleDeps): void {
  const { clock, peopleStore: people } = deps;

  /** Checks the references of a user as it will be (team, manager, backup) against the store and the domain. */
  async function assertReferences(user: Pick<User, 'id' | 'role' | 'teamId' | 'managerId' | 'backupId' | 'active'>): Promise<void> {
    if (user.teamId !== null && (await people.getTeam(user.teamId)) === undefined) throw unknownReference('teamId', 'team');
    if (user.managerId !== null) {
      if (user.managerId === user.id) {
        throw new HttpError(409, 'manager_is_self', 'A user cannot be their own manager.', { field: 'managerId' });
      }
      if ((await people.getUser(user.managerId)) === undefined) throw unknownReference('managerId', 'user');
    }
    if (user.backupId !== null) {
      const backup = await people.getUser(user.backupId);
      if (backup === undefined) throw unknownReference('backupId', 'user');
      const checked = checkBackup(user, backup);
      if (!checked.ok) throw fromDomainError(checked.error);
    }
  }

  app.get(
    '/api/users',
    {
      schema: {
        summary: 'Users, by team and role',
        tags: ['people'],
        querystring: UserListQuery,
        response: { 200: UserList, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { actor } = requireAuth(request);
      const { teamId } = readableTeam(actor, request.query.teamId);
      const users = await people.listUsers({
        ...(teamId === undefined ? {} : { teamId }),
        ...(request.query.role === undefined ? {} : { role: request.query.role }),
      });
      return { items: users.map(toUserDto) };
    },
  );

  app.post(
    '/api/users',
    {
      schema: {
        summary: 'Provision a user (admin)',
        tags: ['people'],
        body: UserCreateBody,
        response: { 201: UserDto, ...errorResponses(400, 401, 403, 409, 413) },
      },
    },
    async (request, reply) => {
      requireAdmin(requireAuth(request).actor);
      const body = request.body;
      assertTimeZone(body.timeZone);
      if ((await people.findByOid(body.entraOid)) !== undefined) {
        throw new HttpError(409, 'user_exists', 'A user with this Entra object id exists.', { field: 'entraOid' });
      }
      if ((await people.findByEmail(body.email)) !== undefined) {
        throw new HttpError(409, 'user_exists', 'A user with this email exists.', { field: 'email' });
      }
      const draft = {
        entraOid: body.entraOid,
        tenantId: body.tenantId ?? null,
        email: body.email,
        displayName: body.displayName,
        role: body.role,
        teamId: body.teamId ?? null,
        managerId: body.managerId ?? null,
        backupId: body.backupId ?? null,
        timeZone: body.timeZone,
        active: body.active ?? true,
      };
      await assertReferences({ ...draft, id: '' });
      const user = await people.createUser(draft, clock.now());
      void reply.header('location', `/api/users/${user.id}`);
      return reply.code(201).send(toUserDto(user));
    },
  );

  app.patch(
    '/api/users/:id',
    {
      schema: {
        summary: "Change a user's role, team, manager, backup, time zone or activity (admin)",
        tags: ['people'],
        params: UserIdParams,
        body: UserPatchBody,
        response: { 200: UserDto, ...errorResponses(400, 401, 403, 404, 409, 413) },
      },
    },
    async (request) => {
      requireAdmin(requireAuth(request).actor);
      const current = await people.getUser(request.params.id);
      if (current === undefined) throw notFound('user');
      const patch = request.body;
      if (patch.timeZone !== undefined) assertTimeZone(patch.timeZone);
      await assertReferences({ ...current, ...patch });
      const user = await people.updateUser(current.id, patch, clock.now());
      if (user === undefined) throw notFound('user');
      return toUserDto(user);
    },
  );

  app.get(
    '/api/teams',
    {
      schema: {
        summary: 'Teams (admin: all; manager: their own)',
        tags: ['people'],
        response: { 200: TeamList, ...errorResponses(401, 403) },
      },
    },
    async (request) => {
      const { actor } = requireAuth(request);
      const { teamId } = readableTeam(actor, undefined);
      const teams = teamId === undefined ? await people.listTeams() : [await people.getTeam(teamId)];
      return { items: teams.flatMap((t) => (t === undefined ? [] : [toTeamDto(t)])) };
    },
  );

  app.put(
    '/api/teams/:id',
    {
      schema: {
        summary: 'Create or change a team (admin)',
        tags: ['people'],
        params: TeamIdParams,
        body: TeamPutBody,
        response: { 200: TeamDto, ...errorResponses(400, 401, 403, 413) },
      },
    },
    async (request) => {
      requireAdmin(requireAuth(request).actor);
      const body = request.body;
      assertTimeZone(body.timeZone);
      const existing = await people.getTeam(request.params.id);
      const team = await people.upsertTeam({
        id: request.params.id,
        name: body.name,
        timeZone: body.timeZone,
        pairingMode: body.pairingMode ?? existing?.pairingMode ?? 'one_to_one',
      });
      return toTeamDto(team);
    },
  );

  app.get(
    '/api/pairings',
    {
      schema: {
        summary: 'SDR↔AE pairings of a team (admin: all teams when none is named)',
        tags: ['people'],
        querystring: PairingListQuery,
        response: { 200: PairingList, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { actor } = requireAuth(request);
      const { teamId } = readableTeam(actor, request.query.teamId);
      const teamIds = teamId === undefined ? (await people.listTeams()).map((t) => t.id) : [teamId];
      const pairings = (await Promise.all(teamIds.map((id) => people.pairingsOfTeam(id)))).flat();
      return { items: pairings.map(toPairingDto) };
    },
  );

  app.put(
    '/api/pairings',
    {
      schema: {
        summary: 'Pair an SDR with an AE (1:1 teams: replaces both their pairings) (admin)',
        tags: ['people'],
        body: PairingPutBody,
        response: { 200: PairingDto, ...errorResponses(400, 401, 403, 409, 413) },
      },
    },
    async (request) => {
      requireAdmin(requireAuth(request).actor);
      const { sdrId, aeId, isPrimary } = request.body;
      const [sdr, ae] = await Promise.all([people.getUser(sdrId), people.getUser(aeId)]);
      if (sdr === undefined) throw unknownReference('sdrId', 'user');
      if (ae === undefined) throw unknownReference('aeId', 'user');
      const team = sdr.teamId === null ? undefined : await people.getTeam(sdr.teamId);
      if (team === undefined) throw new HttpError(409, 'different_teams', 'The SDR belongs to no team.', { field: 'sdrId' });
      const checked = checkPairing(sdr, ae, team, { isPrimary: isPrimary ?? true });
      if (!checked.ok) throw fromDomainError(checked.error);
      const pairing = { sdrId, aeId, isPrimary: checked.value.isPrimary };
      await people.pair(pairing, checked.value.replacesExisting);
      return toPairingDto(pairing);
    },
  );

  app.delete(
    '/api/pairings/:sdrId/:aeId',
    {
      schema: {
        summary: 'Remove a pairing (admin)',
        tags: ['people'],
        params: PairingParams,
        response: { 204: z.null().describe('Removed'), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      requireAdmin(requireAuth(request).actor);
      const removed = await people.unpair(request.params.sdrId, request.params.aeId);
      if (!removed) throw notFound('pairing');
      return reply.code(204).send(null);
    },
  );
}
