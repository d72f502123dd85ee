// Access: which leads each role sees (as a filter and lead by lead, consistently), edits and creates.
// Pure domain test: no database.
import type { Actor, Lead } from '../../../server/domain/lead';
import { canCreateLead, canEditLead, canViewLead, leadScope, type LeadScope } from '../../../server/domain/access';

const admin: Actor = { userId: 'admin-1', role: 'admin', teamId: null };
const sdr: Actor = { userId: 'sdr-1', role: 'sdr', teamId: 'team-a' };
const teammate: Actor = { userId: 'sdr-2', role: 'sdr', teamId: 'team-a' };
const sdrOfB: Actor = { userId: 'sdr-3', role: 'sdr', teamId: 'team-b' };
const sdrNoTeam: Actor = { userId: 'sdr-4', role: 'sdr', teamId: null };
const ae: Actor = { userId: 'ae-1', role: 'ae', teamId: 'team-a' };
const otherAe: Actor = { userId: 'ae-2', role: 'ae', teamId: 'team-a' };
const manager: Actor = { userId: 'mgr-1', role: 'manager', teamId: 'team-a' };
const managerOfB: Actor = { userId: 'mgr-2', role: 'manager', teamId: 'team-b' };
const managerNoTeam: Actor = { userId: 'mgr-3', role: 'manager', teamId: null };

type Held = Pick<Lead, 'teamId' | 'ownerId' | 'aeId'>;
/** Team A's lead, owned by sdr-1, handed to ae-1. */
const handedOff: Held = { teamId: 'team-a', ownerId: 'sdr-1', aeId: 'ae-1' };
/** Team A's lead not handed off yet. */
const fresh: Held = { teamId: 'team-a', ownerId: 'sdr-1', aeId: null };
/** Sales Qualified: the AE owns it. */
const salesQualified: Held = { teamId: 'team-a', ownerId: 'ae-1', aeId: 'ae-1' };

describe('leadScope', () => {
  it.each<[string, Actor, LeadScope]>([
    ['admin', admin, { kind: 'all' }],
    ['sdr', sdr, { kind: 'team', teamId: 'team-a' }],
    ['manager', manager, { kind: 'team', teamId: 'team-a' }],
    ['ae', ae, { kind: 'ae', aeId: 'ae-1' }],
    ['sdr without a team', sdrNoTeam, { kind: 'none' }],
    ['manager without a team', managerNoTeam, { kind: 'none' }],
  ])('%s', (_name, actor, scope) => {
    expect(leadScope(actor)).toEqual(scope);
  });
});

const actors: [string, Actor][] = [
  ['admin', admin],
  ['owning sdr', sdr],
  ['teammate sdr', teammate],
  ['sdr of another team', sdrOfB],
  ['sdr without a team', sdrNoTeam],
  ['the lead’s ae', ae],
  ['another ae', otherAe],
  ['manager of the team', manager],
  ['manager of another team', managerOfB],
  ['manager without a team', managerNoTeam],
];
const leads: [string, Held][] = [
  ['handed-off lead', handedOff],
  ['fresh lead', fresh],
  ['sales-qualified lead', salesQualified],
];

// [actor, lead] → [can view, can edit]
const expected: Record<string, Record<string, [boolean, boolean]>> = {
  admin: { 'handed-off lead': [true, true], 'fresh lead': [true, true], 'sales-qualified lead': [true, true] },
  'owning sdr': { 'handed-off lead': [true, true], 'fresh lead': [true, true], 'sales-qualified lead': [true, false] },
  'teammate sdr': { 'handed-off lead': [true, false], 'fresh lead': [true, false], 'sales-qualified lead': [true, false] },
  'sdr of another team': { 'handed-off lead': [false, false], 'fresh lead': [false, false], 'sales-qualified lead': [false, false] },
  'sdr without a team': { 'handed-off lead': [false, false], 'fresh lead': [false, false], 'sales-qualified lead': [false, false] },
  'the lead’s ae': { 'handed-off lead': [true, false], 'fresh lead': [false, false], 'sales-qualified lead': [true, true] },
  'another ae': { 'handed-off lead': [false, false], 'fresh lead': [false, false], 'sales-qualified lead': [false, false] },
  'manager of the team': { 'handed-off lead': [true, true], 'fresh lead': [true, true], 'sales-qualified lead': [true, true] },
  'manager of another team': { 'handed-off lead': [false, false], 'fresh lead': [false, false], 'sales-qualified lead': [false, false] },
  'manager without a team': { 'handed-off lead': [false, false], 'fresh lead': [false, false], 'sales-qualified lead': [false, false] },
};

const cases = actors.flatMap(([actorName, actor]) =>
  leads.map(([leadName, held]): [string, string, Actor, Held, boolean, boolean] => {
    const [view, edit] = expected[actorName]?.[leadName] ?? [false, false];
    return [actorName, leadName, actor, held, view, edit];
  }),
);

describe('canViewLead / canEditLead', () => {
  it.each(cases)('%s on a %s', (_a, _l, actor, held, view, edit) => {
    expect([canViewLead(actor, held), canEditLead(actor, held)]).toEqual([view, edit]);
  });

  it.each(cases)('%s on a %s: view agrees with leadScope', (_a, _l, actor, held) => {
    const scope = leadScope(actor);
    const inScope =
      scope.kind === 'all' ||
      (scope.kind === 'team' && scope.teamId === held.teamId) ||
      (scope.kind === 'ae' && scope.aeId === held.aeId);
    expect(canViewLead(actor, held)).toBe(inScope);
  });
});

describe('canCreateLead', () => {
  it.each<[string, Actor, boolean]>([
    ['admin', admin, true],
    ['sdr', sdr, true],
    ['manager', manager, true],
    ['ae', ae, false],
    ['sdr without a team', sdrNoTeam, false],
    ['manager without a team', managerNoTeam, false],
  ])('%s → %s', (_name, actor, allowed) => {
    expect(canCreateLead(actor)).toBe(allowed);
  });
});
