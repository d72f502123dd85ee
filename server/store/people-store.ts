// People repository: teams, users, SDR↔AE pairings and AEs' backups. Imports: kysely, ./schema, the domain.
import type { Kysely } from 'kysely';
import type { Role } from '../domain/lead';
import type { Pairing, Team, User } from '../domain/people';
import type { Database, TeamRow, UserRow } from './schema';

export type NewUser = Omit<User, 'id' | 'active'> & { id?: string; active?: boolean };
export type UserPatch = Partial<Omit<User, 'id' | 'entraOid'>>;

export interface PeopleStore {
  upsertTeam(team: Team): Promise<Team>;
  getTeam(id: string): Promise<Team | undefined>;
  listTeams(): Promise<Team[]>;
  createUser(user: NewUser, now: Date): Promise<User>;
  updateUser(id: string, patch: UserPatch, now: Date): Promise<User | undefined>;
  getUser(id: string): Promise<User | undefined>;
  findByOid(oid: string): Promise<User | undefined>;
  findByEmail(email: string): Promise<User | undefined>;
  listUsers(filter: { teamId?: string; role?: Role }): Promise<User[]>;
  /** Replaces (1:1) or adds (pool) a pairing in one transaction. */
  pair(pairing: Pairing, replaceExisting: boolean): Promise<void>;
  unpair(sdrId: string, aeId: string): Promise<boolean>;
  pairingsOf(userId: string): Promise<Pairing[]>;
  pairingsOfTeam(teamId: string): Promise<Pairing[]>;
}

export function userFromRow(r: UserRow): User {
  return {
    id: r.id,
    entraOid: r.entra_oid,
    tenantId: r.tenant_id,
    email: r.email,
    displayName: r.display_name,
    role: r.role,
    teamId: r.team_id,
    managerId: r.manager_id,
    backupId: r.backup_id,
    timeZone: r.time_zone,
    active: r.active,
  };
}

function teamFromRow(r: TeamRow): Team {
  return { id: r.id, name: r.name, timeZone: r.time_zone, pairingMode: r.pairing_mode };
}

export function createPeopleStore(db: Kysely<Database>): PeopleStore {
  const byColumn = async (column: 'id' | 'entra_oid', value: string) => {
    const row = await db.selectFrom('users').selectAll().where(column, '=', value).executeTakeFirst();
    return row ? userFromRow(row) : undefined;
  };
  return {
    async upsertTeam(team) {
      const row = await db
        .insertInto('teams')
        .values({ id: team.id, name: team.name, time_zone: team.timeZone, pairing_mode: team.pairingMode })
        .onConflict((oc) => oc.column('id').doUpdateSet({ name: team.name, time_zone: team.timeZone, pairing_mode: team.pairingMode }))
        .returningAll()
        .executeTakeFirstOrThrow();
      return teamFromRow(row);
    },
    async getTeam(id) {
      const row = await db.selectFrom('teams').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? teamFromRow(row) : undefined;
    },
    async listTeams() {
      return (await db.selectFrom('teams').selectAll().orderBy('name').execute()).map(teamFromRow);
    },
    async createUser(user, now) {
      const row = await db
        .insertInto('users')
        .values({
          ...(user.id ? { id: user.id } : {}),
          entra_oid: user.entraOid,
          tenant_id: user.tenantId,
          email: user.email.toLowerCase(),
          display_name: user.displayName,
          role: user.role,
          team_id: user.teamId,
          manager_id: user.managerId,
          backup_id: user.backupId,
          time_zone: user.timeZone,
          active: user.active ?? true,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return userFromRow(row);
    },
    async updateUser(id, patch, now) {
      const row = await db
        .updateTable('users')
        .set({
          ...(patch.tenantId !== undefined ? { tenant_id: patch.tenantId } : {}),
          ...(patch.email !== undefined ? { email: patch.email.toLowerCase() } : {}),
          ...(patch.displayName !== undefined ? { display_name: patch.displayName } : {}),
          ...(patch.role !== undefined ? { role: patch.role } : {}),
          ...(patch.teamId !== undefined ? { team_id: patch.teamId } : {}),
          ...(patch.managerId !== undefined ? { manager_id: patch.managerId } : {}),
          ...(patch.backupId !== undefined ? { backup_id: patch.backupId } : {}),
          ...(patch.timeZone !== undefined ? { time_zone: patch.timeZone } : {}),
          ...(patch.active !== undefined ? { active: patch.active } : {}),
          updated_at: now,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row ? userFromRow(row) : undefined;
    },
    getUser: (id) => byColumn('id', id),
    findByOid: (oid) => byColumn('entra_oid', oid),
    async findByEmail(email) {
      const row = await db.selectFrom('users').selectAll().where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase())).executeTakeFirst();
      return row ? userFromRow(row) : undefined;
    },
    async listUsers(filter) {
      let q = db.selectFrom('users').selectAll().orderBy('display_name');
      if (filter.teamId !== undefined) q = q.where('team_id', '=', filter.teamId);
      if (filter.role !== undefined) q = q.where('role', '=', filter.role);
      return (await q.execute()).map(userFromRow);
    },
    async pair(pairing, replaceExisting) {
      await db.transaction().execute(async (trx) => {
        if (replaceExisting) {
          await trx.deleteFrom('pairings').where((eb) => eb.or([eb('sdr_id', '=', pairing.sdrId), eb('ae_id', '=', pairing.aeId)])).execute();
        } else if (pairing.isPrimary) {
          await trx.updateTable('pairings').set({ is_primary: false }).where('sdr_id', '=', pairing.sdrId).execute();
        }
        await trx
          .insertInto('pairings')
          .values({ sdr_id: pairing.sdrId, ae_id: pairing.aeId, is_primary: pairing.isPrimary })
          .onConflict((oc) => oc.columns(['sdr_id', 'ae_id']).doUpdateSet({ is_primary: pairing.isPrimary }))
          .execute();
      });
    },
    async unpair(sdrId, aeId) {
      const r = await db.deleteFrom('pairings').where('sdr_id', '=', sdrId).where('ae_id', '=', aeId).executeTakeFirst();
      return r.numDeletedRows > 0n;
    },
    async pairingsOf(userId) {
      const rows = await db
        .selectFrom('pairings')
        .selectAll()
        .where((eb) => eb.or([eb('sdr_id', '=', userId), eb('ae_id', '=', userId)]))
        .orderBy('sdr_id')
        .execute();
      return rows.map((r) => ({ sdrId: r.sdr_id, aeId: r.ae_id, isPrimary: r.is_primary }));
    },
    async pairingsOfTeam(teamId) {
      const rows = await db
        .selectFrom('pairings')
        .innerJoin('users', 'users.id', 'pairings.sdr_id')
        .select(['pairings.sdr_id', 'pairings.ae_id', 'pairings.is_primary'])
        .where('users.team_id', '=', teamId)
        .execute();
      return rows.map((r) => ({ sdrId: r.sdr_id, aeId: r.ae_id, isPrimary: r.is_primary }));
    },
  };
}
