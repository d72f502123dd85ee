// Signed action links: a token verifies only unchanged and under the server's secret; the domain reads its claims,
// says when it is stale and who may take which action.
import { createActionLinks } from '../../../server/engine/action-links';
import { checkFresh, claimsFromWire, mayTakeAction, type ActionKind } from '../../../server/domain/action-link';
import type { Actor } from '../../../server/domain/lead';

const secret = 'a-test-secret-that-is-long-enough-0123456789';
const now = new Date('2026-11-24T09:00:00Z');
const handoffId = '11111111-1111-4111-8111-111111111111';
const managerId = '22222222-2222-4222-8222-222222222222';
const aeId = '33333333-3333-4333-8333-333333333333';
const backupId = '44444444-4444-4444-8444-444444444444';

const links = createActionLinks({ secret, ttlHours: 48, baseUrl: 'https://baton.example.com/' });

function tokenOf(url: string): string {
  return url.slice('https://baton.example.com/actions/'.length);
}

describe('action link tokens', () => {
  it('issues a link at the public URL whose token verifies to the same claims', () => {
    const { claims, url } = links.issue({ handoffId, action: 'reassign', recipientId: managerId, aeId: backupId }, now);
    expect(url.startsWith('https://baton.example.com/actions/')).toBe(true);
    expect(claims.expiresAt.toISOString()).toBe('2026-11-26T09:00:00.000Z');
    const verified = links.verify(tokenOf(url));
    expect(verified).toEqual({ ok: true, value: claims });
  });

  it('gives every link its own id', () => {
    const a = links.issue({ handoffId, action: 'nudge', recipientId: managerId }, now);
    const b = links.issue({ handoffId, action: 'nudge', recipientId: managerId }, now);
    expect(a.claims.id).not.toBe(b.claims.id);
  });

  it.each([
    ['a changed payload', (t: string) => {
      const [p, s] = t.split('.') as [string, string];
      const json = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
      json['a'] = 'reassign';
      json['ae'] = aeId;
      return `${Buffer.from(JSON.stringify(json)).toString('base64url')}.${s}`;
    }],
    ['a changed signature', (t: string) => `${t.slice(0, -2)}${t.endsWith('AA') ? 'BB' : 'AA'}`],
    ['no signature', (t: string) => t.split('.')[0] ?? ''],
    ['a cut token', (t: string) => t.slice(0, 40)],
    ['extra parts', (t: string) => `${t}.x`],
    ['characters outside base64url', (t: string) => `${t.slice(0, 10)}<${t.slice(11)}`],
    ['a huge token', (t: string) => `${t}${'A'.repeat(3000)}`],
  ])('refuses %s', (_name, change) => {
    const { url } = links.issue({ handoffId, action: 'nudge', recipientId: managerId }, now);
    const result = links.verify(change(tokenOf(url)));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('link_invalid');
  });

  it('refuses a token signed with another secret', () => {
    const other = createActionLinks({ secret: `${secret}-other`, ttlHours: 48, baseUrl: 'https://baton.example.com' });
    const { url } = other.issue({ handoffId, action: 'nudge', recipientId: managerId }, now);
    expect(links.verify(tokenOf(url)).ok).toBe(false);
  });

  it('refuses a short secret at start', () => {
    expect(() => createActionLinks({ secret: 'short', ttlHours: 1, baseUrl: 'https://x.example.com' })).toThrow(/at least 32/);
  });
});

describe('action claims (domain)', () => {
  it('is fresh until the expiry, stale from it', () => {
    const expiresAt = new Date('2026-11-26T09:00:00Z');
    expect(checkFresh({ expiresAt }, new Date('2026-11-26T08:59:59Z')).ok).toBe(true);
    expect(checkFresh({ expiresAt }, expiresAt)).toEqual({ ok: false, error: expect.objectContaining({ code: 'link_expired' }) as unknown });
  });

  it.each([
    [{ v: 1, jti: handoffId, h: handoffId, a: 'reassign', r: managerId, exp: 1 }, 'a reassign link without its AE'],
    [{ v: 1, jti: handoffId, h: handoffId, a: 'more_time', r: managerId, exp: 1 }, 'more time without hours'],
    [{ v: 2, jti: handoffId, h: handoffId, a: 'nudge', r: managerId, exp: 1 }, 'another version'],
    [{ v: 1, jti: 'x', h: handoffId, a: 'nudge', r: managerId, exp: 1 }, 'an id that is not a uuid'],
    [{ v: 1, jti: handoffId, h: handoffId, a: 'delete_everything', r: managerId, exp: 1 }, 'an unknown action'],
    [{ v: 1, jti: handoffId, h: handoffId, a: 'nudge', r: managerId, exp: 1, extra: true }, 'an unknown field'],
  ] as [Record<string, unknown>, string][])('refuses %j (%s)', (wire) => {
    expect(claimsFromWire(wire)).toEqual({ ok: false, error: expect.objectContaining({ code: 'link_invalid', field: 'token' }) as unknown });
  });

  const handoff = { teamId: 'emea', aeId };
  const people: Record<string, Actor> = {
    'manager of the team': { userId: managerId, role: 'manager', teamId: 'emea' },
    'manager of another team': { userId: managerId, role: 'manager', teamId: 'amer' },
    admin: { userId: managerId, role: 'admin', teamId: null },
    'the AE': { userId: aeId, role: 'ae', teamId: 'emea' },
    'another AE': { userId: backupId, role: 'ae', teamId: 'emea' },
    'an SDR': { userId: backupId, role: 'sdr', teamId: 'emea' },
  };
  const table: [string, ActionKind, boolean][] = [
    ['manager of the team', 'reassign', true],
    ['manager of the team', 'more_time', true],
    ['manager of the team', 'nudge', true],
    ['manager of the team', 'hand_back', false],
    ['manager of another team', 'reassign', false],
    ['manager of another team', 'nudge', false],
    ['admin', 'reassign', true],
    ['admin', 'more_time', true],
    ['admin', 'hand_back', false],
    ['the AE', 'reassign', false],
    ['the AE', 'more_time', false],
    ['the AE', 'nudge', false],
    ['the AE', 'hand_back', true],
    ['another AE', 'hand_back', false],
    ['an SDR', 'reassign', false],
    ['an SDR', 'hand_back', false],
  ];
  it.each(table)('%s may take %s: %s', (who, action, allowed) => {
    expect(mayTakeAction(people[who] as Actor, action, handoff).ok).toBe(allowed);
  });
});
