// One-click actions from Baton's mails: what a signed link names (the hand-off, the action, the recipient, a unique
// id, an expiry, and the action's parameter: the AE to reassign to, the hours to give), and the pure rules of who may
// take which action and when a link is stale. Signing lives with the engine; this module only decides.
// Pure. Imports: zod, ./lead.
import { z } from 'zod';
import { fail, ok, type Actor, type Result } from './lead';

export const actionKinds = ['reassign', 'more_time', 'nudge', 'hand_back'] as const;
export type ActionKind = (typeof actionKinds)[number];

/** What a signed link carries. Times are whole seconds (the token's `exp`). */
export interface ActionClaims {
  /** The link's unique id: issued once, used once (action_tokens.id). */
  readonly id: string;
  readonly handoffId: string;
  readonly action: ActionKind;
  /** The user the link was mailed to; the action is taken in their name. */
  readonly recipientId: string;
  readonly expiresAt: Date;
  /** `reassign`: the AE named in the mail ("Reassign to …"). */
  readonly aeId?: string | undefined;
  /** `more_time`: the working hours offered ("Give 4 more working hours"). */
  readonly hours?: number | undefined;
}

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);

/** The wire form: short keys keep the URL short; `v` versions the format. */
const wire = z.strictObject({
  v: z.literal(1),
  jti: uuid,
  h: uuid,
  a: z.enum(actionKinds),
  r: uuid,
  exp: z.number().int().positive(),
  ae: uuid.optional(),
  n: z.number().positive().max(200).optional(),
});
export type ActionWireClaims = z.infer<typeof wire>;

export function claimsToWire(c: ActionClaims): ActionWireClaims {
  return {
    v: 1,
    jti: c.id,
    h: c.handoffId,
    a: c.action,
    r: c.recipientId,
    exp: Math.floor(c.expiresAt.getTime() / 1000),
    ...(c.aeId === undefined ? {} : { ae: c.aeId }),
    ...(c.hours === undefined ? {} : { n: c.hours }),
  };
}

/**
 * Reads verified wire claims. Refusal `link_invalid` when the shape is wrong or the action lacks its parameter
 * (a reassign without its AE, more time without hours).
 */
export function claimsFromWire(input: unknown): Result<ActionClaims> {
  const parsed = wire.safeParse(input);
  if (!parsed.success) return fail('link_invalid', 'This link is not a Baton action link.', 'token');
  const w = parsed.data;
  if (w.a === 'reassign' && w.ae === undefined) return fail('link_invalid', 'This reassign link names no AE.', 'token');
  if (w.a === 'more_time' && w.n === undefined) return fail('link_invalid', 'This link names no number of hours.', 'token');
  return ok({
    id: w.jti,
    handoffId: w.h,
    action: w.a,
    recipientId: w.r,
    expiresAt: new Date(w.exp * 1000),
    ...(w.ae === undefined ? {} : { aeId: w.ae }),
    ...(w.n === undefined ? {} : { hours: w.n }),
  });
}

/** The expiry of a link issued at `now` that lives `ttlHours`, rounded down to the second. */
export function expiryOf(now: Date, ttlHours: number): Date {
  return new Date(Math.floor((now.getTime() + ttlHours * 3_600_000) / 1000) * 1000);
}

/** `link_expired` once `now` reaches the expiry. */
export function checkFresh(claims: Pick<ActionClaims, 'expiresAt'>, now: Date): Result<true> {
  return now.getTime() < claims.expiresAt.getTime() ? ok(true) : fail('link_expired', 'This link has expired.', 'token');
}

/**
 * Whether `actor` may take `action` on the hand-off: reassign, more time and nudge are for a manager of the hand-off's
 * team or an admin; hand back is for the hand-off's AE. The API's routes and the links share this rule.
 */
export function mayTakeAction(actor: Actor, action: ActionKind, handoff: { teamId: string; aeId: string }): Result<true> {
  switch (action) {
    case 'reassign':
    case 'more_time':
    case 'nudge':
      if (actor.role === 'admin' || (actor.role === 'manager' && actor.teamId === handoff.teamId)) return ok(true);
      return fail('forbidden', 'Only a manager of the team or an admin can do this.');
    case 'hand_back':
      if (actor.userId === handoff.aeId) return ok(true);
      return fail('not_the_ae', 'Only the AE of this hand-off can hand it back.');
  }
}
