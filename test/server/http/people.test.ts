// People through the real app: /api/me, users, teams and pairings — configured by admins, read by managers for
// their own team — with the domain's pairing and backup rules.
import type { MeDto, PairingList, TeamList, UserDto, UserList } from '../../../server/http/contract';
import { call, errorOf, startHarness, type Harness, type Org } from './harness';

let h: Harness;
let org: Org;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(async () => {
  org = await h.reset();
});

it('GET /api/me: the user, their team, their pairings and who is on the other side', async () => {
  const res = await call(h, org.emeaSdr, 'GET', '/api/me');
  expect(res.statusCode).toBe(200);
  expect(res.data as MeDto).toEqual({
    user: expect.objectContaining({ id: org.emeaSdr.id, displayName: 'Sam Sdr', role: 'sdr', teamId: 'emea' }) as unknown,
    team: { id: 'emea', name: 'EMEA', timeZone: 'Europe/Berlin', pairingMode: 'one_to_one' },
    pairings: [{ sdrId: org.emeaSdr.id, aeId: org.emeaAe.id, isPrimary: true }],
    pairedWith: [{ id: org.emeaAe.id, displayName: 'Alex Ae', role: 'ae' }],
  });
  const admin = (await call(h, org.admin, 'GET', '/api/me')).data as MeDto;
  expect(admin).toMatchObject({ team: null, pairings: [], pairedWith: [] });
});

describe('GET /api/users', () => {
  it('admins list anyone, filtered by team and role', async () => {
    const all = (await call(h, org.admin, 'GET', '/api/users')).data as UserList;
    expect(all.items).toHaveLength(9);
    const emeaAes = (await call(h, org.admin, 'GET', '/api/users?teamId=emea&role=ae')).data as UserList;
    expect(emeaAes.items.map((u) => u.displayName)).toEqual(['Alex Ae', 'Avery Ae']);
  });

  it('managers read their own team only; SDRs and AEs not at all', async () => {
    const own = (await call(h, org.emeaManager, 'GET', '/api/users')).data as UserList;
    expect(new Set(own.items.map((u) => u.teamId))).toEqual(new Set(['emea']));
    expect((await call(h, org.emeaManager, 'GET', '/api/users?teamId=amer')).statusCode).toBe(403);
    expect((await call(h, org.emeaSdr, 'GET', '/api/users')).statusCode).toBe(403);
    expect((await call(h, org.emeaAe, 'GET', '/api/users?teamId=emea')).statusCode).toBe(403);
  });
});

describe('POST /api/users', () => {
  const newUser = {
    entraOid: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
    email: 'Nina.New@baton.example.com',
    displayName: 'Nina New',
    role: 'ae',
    teamId: 'emea',
    timeZone: 'Europe/Paris',
  };

  it('an admin provisions a user, who can then sign in', async () => {
    const res = await call(h, org.admin, 'POST', '/api/users', newUser);
    expect(res.statusCode).toBe(201);
    expect(res.data).toMatchObject({ email: 'nina.new@baton.example.com', role: 'ae', teamId: 'emea', active: true, backupId: null });
    const me = await h.app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${await h.idp.sign(newUser.entraOid)}` } });
    expect(me.statusCode).toBe(200);
  });

  it('refuses non-admins, unknown time zones, unknown teams and an existing oid', async () => {
    expect((await call(h, org.emeaManager, 'POST', '/api/users', newUser)).statusCode).toBe(403);
    const tz = await call(h, org.admin, 'POST', '/api/users', { ...newUser, timeZone: 'Mars/Olympus' });
    expect(tz.statusCode).toBe(400);
    expect(errorOf(tz)).toMatchObject({ code: 'invalid_time_zone', field: 'timeZone' });
    const team = await call(h, org.admin, 'POST', '/api/users', { ...newUser, teamId: 'apac' });
    expect(errorOf(team)).toMatchObject({ code: 'unknown_reference', field: 'teamId' });
    const again = await call(h, org.admin, 'POST', '/api/users', { ...newUser, entraOid: org.emeaSdr.entraOid });
    expect(again.statusCode).toBe(409);
    expect(errorOf(again)).toMatchObject({ code: 'user_exists', field: 'entraOid' });
  });
});

describe('PATCH /api/users/:id', () => {
  it("sets an AE's backup to another AE of the team, refusing anyone else", async () => {
    const ok = await call(h, org.admin, 'PATCH', `/api/users/${org.emeaAe.id}`, { backupId: org.emeaAe2.id });
    expect(ok.statusCode).toBe(200);
    expect((ok.data as UserDto).backupId).toBe(org.emeaAe2.id);

    const self = await call(h, org.admin, 'PATCH', `/api/users/${org.emeaAe.id}`, { backupId: org.emeaAe.id });
    expect(errorOf(self)).toMatchObject({ code: 'backup_is_self', field: 'backupId' });
    const otherTeam = await call(h, org.admin, 'PATCH', `/api/users/${org.emeaAe.id}`, { backupId: org.amerAe.id });
    expect(errorOf(otherTeam)).toMatchObject({ code: 'different_teams', field: 'backupId' });
    const notAe = await call(h, org.admin, 'PATCH', `/api/users/${org.emeaAe.id}`, { backupId: org.emeaSdr.id });
    expect(errorOf(notAe)).toMatchObject({ code: 'not_an_ae', field: 'backupId' });
  });

  it('changes role, team, time zone and activity; a deactivated user can no longer sign in', async () => {
    const res = await call(h, org.admin, 'PATCH', `/api/users/${org.emeaSdr2.id}`, {
      role: 'ae',
      teamId: 'amer',
      managerId: org.amerManager.id,
      timeZone: 'America/Chicago',
    });
    expect(res.statusCode).toBe(200);
    expect(res.data).toMatchObject({ role: 'ae', teamId: 'amer', managerId: org.amerManager.id, timeZone: 'America/Chicago' });

    expect((await call(h, org.admin, 'PATCH', `/api/users/${org.emeaSdr.id}`, { active: false })).statusCode).toBe(200);
    expect(errorOf(await call(h, org.emeaSdr, 'GET', '/api/me')).code).toBe('not_provisioned');

    expect((await call(h, org.admin, 'PATCH', '/api/users/00000000-0000-4000-8000-000000000000', { active: false })).statusCode).toBe(404);
    expect((await call(h, org.emeaManager, 'PATCH', `/api/users/${org.emeaAe.id}`, { active: false })).statusCode).toBe(403);
  });
});

describe('teams', () => {
  it('admins create and change teams; managers read their own', async () => {
    const put = await call(h, org.admin, 'PUT', '/api/teams/apac', { name: 'Asia-Pacific', timeZone: 'Asia/Singapore', pairingMode: 'pool' });
    expect(put.statusCode).toBe(200);
    expect(put.data).toEqual({ id: 'apac', name: 'Asia-Pacific', timeZone: 'Asia/Singapore', pairingMode: 'pool' });
    const renamed = await call(h, org.admin, 'PUT', '/api/teams/apac', { name: 'APAC', timeZone: 'Asia/Singapore' });
    expect(renamed.data).toMatchObject({ name: 'APAC', pairingMode: 'pool' });

    const all = (await call(h, org.admin, 'GET', '/api/teams')).data as TeamList;
    expect(all.items.map((t) => t.id).sort()).toEqual(['amer', 'apac', 'emea']);
    const own = (await call(h, org.emeaManager, 'GET', '/api/teams')).data as TeamList;
    expect(own.items.map((t) => t.id)).toEqual(['emea']);
    expect((await call(h, org.emeaSdr, 'GET', '/api/teams')).statusCode).toBe(403);
    expect((await call(h, org.emeaManager, 'PUT', '/api/teams/emea', { name: 'Mine', timeZone: 'Europe/Berlin' })).statusCode).toBe(403);
    const badId = await call(h, org.admin, 'PUT', '/api/teams/Not%20A%20Slug', { name: 'x', timeZone: 'Europe/Berlin' });
    expect(errorOf(badId)).toMatchObject({ code: 'invalid_request', field: 'id' });
  });
});

describe('pairings', () => {
  it('a 1:1 pairing replaces both people’s pairings', async () => {
    const res = await call(h, org.admin, 'PUT', '/api/pairings', { sdrId: org.emeaSdr.id, aeId: org.emeaAe2.id });
    expect(res.statusCode).toBe(200);
    expect(res.data).toEqual({ sdrId: org.emeaSdr.id, aeId: org.emeaAe2.id, isPrimary: true });
    const list = (await call(h, org.emeaManager, 'GET', '/api/pairings')).data as PairingList;
    expect(list.items).toEqual([{ sdrId: org.emeaSdr.id, aeId: org.emeaAe2.id, isPrimary: true }]);
  });

  it('refuses pairings the domain forbids, and non-admins', async () => {
    const crossTeam = await call(h, org.admin, 'PUT', '/api/pairings', { sdrId: org.emeaSdr.id, aeId: org.amerAe.id });
    expect(crossTeam.statusCode).toBe(409);
    expect(errorOf(crossTeam).code).toBe('different_teams');
    const swapped = await call(h, org.admin, 'PUT', '/api/pairings', { sdrId: org.emeaAe.id, aeId: org.emeaSdr.id });
    expect(errorOf(swapped)).toMatchObject({ code: 'not_an_sdr', field: 'sdrId' });
    expect((await call(h, org.emeaManager, 'PUT', '/api/pairings', { sdrId: org.emeaSdr.id, aeId: org.emeaAe2.id })).statusCode).toBe(403);
  });

  it('lists by team (managers: their own) and deletes', async () => {
    const all = (await call(h, org.admin, 'GET', '/api/pairings')).data as PairingList;
    expect(all.items).toHaveLength(3);
    const amer = (await call(h, org.admin, 'GET', '/api/pairings?teamId=amer')).data as PairingList;
    expect(amer.items).toEqual([{ sdrId: org.amerSdr.id, aeId: org.amerAe.id, isPrimary: true }]);
    expect((await call(h, org.emeaManager, 'GET', '/api/pairings?teamId=amer')).statusCode).toBe(403);

    const del = await call(h, org.admin, 'DELETE', `/api/pairings/${org.amerSdr.id}/${org.amerAe.id}`);
    expect(del.statusCode).toBe(204);
    expect(del.body).toBe('');
    expect((await call(h, org.admin, 'DELETE', `/api/pairings/${org.amerSdr.id}/${org.amerAe.id}`)).statusCode).toBe(404);
  });
});
