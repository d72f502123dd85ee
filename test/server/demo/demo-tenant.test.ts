// The demo people Baton loads and the sandbox's demo tenant describe the same organisation: the same tenant, and
// each Baton user is the sandbox user with the same object id, address, role and team (sign-in finds users by oid).
import { demoPeople } from '../../../server/demo/demo-data';
import { loadTenantSeed } from '../../../server/sandbox/directory';

const seed = loadTenantSeed();

describe('demo tenant', () => {
  it('uses one tenant id on both sides', () => {
    expect(demoPeople.tenantId).toBe(seed.tenantId);
  });

  it.each(demoPeople.users.map((u) => [u.displayName, u] as const))('%s is the same person in the sandbox directory', (_name, u) => {
    const sandboxUser = seed.users.find((s) => s.id === u.entraOid);
    expect(sandboxUser).toMatchObject({ userPrincipalName: u.email, displayName: u.displayName, batonRole: u.role, team: u.team });
    const manager = demoPeople.users.find((m) => m.key === u.manager);
    expect(sandboxUser?.manager ?? null).toBe(manager?.entraOid ?? null);
  });

  it('has at least 3 SDRs, 4 AEs and 2 managers in two teams, and one AE with automatic replies on', () => {
    const count = (role: string) => seed.users.filter((u) => u.batonRole === role).length;
    expect([count('sdr') >= 3, count('ae') >= 4, count('manager') >= 2]).toEqual([true, true, true]);
    expect(new Set(seed.users.map((u) => u.team).filter(Boolean)).size).toBe(2);
    expect(seed.users.filter((u) => u.batonRole === 'ae' && u.mailboxSettings.automaticRepliesSetting?.status === 'alwaysEnabled')).toHaveLength(1);
  });
});
