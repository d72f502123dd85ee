// PeopleStore against a real database (embedded, or PostgreSQL when DATABASE_URL is set).
import { createPeopleStore } from '../../../server/store/people-store';
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import { seedPeople } from '../helpers/people';

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await openTestDatabase();
}, 60_000);
afterAll(() => tdb.close());
beforeEach(() => tdb.reset());

const now = new Date('2026-11-03T10:00:00Z');

describe('people store', () => {
  it('finds a user by Entra object id and by email, whatever its case', async () => {
    const p = await seedPeople(tdb.db);
    const store = createPeopleStore(tdb.db);
    expect((await store.findByOid(p.sdr1.entraOid))?.email).toBe('sara@baton.example');
    expect((await store.findByEmail('SARA@Baton.Example'))?.id).toBe(p.sdr1.id);
    expect(await store.findByOid('nobody')).toBeUndefined();
  });

  it('refuses a second user with the same email', async () => {
    await seedPeople(tdb.db);
    const store = createPeopleStore(tdb.db);
    await expect(
      store.createUser({ entraOid: 'x', tenantId: null, email: 'Sara@baton.example', displayName: 'Dup', role: 'sdr', teamId: 'north', managerId: null, backupId: null, timeZone: 'UTC' }, now),
    ).rejects.toThrow();
  });

  it('keeps one primary AE per SDR: a 1:1 pairing replaces both sides', async () => {
    const p = await seedPeople(tdb.db);
    const store = createPeopleStore(tdb.db);
    await store.pair({ sdrId: p.sdr1.id, aeId: p.ae1.id, isPrimary: true }, true);
    await store.pair({ sdrId: p.sdr2.id, aeId: p.ae1.id, isPrimary: true }, true);
    expect(await store.pairingsOf(p.sdr1.id)).toEqual([]);
    expect(await store.pairingsOf(p.ae1.id)).toEqual([{ sdrId: p.sdr2.id, aeId: p.ae1.id, isPrimary: true }]);
  });

  it('lets a pool SDR hand to several AEs with one primary', async () => {
    const p = await seedPeople(tdb.db);
    const store = createPeopleStore(tdb.db);
    const ae3 = await store.createUser({ entraOid: 'oid-ae3', tenantId: null, email: 'ae3@baton.example', displayName: 'Ae3', role: 'ae', teamId: 'south', managerId: null, backupId: null, timeZone: 'UTC' }, now);
    await store.pair({ sdrId: p.southSdr.id, aeId: p.southAe.id, isPrimary: true }, false);
    await store.pair({ sdrId: p.southSdr.id, aeId: ae3.id, isPrimary: true }, false);
    const pairs = await store.pairingsOfTeam('south');
    expect(pairs).toHaveLength(2);
    expect(pairs.filter((x) => x.isPrimary).map((x) => x.aeId)).toEqual([ae3.id]);
    expect(await store.unpair(p.southSdr.id, p.southAe.id)).toBe(true);
    expect(await store.unpair(p.southSdr.id, p.southAe.id)).toBe(false);
  });

  it('records an AE backup and a deactivation', async () => {
    const p = await seedPeople(tdb.db);
    const store = createPeopleStore(tdb.db);
    const updated = await store.updateUser(p.ae1.id, { backupId: p.ae2.id, active: false }, now);
    expect(updated).toMatchObject({ backupId: p.ae2.id, active: false });
    expect(await store.updateUser('00000000-0000-0000-0000-000000000000', { active: false }, now)).toBeUndefined();
  });
});
