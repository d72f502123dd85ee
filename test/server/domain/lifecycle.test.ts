// Lead status and hand-off stage machines: every pair of states is allowed or illegal exactly as the process says,
// and each guard (qualification, AE, hand-back reason, who may move) holds. Pure domain test: no database.
import { leadStatuses, type Actor, type LeadStatus } from '../../../server/domain/lead';
import {
  handoffStages,
  handoffTransitions,
  leadTransitions,
  parseHandBackReasons,
  transitionHandoff,
  transitionLead,
  type HandBackReason,
  type HandoffStage,
  type LeadForTransition,
  type LeadTransitionContext,
  type LeadTransitionRequest,
} from '../../../server/domain/lifecycle';
import type { Qualification } from '../../../server/domain/qualification';
import shippedReasons from '../../../server/settings/hand-back-reasons.json';

const now = new Date('2025-03-04T10:00:00Z');
const qualified: Qualification = { qualified: true, missing: [] };
const notQualified: Qualification = {
  qualified: false,
  missing: [
    { field: 'phone', rule: 'required', label: 'Phone' },
    { field: 'budget', rule: 'budget_known', label: 'Budget known' },
  ],
};
const reasons: HandBackReason[] = [
  { code: 'no_budget', label: 'No budget' },
  { code: 'other', label: 'Other' },
];

const admin: Actor = { userId: 'admin-1', role: 'admin', teamId: null };
const sdr: Actor = { userId: 'sdr-1', role: 'sdr', teamId: 'team-a' };
const otherSdr: Actor = { userId: 'sdr-2', role: 'sdr', teamId: 'team-a' };
const ae: Actor = { userId: 'ae-1', role: 'ae', teamId: 'team-a' };
const otherAe: Actor = { userId: 'ae-2', role: 'ae', teamId: 'team-a' };
const manager: Actor = { userId: 'mgr-1', role: 'manager', teamId: 'team-a' };
const otherManager: Actor = { userId: 'mgr-2', role: 'manager', teamId: 'team-b' };

const lead = (status: LeadStatus, change: Partial<LeadForTransition> = {}): LeadForTransition => ({
  id: 'lead-1',
  status,
  teamId: 'team-a',
  ownerId: 'sdr-1',
  sdrId: 'sdr-1',
  aeId: 'ae-1',
  ...change,
});

const ctx = (change: Partial<LeadTransitionContext> = {}): LeadTransitionContext => ({
  actor: admin,
  now,
  qualification: qualified,
  handBackReasons: reasons,
  ...change,
});

/** A request that satisfies every guard of the move, so only the table decides. */
const fullRequest = (to: LeadStatus): LeadTransitionRequest => ({ to, reasonCode: 'no_budget', reasonText: 'Budget frozen until Q3', aeId: 'ae-1' });

// The process, written out pair by pair (not derived from the module under test).
const allowedLeadMoves = new Set([
  'new→working',
  'working→qualified',
  'qualified→suspect',
  'suspect→sales_qualified',
  'suspect→handed_back',
  'handed_back→nurture',
  'handed_back→disqualified',
  'new→disqualified',
  'working→disqualified',
  'qualified→working',
  'nurture→working',
]);

const leadPairs = leadStatuses.flatMap((from) =>
  leadStatuses.map((to): [LeadStatus, LeadStatus, boolean] => [from, to, allowedLeadMoves.has(`${from}→${to}`)]),
);

describe('lead status: every pair', () => {
  it('covers all 64 pairs', () => {
    expect(leadPairs).toHaveLength(64);
  });

  it.each(leadPairs)('%s → %s allowed: %s', (from, to, allowed) => {
    const result = transitionLead(lead(from), fullRequest(to), ctx());
    if (allowed) {
      expect(result).toMatchObject({ ok: true, value: { status: to } });
    } else {
      expect(result).toEqual({
        ok: false,
        error: { code: 'illegal_transition', message: expect.stringContaining(`${from} to ${to}`) as string, field: 'status' },
      });
    }
  });

  it('exports the same table as data', () => {
    const exported = Object.entries(leadTransitions).flatMap(([from, tos]) => tos.map((to) => `${from}→${to}`));
    expect(new Set(exported)).toEqual(allowedLeadMoves);
  });
});

describe('lead status: guards', () => {
  it('moves to qualified only when the lead is qualified, and says what is missing', () => {
    const result = transitionLead(lead('working'), { to: 'qualified' }, ctx({ qualification: notQualified }));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('not_qualified');
      expect(result.error.message).toContain('Phone');
      expect(result.error.message).toContain('Budget known');
    }
  });

  it('hands off (suspect) only while the lead is still qualified', () => {
    const result = transitionLead(lead('qualified'), { to: 'suspect', aeId: 'ae-1' }, ctx({ qualification: notQualified }));
    expect(!result.ok && result.error.code).toBe('not_qualified');
  });

  it.each<[string, string | null, string | null | undefined]>([
    ['no AE at all', null, undefined],
    ['a blank AE', null, '  '],
  ])('needs an AE to hand off: %s', (_name, leadAe, requestAe) => {
    const result = transitionLead(lead('qualified', { aeId: leadAe }), { to: 'suspect', aeId: requestAe }, ctx());
    expect(result).toEqual({ ok: false, error: { code: 'ae_required', message: expect.any(String) as string, field: 'aeId' } });
  });

  it('hands off to the AE named in the request; ownership stays with the SDR', () => {
    const result = transitionLead(lead('qualified', { aeId: null }), { to: 'suspect', aeId: 'ae-9' }, ctx({ actor: sdr }));
    expect(result).toMatchObject({ ok: true, value: { status: 'suspect', aeId: 'ae-9', ownerId: 'sdr-1' } });
  });

  it('hands off to the lead’s AE when the request names none', () => {
    const result = transitionLead(lead('qualified'), { to: 'suspect' }, ctx({ actor: sdr }));
    expect(result).toMatchObject({ ok: true, value: { aeId: 'ae-1' } });
  });

  it('a new hand-off clears the previous hand-back reason', () => {
    const before = lead('qualified', { handBackReason: 'no_budget', handBackText: 'frozen' });
    const result = transitionLead(before, { to: 'suspect' }, ctx({ actor: sdr }));
    expect(result).toMatchObject({ ok: true, value: { handBackReason: null, handBackText: null } });
  });

  it('Sales Qualified transfers ownership to the AE', () => {
    const result = transitionLead(lead('suspect'), { to: 'sales_qualified' }, ctx({ actor: ae }));
    expect(result).toMatchObject({ ok: true, value: { status: 'sales_qualified', ownerId: 'ae-1', aeId: 'ae-1' } });
  });

  it.each<[string, { reasonCode?: string | null; reasonText?: string | null }, string, string]>([
    ['no reason code', { reasonText: 'no money' }, 'reason_required', 'reasonCode'],
    ['a blank reason code', { reasonCode: ' ', reasonText: 'no money' }, 'reason_required', 'reasonCode'],
    ['an unknown reason code', { reasonCode: 'too_tall', reasonText: 'no money' }, 'unknown_reason', 'reasonCode'],
    ['no text', { reasonCode: 'no_budget' }, 'reason_text_required', 'reasonText'],
    ['blank text', { reasonCode: 'no_budget', reasonText: '   ' }, 'reason_text_required', 'reasonText'],
    ['text over 10,000 characters', { reasonCode: 'no_budget', reasonText: 'x'.repeat(10_001) }, 'too_long', 'reasonText'],
  ])('hand back is refused with %s', (_name, reason, code, field) => {
    const result = transitionLead(lead('suspect'), { to: 'handed_back', ...reason }, ctx({ actor: ae }));
    expect(result).toEqual({ ok: false, error: { code, field, message: expect.any(String) as string } });
  });

  it('hand back keeps the reason, returns ownership to the SDR and records the audit line', () => {
    const result = transitionLead(
      lead('suspect', { ownerId: 'someone-else' }),
      { to: 'handed_back', reasonCode: 'no_budget', reasonText: ' Budget frozen until Q3 ' },
      ctx({ actor: ae }),
    );
    expect(result).toEqual({
      ok: true,
      value: {
        status: 'handed_back',
        ownerId: 'sdr-1',
        aeId: 'ae-1',
        handBackReason: 'no_budget',
        handBackText: 'Budget frozen until Q3',
        audit: {
          entity: 'lead',
          entityId: 'lead-1',
          actorId: 'ae-1',
          at: now,
          from: 'suspect',
          to: 'handed_back',
          reasonCode: 'no_budget',
          reasonText: 'Budget frozen until Q3',
        },
      },
    });
  });

  it('nurture keeps the hand-back reason', () => {
    const before = lead('handed_back', { handBackReason: 'no_budget', handBackText: 'frozen' });
    const result = transitionLead(before, { to: 'nurture' }, ctx({ actor: sdr }));
    expect(result).toMatchObject({ ok: true, value: { handBackReason: 'no_budget', handBackText: 'frozen' } });
  });

  it('audits other moves with an optional reason', () => {
    const result = transitionLead(lead('working'), { to: 'disqualified', reasonText: 'Student, not a buyer' }, ctx({ actor: sdr }));
    expect(result.ok && result.value.audit).toEqual({
      entity: 'lead',
      entityId: 'lead-1',
      actorId: 'sdr-1',
      at: now,
      from: 'working',
      to: 'disqualified',
      reasonCode: null,
      reasonText: 'Student, not a buyer',
    });
  });
});

describe('lead status: who may move', () => {
  const handBack = { to: 'handed_back' as const, reasonCode: 'other', reasonText: 'Wrong person' };
  it.each<[string, Actor, LeadStatus, LeadTransitionRequest, boolean]>([
    ['the lead’s AE: Sales Qualified', ae, 'suspect', { to: 'sales_qualified' }, true],
    ['the lead’s AE: hand back', ae, 'suspect', handBack, true],
    ['another AE: Sales Qualified', otherAe, 'suspect', { to: 'sales_qualified' }, false],
    ['another AE: hand back', otherAe, 'suspect', handBack, false],
    ['the owning SDR: Sales Qualified', sdr, 'suspect', { to: 'sales_qualified' }, false],
    ['the owning SDR: hand back', sdr, 'suspect', handBack, false],
    ['a manager of the team: Sales Qualified', manager, 'suspect', { to: 'sales_qualified' }, true],
    ['a manager of another team: Sales Qualified', otherManager, 'suspect', { to: 'sales_qualified' }, false],
    ['an admin: hand back', admin, 'suspect', handBack, true],
    ['the owning SDR: start work', sdr, 'new', { to: 'working' }, true],
    ['the owning SDR: qualify', sdr, 'working', { to: 'qualified' }, true],
    ['the owning SDR: hand off', sdr, 'qualified', { to: 'suspect' }, true],
    ['the owning SDR: nurture', sdr, 'handed_back', { to: 'nurture' }, true],
    ['the owning SDR: disqualify', sdr, 'new', { to: 'disqualified' }, true],
    ['the owning SDR: re-engage', sdr, 'nurture', { to: 'working' }, true],
    ['another SDR of the team: start work', otherSdr, 'new', { to: 'working' }, false],
    ['the owning SDR, moved to another team', { ...sdr, teamId: 'team-b' }, 'new', { to: 'working' }, false],
    ['the lead’s AE: start work', ae, 'new', { to: 'working' }, false],
    ['the lead’s AE: nurture', ae, 'handed_back', { to: 'nurture' }, false],
    ['a manager of the team: hand off', manager, 'qualified', { to: 'suspect' }, true],
    ['a manager of another team: start work', otherManager, 'new', { to: 'working' }, false],
    ['a manager without a team', { ...manager, teamId: null }, 'new', { to: 'working' }, false],
    ['an admin: disqualify', admin, 'working', { to: 'disqualified' }, true],
  ])('%s → allowed: %s', (_name, actor, from, request, allowed) => {
    const result = transitionLead(lead(from), request, ctx({ actor }));
    if (allowed) expect(result.ok).toBe(true);
    else expect(!result.ok && result.error.code).toBe('forbidden');
  });
});

// ---------------------------------------------------------------------------------------------------------------

const allowedHandoffMoves = new Set([
  'intro_composed→intro_sent',
  'intro_sent→invite_sent',
  'invite_sent→accepted',
  'invite_sent→declined',
  'accepted→met',
  'accepted→no_show',
  'accepted→rescheduled',
  'declined→invite_sent',
  'declined→closed',
  'rescheduled→invite_sent',
  'rescheduled→accepted',
  'met→closed',
  'no_show→rescheduled',
  'no_show→closed',
  // Any stage but closed may be closed (the hand-off is cancelled).
  'intro_composed→closed',
  'intro_sent→closed',
  'invite_sent→closed',
  'accepted→closed',
  'rescheduled→closed',
]);

const handoffPairs = handoffStages.flatMap((from) =>
  handoffStages.map((to): [HandoffStage, HandoffStage, boolean] => [from, to, allowedHandoffMoves.has(`${from}→${to}`)]),
);

describe('hand-off stage: every pair', () => {
  it('covers all 81 pairs', () => {
    expect(handoffPairs).toHaveLength(81);
  });

  it.each(handoffPairs)('%s → %s allowed: %s', (from, to, allowed) => {
    const result = transitionHandoff({ id: 'h-1', stage: from }, to, { actorId: null, now });
    if (allowed) expect(result).toMatchObject({ ok: true, value: { stage: to } });
    else {
      expect(result).toEqual({
        ok: false,
        error: { code: 'illegal_transition', message: expect.stringContaining(`${from} to ${to}`) as string, field: 'stage' },
      });
    }
  });

  it('exports the same table as data', () => {
    const exported = Object.entries(handoffTransitions).flatMap(([from, tos]) => tos.map((to) => `${from}→${to}`));
    expect(new Set(exported)).toEqual(allowedHandoffMoves);
  });

  it('records the audit line', () => {
    const result = transitionHandoff({ id: 'h-1', stage: 'accepted' }, 'closed', {
      actorId: 'sdr-1',
      now,
      reasonCode: 'cancelled',
      reasonText: ' Lead left the company ',
    });
    expect(result).toEqual({
      ok: true,
      value: {
        stage: 'closed',
        audit: {
          entity: 'handoff',
          entityId: 'h-1',
          actorId: 'sdr-1',
          at: now,
          from: 'accepted',
          to: 'closed',
          reasonCode: 'cancelled',
          reasonText: 'Lead left the company',
        },
      },
    });
  });
});

describe('hand-back reasons', () => {
  it('the shipped list parses and has the agreed codes, each with a label', () => {
    const parsed = parseHandBackReasons(shippedReasons);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.map((r) => r.code)).toEqual([
      'not_decision_maker',
      'no_budget',
      'no_need',
      'bad_timing',
      'wrong_fit',
      'competitor_locked_in',
      'bad_data',
      'no_show_repeated',
      'other',
    ]);
    expect(parsed.value.every((r) => r.label.length > 0)).toBe(true);
  });

  it.each<[string, unknown, string, string]>([
    ['not a list', { reasons: [] }, '(root)', 'invalid_type'],
    ['an empty list', [], '(root)', 'too_small'],
    ['a code twice', [{ code: 'a', label: 'A' }, { code: 'a', label: 'A again' }], '[1].code', 'duplicate'],
    ['a missing label', [{ code: 'a' }], '[0].label', 'invalid_type'],
    ['a blank label', [{ code: 'a', label: ' ' }], '[0].label', 'too_small'],
    ['a code with spaces', [{ code: 'no budget', label: 'No budget' }], '[0].code', 'invalid_format'],
    ['an unknown key', [{ code: 'a', label: 'A', colour: 'red' }], '[0].colour', 'unknown_key'],
  ])('rejects %s', (_name, json, field, code) => {
    const result = parseHandBackReasons(json);
    expect(!result.ok && result.error).toContainEqual({ field, code, message: expect.any(String) as string });
  });
});
