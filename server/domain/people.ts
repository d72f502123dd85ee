// People: users with their role, team, manager and time zone; teams; SDR↔AE pairing (1:1 by default, or a pool)
// and an AE's backup. Pure rules for who may be paired with whom. Imports: ./lead only.
import { fail, ok, type Result, type Role } from './lead';

export interface Team {
  id: string;
  name: string;
  /** IANA name: the team's reports and schedules run in it. */
  timeZone: string;
  /** `one_to_one`: each SDR has one AE and each AE one SDR. `pool`: an SDR may hand to several AEs. */
  pairingMode: 'one_to_one' | 'pool';
}

export interface User {
  id: string;
  /** The Entra ID object id (`oid` claim): how a signed-in user is found. */
  entraOid: string;
  tenantId: string | null;
  email: string;
  displayName: string;
  role: Role;
  teamId: string | null;
  managerId: string | null;
  /** For an AE: who takes their hand-offs while they are away. */
  backupId: string | null;
  /** IANA name. */
  timeZone: string;
  active: boolean;
}

export interface Pairing {
  sdrId: string;
  aeId: string;
  isPrimary: boolean;
}

type PairingUser = Pick<User, 'id' | 'role' | 'teamId' | 'active'>;

/**
 * Checks a new pairing against the team's mode and the pairings that exist. In `one_to_one` mode the pairing
 * replaces the SDR's and the AE's current ones (the caller removes them); in `pool` mode it is added.
 */
export function checkPairing(
  sdr: PairingUser,
  ae: PairingUser,
  team: Pick<Team, 'id' | 'pairingMode'>,
  request: { isPrimary: boolean },
): Result<{ replacesExisting: boolean; isPrimary: boolean }> {
  if (sdr.role !== 'sdr') return fail('not_an_sdr', 'the first user of a pairing must be an SDR', 'sdrId');
  if (ae.role !== 'ae') return fail('not_an_ae', 'the second user of a pairing must be an AE', 'aeId');
  if (!sdr.active) return fail('inactive_user', 'the SDR is no longer active', 'sdrId');
  if (!ae.active) return fail('inactive_user', 'the AE is no longer active', 'aeId');
  if (sdr.teamId !== team.id || ae.teamId !== team.id) {
    return fail('different_teams', 'an SDR and an AE are paired within one team', 'aeId');
  }
  if (team.pairingMode === 'one_to_one') return ok({ replacesExisting: true, isPrimary: true });
  return ok({ replacesExisting: false, isPrimary: request.isPrimary });
}

/** Checks an AE's backup: another active AE of the same team. */
export function checkBackup(ae: PairingUser, backup: PairingUser): Result<true> {
  if (ae.role !== 'ae') return fail('not_an_ae', 'only an AE has a backup', 'aeId');
  if (backup.id === ae.id) return fail('backup_is_self', 'an AE cannot be their own backup', 'backupId');
  if (backup.role !== 'ae') return fail('not_an_ae', 'the backup must be an AE', 'backupId');
  if (!backup.active) return fail('inactive_user', 'the backup is no longer active', 'backupId');
  if (backup.teamId !== ae.teamId) return fail('different_teams', 'the backup must be in the same team', 'backupId');
  return ok(true);
}

/** The AE a new hand-off goes to: the one asked for if the SDR may hand to them, else the primary pairing. */
export function chooseAe(pairings: readonly Pairing[], sdrId: string, requestedAeId?: string | null): Result<string> {
  const mine = pairings.filter((p) => p.sdrId === sdrId);
  if (requestedAeId) {
    return mine.some((p) => p.aeId === requestedAeId)
      ? ok(requestedAeId)
      : fail('ae_not_paired', 'this AE is not paired with the SDR', 'aeId');
  }
  const primary = mine.find((p) => p.isPrimary) ?? mine[0];
  return primary ? ok(primary.aeId) : fail('no_pairing', 'the SDR has no paired AE', 'aeId');
}
