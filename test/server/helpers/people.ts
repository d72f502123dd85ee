// Test people: two teams with SDRs, AEs and managers, created through the real PeopleStore.
import type { Team, User } from '../../../server/domain/people';
import type { Db } from '../../../server/store/database';
import { createPeopleStore } from '../../../server/store/people-store';

export interface TestPeople {
  teams: { north: Team; south: Team };
  admin: User;
  northManager: User;
  southManager: User;
  sdr1: User;
  sdr2: User;
  ae1: User;
  ae2: User;
  southSdr: User;
  southAe: User;
}

let counter = 0;

export async function seedPeople(db: Db, now = new Date('2026-11-02T09:00:00Z')): Promise<TestPeople> {
  const people = createPeopleStore(db);
  const north = await people.upsertTeam({ id: 'north', name: 'North', timeZone: 'Europe/Berlin', pairingMode: 'one_to_one' });
  const south = await people.upsertTeam({ id: 'south', name: 'South', timeZone: 'America/New_York', pairingMode: 'pool' });
  const mk = (name: string, role: User['role'], teamId: string | null, managerId: string | null = null, timeZone = 'Europe/Berlin') =>
    people.createUser(
      {
        entraOid: `oid-${name}-${++counter}`,
        tenantId: 'tenant-1',
        email: `${name}@baton.example`,
        displayName: name.replace(/^./, (c) => c.toUpperCase()),
        role,
        teamId,
        managerId,
        backupId: null,
        timeZone,
      },
      now,
    );
  const admin = await mk('admin', 'admin', null);
  const northManager = await mk('nora', 'manager', 'north');
  const southManager = await mk('sam', 'manager', 'south', null, 'America/New_York');
  const sdr1 = await mk('sara', 'sdr', 'north', northManager.id);
  const sdr2 = await mk('sid', 'sdr', 'north', northManager.id);
  const ae1 = await mk('alex', 'ae', 'north', northManager.id);
  const ae2 = await mk('ava', 'ae', 'north', northManager.id);
  const southSdr = await mk('sol', 'sdr', 'south', southManager.id, 'America/New_York');
  const southAe = await mk('abe', 'ae', 'south', southManager.id, 'America/New_York');
  return { teams: { north, south }, admin, northManager, southManager, sdr1, sdr2, ae1, ae2, southSdr, southAe };
}
