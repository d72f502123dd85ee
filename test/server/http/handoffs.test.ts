// /api/handoffs through the real app and database, with a hand-written fake of the mailbox gateway (automatic
// replies, free/busy): starting a hand-off and every refusal of it, reading and listing, the AE's outcomes with
// their lead status, owner, audit lines and outbox rows, the AE's rating of the lead and every refusal of it, and
// reassignment.
import { sql } from 'kysely';
import type { HandoffDetailDto, HandoffList, HandoffStartedDto, LeadDto } from '../../../server/http/contract';
import type { User } from '../../../server/domain/people';
import { GatewayError, type AutomaticReplies, type MailboxGateway, type MailboxSettings, type Schedule } from '../../../server/domain/mailbox';
import { createHandoffService } from '../../../server/engine/handoff-service';
import { createHandoffStore } from '../../../server/store/handoff-store';
import { createRatingStore } from '../../../server/store/rating-store';
import { createFollowupStore } from '../../../server/store/followup-store';
import { call, errorOf, qualifiedLead, startHarness, type ApiResponse, type Harness, type Org } from './harness';

/** Automatic replies per mailbox (Entra object id); everyone else is in. */
const away = new Map<string, AutomaticReplies>();
/** Busy times per address; every mailbox works Monday–Friday 09–17 Berlin time. */
const busy = new Map<string, Schedule['items']>();
let scheduleFails = false;
const fakeMailbox: Pick<MailboxGateway, 'mailboxSettings' | 'getSchedule'> = {
  mailboxSettings: (mailbox) =>
    Promise.resolve<MailboxSettings>({
      timeZone: 'Europe/Berlin',
      workingHours: null,
      automaticReplies: away.get(mailbox) ?? { status: 'disabled', scheduledStart: null, scheduledEnd: null },
    }),
  getSchedule: (_mailbox, addresses) => {
    if (scheduleFails) return Promise.reject(new GatewayError('temporary', 'Graph is down'));
    return Promise.resolve(
      addresses.map((address) => ({
        scheduleId: address,
        error: null,
        items: busy.get(address) ?? [],
        workingHours: { daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'], startTime: '09:00:00', endTime: '17:00:00', timeZone: 'Europe/Berlin' },
      })),
    );
  },
};

let h: Harness;
let org: Org;
/** The invites the engine was asked for (a port; the engine's own booking is tested against the sandbox). */
const invites = new Map<string, { start: Date; end: Date } | null>();

beforeAll(async () => {
  h = await startHarness({
    override: (deps) => {
      const handoffs = createHandoffStore(deps.db);
      const followups = createFollowupStore(deps.db);
      return {
        ...deps,
        followupStore: followups,
        handoffService: createHandoffService({
          clock: deps.clock,
          handoffs,
          followups,
          leads: deps.leadStore,
          people: deps.peopleStore,
          criteria: deps.qualificationCriteria,
          handBackReasons: deps.handBackReasons,
          ratings: createRatingStore(deps.db),
          mailbox: fakeMailbox,
          inviter: { requestInvite: (id, slot) => Promise.resolve(invites.has(id) ? 'already_booked' : (invites.set(id, slot), 'booked')) },
        }),
      };
    },
  });
});
afterAll(async () => {
  await h.close();
});
beforeEach(async () => {
  org = await h.reset();
  away.clear();
  busy.clear();
  invites.clear();
  scheduleFails = false;
});

const db = () => h.db.db;

async function qualifiedLeadOf(sdr: User, overrides: Record<string, unknown> = {}): Promise<LeadDto> {
  const res = await call(h, sdr, 'POST', '/api/leads', qualifiedLead(overrides));
  if (res.statusCode !== 201) throw new Error(`create failed: ${res.body}`);
  const lead = res.data as LeadDto;
  for (const to of ['working', 'qualified']) {
    const moved = await call(h, sdr, 'POST', `/api/leads/${lead.id}/transitions`, { to });
    if (moved.statusCode !== 200) throw new Error(`${to} failed: ${moved.body}`);
  }
  return (await call(h, sdr, 'GET', `/api/leads/${lead.id}`)).data as LeadDto;
}

const start = (as: User, body: Record<string, unknown>): Promise<ApiResponse> => call(h, as, 'POST', '/api/handoffs', body);
const started = (res: ApiResponse): HandoffStartedDto => res.data as HandoffStartedDto;
const detail = (res: ApiResponse): HandoffDetailDto => res.data as HandoffDetailDto;

async function handoffCount(): Promise<number> {
  const row = await db().selectFrom('handoffs').select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** What the mailbox watch does once the intro is sent and the invite accepted: lead suspect, stage accepted. */
async function meetingAccepted(leadId: string, handoffId: string, aeId: string): Promise<void> {
  const lead = await h.leads.get(leadId);
  if (!lead) throw new Error('no lead');
  const moved = await h.leads.transition(
    leadId,
    lead.version,
    { status: 'suspect', ownerId: lead.ownerId, aeId, handBackReason: null, handBackText: null },
    { entity: 'lead', entityId: leadId, actorId: null, at: h.clock.now(), from: lead.status, to: 'suspect', reasonCode: null, reasonText: null },
  );
  if (!moved.ok) throw new Error('suspect failed');
  await db().updateTable('handoffs').set({ stage: 'accepted' }).where('id', '=', handoffId).execute();
}

/** A hand-off from the EMEA SDR to their AE, with the meeting accepted. */
async function acceptedHandoff(): Promise<{ lead: LeadDto; handoffId: string }> {
  const lead = await qualifiedLeadOf(org.emeaSdr);
  const res = await start(org.emeaSdr, { leadId: lead.id });
  if (res.statusCode !== 201) throw new Error(`start failed: ${res.body}`);
  const handoffId = started(res).handoff.id;
  await meetingAccepted(lead.id, handoffId, org.emeaAe.id);
  return { lead, handoffId };
}

describe('POST /api/handoffs', () => {
  it("starts a hand-off to the SDR's primary AE: stage, audit line, first follow-up and the intro to compose", async () => {
    const lead = await qualifiedLeadOf(org.emeaSdr, { contactName: 'Grace <b>Hopper</b>' });
    const res = await start(org.emeaSdr, { leadId: lead.id });
    expect(res.statusCode).toBe(201);
    const body = started(res);
    expect(res.headers['location']).toBe(`/api/handoffs/${body.handoff.id}`);
    expect(body.handoff).toMatchObject({
      leadId: lead.id,
      teamId: 'emea',
      sdrId: org.emeaSdr.id,
      aeId: org.emeaAe.id,
      stage: 'intro_composed',
      overrideReason: null,
      outcome: null,
      version: 1,
    });
    expect(body.intro.to).toEqual([{ address: 'grace@acme-widgets.com', name: 'Grace <b>Hopper</b>' }]);
    expect(body.intro.cc).toEqual([{ address: org.emeaAe.email, name: 'Alex Ae' }]);
    expect(body.intro.header).toEqual({ name: 'x-baton-handoff', value: body.handoff.id });
    expect(body.intro.subject).not.toBe('');
    expect(body.intro.html).toContain('Grace &lt;b&gt;Hopper&lt;/b&gt;');
    expect(body.intro.html).not.toContain('<b>Hopper</b>');
    expect(body.intro.text).toContain('Grace <b>Hopper</b>');
    // Tuesday 09:00 UTC + 2 working days = Thursday, same time.
    expect(body.followup).toMatchObject({ leadId: lead.id, ownerId: org.emeaSdr.id, dueAt: '2026-11-26T09:00:00.000Z', doneAt: null });
    expect(body.warnings).toEqual([]);

    const trail = await h.leads.auditTrail('handoff', body.handoff.id);
    expect(trail).toEqual([
      expect.objectContaining({ entity: 'handoff', actorId: org.emeaSdr.id, from: null, to: 'intro_composed', reasonCode: null }),
    ]);
    // The lead stays qualified until the intro is seen sent.
    expect((await h.leads.get(lead.id))?.status).toBe('qualified');
  });

  it("proposes slots from the AE's and SDR's free/busy, shown in the intro; without free/busy it starts anyway", async () => {
    // Tuesday 10:00 Berlin: with 4 hours' notice the first free half-hour is 14:00, but the AE is busy until 16:00.
    busy.set(org.emeaAe.email, [{ start: new Date('2026-11-24T13:00:00Z'), end: new Date('2026-11-24T15:00:00Z'), status: 'busy', subject: null }]);
    const lead = await qualifiedLeadOf(org.emeaSdr, { timeZone: 'Europe/Berlin' });
    const res = await start(org.emeaSdr, { leadId: lead.id });
    expect(res.statusCode).toBe(201);
    const { slots, intro, warnings } = started(res);
    expect(slots).toHaveLength(3);
    expect(warnings).toEqual([]);
    for (const slot of slots) {
      expect(Date.parse(slot.end) - Date.parse(slot.start)).toBe(30 * 60_000);
      const inBusy = Date.parse(slot.start) < Date.parse('2026-11-24T15:00:00Z') && Date.parse(slot.end) > Date.parse('2026-11-24T13:00:00Z');
      expect(inBusy).toBe(false);
    }
    expect(intro.text).toMatch(/16:00|4:00/);

    scheduleFails = true;
    const other = await qualifiedLeadOf(org.emeaSdr, { email: 'ada@initech.com', website: null });
    const noSlots = await start(org.emeaSdr, { leadId: other.id });
    expect(noSlots.statusCode).toBe(201);
    expect(started(noSlots)).toMatchObject({ slots: [], warnings: ['slots_unavailable'] });
  });

  it('a Friday hand-off gets its follow-up on Tuesday', async () => {
    h.clock.set(new Date('2026-11-27T10:00:00Z'));
    const lead = await qualifiedLeadOf(org.emeaSdr);
    const res = await start(org.emeaSdr, { leadId: lead.id });
    expect(started(res).followup.dueAt).toBe('2026-12-01T10:00:00.000Z');
  });

  it('refuses a lead that no longer meets the criteria with the missing list; an admin may override with a reason', async () => {
    const lead = await qualifiedLeadOf(org.emeaSdr);
    const patched = await call(h, org.emeaSdr, 'PATCH', `/api/leads/${lead.id}`, { version: lead.version, phone: null });
    expect(patched.statusCode).toBe(200);

    const res = await start(org.emeaSdr, { leadId: lead.id });
    expect(res.statusCode).toBe(422);
    expect(errorOf(res)).toMatchObject({ code: 'lead_not_qualified', missing: [{ field: 'phone', rule: 'required', label: 'Phone' }] });
    expect(await handoffCount()).toBe(0);

    const sdrOverride = await start(org.emeaSdr, { leadId: lead.id, override: { reason: 'I know them' } });
    expect(sdrOverride.statusCode).toBe(403);
    expect(errorOf(sdrOverride).code).toBe('override_not_allowed');

    const blank = await start(org.admin, { leadId: lead.id, override: { reason: '   ' } });
    expect(blank.statusCode).toBe(400);
    expect(errorOf(blank).field).toBe('override.reason');
    expect(await handoffCount()).toBe(0);

    const admin = await start(org.admin, { leadId: lead.id, override: { reason: 'Phone given on the call' } });
    expect(admin.statusCode).toBe(201);
    expect(started(admin).handoff.overrideReason).toBe('Phone given on the call');
    const trail = await h.leads.auditTrail('handoff', started(admin).handoff.id);
    expect(trail[0]).toMatchObject({ actorId: org.admin.id, reasonCode: 'override', reasonText: 'Phone given on the call' });
  });

  it('refuses a lead in the wrong state (409) and an unqualified working lead (422), changing nothing', async () => {
    const created = (await call(h, org.emeaSdr, 'POST', '/api/leads', qualifiedLead({ email: 'new@globex.com', website: null }))).data as LeadDto;
    const fresh = await start(org.emeaSdr, { leadId: created.id });
    expect(fresh.statusCode).toBe(409);
    expect(errorOf(fresh)).toMatchObject({ code: 'lead_wrong_state', field: 'leadId' });

    const unqualified = (await call(h, org.emeaSdr, 'POST', '/api/leads', qualifiedLead({ email: 'x@initech.com', website: null, phone: null }))).data as LeadDto;
    const res = await start(org.emeaSdr, { leadId: unqualified.id });
    expect(res.statusCode).toBe(422);
    expect(errorOf(res).code).toBe('lead_not_qualified');

    const { lead } = await acceptedHandoff();
    await db().updateTable('handoffs').set({ stage: 'closed' }).execute();
    const suspect = await start(org.emeaSdr, { leadId: lead.id });
    expect(suspect.statusCode).toBe(409);
    expect(errorOf(suspect).code).toBe('lead_wrong_state');
    expect(await handoffCount()).toBe(1);
  });

  it('refuses an AE of another team (422 ae_other_team), an unpaired AE for an SDR, and someone who is not an AE', async () => {
    const lead = await qualifiedLeadOf(org.emeaSdr);
    const other = await start(org.emeaManager, { leadId: lead.id, aeId: org.amerAe.id });
    expect(other.statusCode).toBe(422);
    expect(errorOf(other)).toMatchObject({ code: 'ae_other_team', field: 'aeId' });

    const unpaired = await start(org.emeaSdr, { leadId: lead.id, aeId: org.emeaAe2.id });
    expect(unpaired.statusCode).toBe(422);
    expect(errorOf(unpaired)).toMatchObject({ code: 'ae_not_paired', field: 'aeId' });

    const notAe = await start(org.emeaManager, { leadId: lead.id, aeId: org.emeaSdr2.id });
    expect(errorOf(notAe).code).toBe('not_an_ae');
    expect(await handoffCount()).toBe(0);

    const chosen = await start(org.emeaManager, { leadId: lead.id, aeId: org.emeaAe2.id });
    expect(chosen.statusCode).toBe(201);
    expect(started(chosen).handoff.aeId).toBe(org.emeaAe2.id);
  });

  it('refuses a second hand-off of the same lead, and of two concurrent starts exactly one succeeds', async () => {
    const lead = await qualifiedLeadOf(org.emeaSdr);
    const first = await start(org.emeaSdr, { leadId: lead.id });
    const second = await start(org.emeaSdr, { leadId: lead.id });
    expect(second.statusCode).toBe(409);
    expect(errorOf(second)).toMatchObject({ code: 'handoff_exists', handoffId: started(first).handoff.id });

    const other = await qualifiedLeadOf(org.emeaSdr, { email: 'ada@initech.com', website: null, contactName: 'Ada' });
    const both = await Promise.all([start(org.emeaSdr, { leadId: other.id }), start(org.emeaManager, { leadId: other.id })]);
    expect(both.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expect(errorOf(both.find((r) => r.statusCode === 409) as ApiResponse).code).toBe('handoff_exists');
    expect(await handoffCount()).toBe(2);
    const followups = await db().selectFrom('followups').selectAll().where('lead_id', '=', other.id).execute();
    expect(followups).toHaveLength(1);
  });

  it("warns when the AE's automatic replies are on, offers the backup, and hands to the backup when asked", async () => {
    await h.people.updateUser(org.emeaAe.id, { backupId: org.emeaAe2.id }, h.clock.now());
    away.set(org.emeaAe.entraOid, {
      status: 'scheduled',
      scheduledStart: new Date('2026-11-23T00:00:00Z'),
      scheduledEnd: new Date('2026-11-30T00:00:00Z'),
    });
    const lead = await qualifiedLeadOf(org.emeaSdr);
    const res = await start(org.emeaSdr, { leadId: lead.id });
    expect(res.statusCode).toBe(409);
    expect(errorOf(res)).toMatchObject({
      code: 'ae_away',
      away: { status: 'scheduled', start: '2026-11-23T00:00:00.000Z', end: '2026-11-30T00:00:00.000Z' },
      backup: { id: org.emeaAe2.id, displayName: 'Avery Ae' },
    });
    expect(await handoffCount()).toBe(0);

    const backup = await start(org.emeaSdr, { leadId: lead.id, useBackup: true });
    expect(backup.statusCode).toBe(201);
    expect(started(backup).handoff.aeId).toBe(org.emeaAe2.id);
    expect(started(backup).intro.cc[0]?.address).toBe(org.emeaAe2.email);
  });

  it('ignores automatic replies scheduled outside now; alwaysEnabled without a backup offers none', async () => {
    away.set(org.emeaAe.entraOid, { status: 'scheduled', scheduledStart: new Date('2026-12-01T00:00:00Z'), scheduledEnd: new Date('2026-12-05T00:00:00Z') });
    const lead = await qualifiedLeadOf(org.emeaSdr);
    expect((await start(org.emeaSdr, { leadId: lead.id })).statusCode).toBe(201);

    away.set(org.emeaAe2.entraOid, { status: 'alwaysEnabled', scheduledStart: null, scheduledEnd: null });
    const other = await qualifiedLeadOf(org.emeaSdr2, { email: 'ada@initech.com', website: null });
    const res = await start(org.emeaSdr2, { leadId: other.id });
    // alwaysEnabled carries no dates: away since it was seen on (now), until seen off.
    expect(errorOf(res)).toMatchObject({ code: 'ae_away', backup: null, away: { status: 'alwaysEnabled', start: h.clock.now().toISOString(), end: null } });
    const noBackup = await start(org.emeaSdr2, { leadId: other.id, useBackup: true });
    expect(noBackup.statusCode).toBe(422);
    expect(errorOf(noBackup).code).toBe('no_backup');
  });

  it('refuses unknown fields, bad ids, a lead of another team (404) and an AE starting one (403)', async () => {
    const lead = await qualifiedLeadOf(org.emeaSdr);
    const unknown = await start(org.emeaSdr, { leadId: lead.id, priority: 'high' });
    expect(unknown.statusCode).toBe(400);
    expect(errorOf(unknown)).toMatchObject({ code: 'unknown_field', field: 'priority' });
    const badId = await start(org.emeaSdr, { leadId: 'not-an-id' });
    expect(badId.statusCode).toBe(400);
    expect(errorOf(badId)).toMatchObject({ code: 'invalid_request', field: 'leadId' });
    expect((await start(org.amerSdr, { leadId: lead.id })).statusCode).toBe(404);
    expect((await start(org.emeaSdr2, { leadId: lead.id })).statusCode).toBe(403);
    expect(await handoffCount()).toBe(0);
  });
});

describe('GET /api/handoffs', () => {
  it('shows a hand-off to its SDR, AE, team manager and admins; 404 to everyone else', async () => {
    const { lead, handoffId } = await acceptedHandoff();
    for (const who of [org.emeaSdr, org.emeaAe, org.emeaManager, org.admin]) {
      const res = await call(h, who, 'GET', `/api/handoffs/${handoffId}`);
      expect(res.statusCode).toBe(200);
      expect(detail(res)).toMatchObject({
        handoff: { id: handoffId, stage: 'accepted' },
        lead: { id: lead.id, contactName: 'Grace Hopper', status: 'suspect', ownerId: org.emeaSdr.id },
        obligations: [],
        findings: [],
        followups: [expect.objectContaining({ ownerId: org.emeaSdr.id })],
      });
    }
    for (const who of [org.emeaSdr2, org.emeaAe2, org.amerManager, org.amerSdr]) {
      const res = await call(h, who, 'GET', `/api/handoffs/${handoffId}`);
      expect(res.statusCode).toBe(404);
    }
    expect((await call(h, org.admin, 'GET', '/api/handoffs/123')).statusCode).toBe(400);
    expect((await call(h, org.admin, 'GET', '/api/handoffs/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
  });

  it("lists the actor's open hand-offs", async () => {
    const { handoffId } = await acceptedHandoff();
    const ids = async (who: User) => ((await call(h, who, 'GET', '/api/handoffs?mine=true')).data as HandoffList).items.map((i) => i.handoff.id);
    expect(await ids(org.emeaSdr)).toEqual([handoffId]);
    expect(await ids(org.emeaAe)).toEqual([handoffId]);
    expect(await ids(org.emeaManager)).toEqual([handoffId]);
    expect(await ids(org.admin)).toEqual([handoffId]);
    expect(await ids(org.emeaSdr2)).toEqual([]);
    expect(await ids(org.amerManager)).toEqual([]);
    const bad = await call(h, org.emeaSdr, 'GET', '/api/handoffs?mine=true&all=1');
    expect(errorOf(bad).code).toBe('unknown_field');
  });
});

describe('POST /api/handoffs/:id/outcome', () => {
  const outcome = (as: User, id: string, body: Record<string, unknown>) => call(h, as, 'POST', `/api/handoffs/${id}/outcome`, body);

  it('Sales Qualified: the lead moves to the AE, the hand-off closes, with audit lines', async () => {
    const { lead, handoffId } = await acceptedHandoff();
    const res = await outcome(org.emeaAe, handoffId, { outcome: 'sales_qualified', rating: { score: 4 } });
    expect(res.statusCode).toBe(200);
    expect(detail(res)).toMatchObject({
      handoff: { stage: 'closed', outcome: 'sales_qualified', version: 2 },
      lead: { status: 'sales_qualified', ownerId: org.emeaAe.id },
    });
    const after = await h.leads.get(lead.id);
    expect(after).toMatchObject({ status: 'sales_qualified', ownerId: org.emeaAe.id });
    const leadTrail = await h.leads.auditTrail('lead', lead.id);
    expect(leadTrail.at(-1)).toMatchObject({ actorId: org.emeaAe.id, from: 'suspect', to: 'sales_qualified' });
    const handoffTrail = await h.leads.auditTrail('handoff', handoffId);
    expect(handoffTrail.at(-2)).toMatchObject({ actorId: org.emeaAe.id, from: 'accepted', to: 'closed', reasonCode: 'sales_qualified' });
    expect(handoffTrail.at(-1)).toMatchObject({ actorId: org.emeaAe.id, from: 'closed', to: 'rated', reasonCode: 'sales_qualified', reasonText: '4/5' });

    const again = await outcome(org.emeaAe, handoffId, { outcome: 'sales_qualified', rating: { score: 4 } });
    expect(again.statusCode).toBe(409);
    expect(errorOf(again).code).toBe('handoff_closed');
  });

  it('refuses an outcome by anyone but the AE (403 not_the_ae; 404 for those who cannot see it)', async () => {
    const { lead, handoffId } = await acceptedHandoff();
    for (const who of [org.emeaSdr, org.emeaManager, org.admin]) {
      const res = await outcome(who, handoffId, { outcome: 'sales_qualified', rating: { score: 4 } });
      expect(res.statusCode).toBe(403);
      expect(errorOf(res).code).toBe('not_the_ae');
    }
    expect((await outcome(org.emeaAe2, handoffId, { outcome: 'sales_qualified', rating: { score: 4 } })).statusCode).toBe(404);
    expect((await h.leads.get(lead.id))?.status).toBe('suspect');
  });

  it('hand back: reason code and text required (422 naming the field); then the lead goes back to the SDR and the SDR is told', async () => {
    const { lead, handoffId } = await acceptedHandoff();
    const noReason = await outcome(org.emeaAe, handoffId, { outcome: 'hand_back', text: 'No budget until Q3', rating: { score: 2 } });
    expect(noReason.statusCode).toBe(422);
    expect(errorOf(noReason)).toMatchObject({ code: 'reason_required', field: 'reasonCode' });
    const noText = await outcome(org.emeaAe, handoffId, { outcome: 'hand_back', reasonCode: 'no_budget', text: '  ', rating: { score: 2 } });
    expect(noText.statusCode).toBe(422);
    expect(errorOf(noText)).toMatchObject({ code: 'reason_text_required', field: 'text' });
    const unknown = await outcome(org.emeaAe, handoffId, { outcome: 'hand_back', reasonCode: 'bored', text: 'x', rating: { score: 2 } });
    expect(errorOf(unknown)).toMatchObject({ code: 'unknown_reason', field: 'reasonCode' });
    expect((await h.leads.get(lead.id))?.status).toBe('suspect');
    expect(await db().selectFrom('outbox').selectAll().execute()).toEqual([]);

    const res = await outcome(org.emeaAe, handoffId, { outcome: 'hand_back', reasonCode: 'no_budget', text: 'No budget until Q3', rating: { score: 2 } });
    expect(res.statusCode).toBe(200);
    expect(detail(res).handoff).toMatchObject({ stage: 'closed', outcome: 'hand_back' });
    expect(await h.leads.get(lead.id)).toMatchObject({
      status: 'handed_back',
      ownerId: org.emeaSdr.id,
      handBackReason: 'no_budget',
      handBackText: 'No budget until Q3',
    });
    const outbox = await db().selectFrom('outbox').selectAll().execute();
    expect(outbox).toHaveLength(1);
    const row = outbox[0];
    expect(row).toMatchObject({ idempotency_key: `hand_back:${handoffId}`, handoff_id: handoffId, kind: 'mail', mailbox: org.emeaAe.entraOid, status: 'pending' });
    const payload = row?.payload as { to: { address: string }[]; subject: string; html: string };
    expect(payload.to).toEqual([{ address: org.emeaSdr.email, name: 'Sam Sdr' }]);
    expect(payload.subject).toContain('Grace Hopper');
    expect(payload.html).toContain('No budget until Q3');
    const handoffTrail = await h.leads.auditTrail('handoff', handoffId);
    expect(handoffTrail.at(-2)).toMatchObject({ to: 'closed', reasonCode: 'no_budget', reasonText: 'No budget until Q3' });
  });

  it('no-show moves the stage; a stale version is refused', async () => {
    const { handoffId } = await acceptedHandoff();
    const staleRes = await outcome(org.emeaAe, handoffId, { outcome: 'no_show', version: 7, rating: { score: 3 } });
    expect(staleRes.statusCode).toBe(409);
    expect(errorOf(staleRes).code).toBe('stale');
    const res = await outcome(org.emeaAe, handoffId, { outcome: 'no_show', version: 1, rating: { score: 3 } });
    expect(res.statusCode).toBe(200);
    expect(detail(res).handoff).toMatchObject({ stage: 'no_show', version: 2 });
    const trail = await h.leads.auditTrail('handoff', handoffId);
    expect(trail.at(-2)).toMatchObject({ from: 'accepted', to: 'no_show', actorId: org.emeaAe.id });
    expect(trail.at(-1)).toMatchObject({ from: 'no_show', to: 'rated', reasonCode: 'no_show', reasonText: '3/5' });
    const twice = await outcome(org.emeaAe, handoffId, { outcome: 'no_show', rating: { score: 3 } });
    expect(twice.statusCode).toBe(409);
    expect(errorOf(twice).code).toBe('illegal_transition');
  });

  it('rescheduled: a new invite in the outbox from the SDR’s calendar, numbered per hand-off', async () => {
    const { handoffId } = await acceptedHandoff();
    const missing = await outcome(org.emeaAe, handoffId, { outcome: 'rescheduled', start: '2026-12-01T10:00:00Z' });
    expect(errorOf(missing)).toMatchObject({ code: 'end_required', field: 'end' });
    const res = await outcome(org.emeaAe, handoffId, { outcome: 'rescheduled', start: '2026-12-01T10:00:00Z', end: '2026-12-01T10:30:00Z' });
    expect(res.statusCode).toBe(200);
    expect(detail(res).handoff).toMatchObject({ stage: 'rescheduled', slotStart: '2026-12-01T10:00:00.000Z', slotEnd: '2026-12-01T10:30:00.000Z' });
    const [row] = await db().selectFrom('outbox').selectAll().execute();
    expect(row).toMatchObject({ idempotency_key: `invite:${handoffId}:1`, kind: 'event', mailbox: org.emeaSdr.entraOid });
    expect(row?.payload).toMatchObject({
      start: '2026-12-01T10:00:00.000Z',
      end: '2026-12-01T10:30:00.000Z',
      onlineMeeting: true,
      transactionId: `${handoffId}-r1`,
      attendees: [
        { address: 'grace@acme-widgets.com', name: 'Grace Hopper', type: 'required' },
        { address: org.emeaAe.email, name: 'Alex Ae', type: 'required' },
      ],
    });
  });

  it('refuses an outcome before the intro was sent (lead still qualified)', async () => {
    const lead = await qualifiedLeadOf(org.emeaSdr);
    const handoffId = started(await start(org.emeaSdr, { leadId: lead.id })).handoff.id;
    const res = await outcome(org.emeaAe, handoffId, { outcome: 'sales_qualified', rating: { score: 4 } });
    expect(res.statusCode).toBe(409);
    expect(errorOf(res).code).toBe('lead_wrong_state');
    expect((await h.leads.get(lead.id))?.status).toBe('qualified');
    const notObject = await outcome(org.emeaAe, handoffId, { outcome: 'sales_qualified', rating: 5 });
    expect(notObject.statusCode).toBe(400);
    expect(errorOf(notObject)).toMatchObject({ code: 'invalid_request', field: 'rating' });
  });
});

describe("the AE's rating of the lead with the outcome", () => {
  const outcome = (as: User, id: string, body: Record<string, unknown>) => call(h, as, 'POST', `/api/handoffs/${id}/outcome`, body);
  const ratings = () => db().selectFrom('lead_ratings').selectAll().execute();

  it('is stored with the outcome in one go: score, ticked fields, the sentence, the audit line', async () => {
    const { lead, handoffId } = await acceptedHandoff();
    const res = await outcome(org.emeaAe, handoffId, {
      outcome: 'hand_back',
      reasonCode: 'no_budget',
      text: 'No budget until Q3',
      version: 1,
      rating: { score: 2, fields: ['budget', 'decisionMaker'], comment: '  Budget was a guess,\n the CTO   does not sign. ' },
    });
    expect(res.statusCode).toBe(200);
    const [row, ...more] = await ratings();
    expect(more).toEqual([]);
    expect(row).toMatchObject({
      handoff_id: handoffId,
      handoff_version: 2,
      lead_id: lead.id,
      team_id: 'emea',
      sdr_id: org.emeaSdr.id,
      ae_id: org.emeaAe.id,
      outcome: 'hand_back',
      score: 2,
      fields: ['budget', 'decisionMaker'],
      comment: 'Budget was a guess, the CTO does not sign.',
    });
    expect(new Date(row?.rated_at ?? 0).toISOString()).toBe(h.clock.now().toISOString());
    const trail = await h.leads.auditTrail('handoff', handoffId);
    expect(trail.at(-1)).toMatchObject({
      actorId: org.emeaAe.id,
      from: 'closed',
      to: 'rated',
      reasonCode: 'hand_back',
      reasonText: '2/5; missing or wrong: budget, decisionMaker; Budget was a guess, the CTO does not sign.',
    });
  });

  it('rates a no-show, then the outcome after the new meeting: one rating per outcome', async () => {
    const { handoffId } = await acceptedHandoff();
    expect((await outcome(org.emeaAe, handoffId, { outcome: 'no_show', rating: { score: 3, fields: ['phone'] } })).statusCode).toBe(200);
    const moved = await outcome(org.emeaAe, handoffId, { outcome: 'rescheduled', start: '2026-12-01T10:00:00Z', end: '2026-12-01T10:30:00Z' });
    expect(moved.statusCode).toBe(200);
    await db().updateTable('handoffs').set({ stage: 'accepted' }).where('id', '=', handoffId).execute();
    expect((await outcome(org.emeaAe, handoffId, { outcome: 'sales_qualified', rating: { score: 5 } })).statusCode).toBe(200);
    const rows = (await ratings()).map((r) => ({ outcome: r.outcome, score: r.score, fields: r.fields, version: r.handoff_version }));
    expect(rows.sort((a, b) => a.version - b.version)).toEqual([
      { outcome: 'no_show', score: 3, fields: ['phone'], version: 2 },
      { outcome: 'sales_qualified', score: 5, fields: [], version: 4 },
    ]);
  });

  it.each([
    ['no rating with Sales Qualified', { outcome: 'sales_qualified' }, 422, 'rating_required', 'rating'],
    ['no rating with a no-show', { outcome: 'no_show' }, 422, 'rating_required', 'rating'],
    ['a rating with a reschedule', { outcome: 'rescheduled', start: '2026-12-01T10:00:00Z', end: '2026-12-01T10:30:00Z', rating: { score: 3 } }, 422, 'rating_not_allowed', 'rating'],
    ['a score of 0', { outcome: 'sales_qualified', rating: { score: 0 } }, 422, 'invalid_score', 'rating.score'],
    ['a score of 6', { outcome: 'sales_qualified', rating: { score: 6 } }, 422, 'invalid_score', 'rating.score'],
    ['a score of 3.5', { outcome: 'sales_qualified', rating: { score: 3.5 } }, 422, 'invalid_score', 'rating.score'],
    ['a score that is text', { outcome: 'sales_qualified', rating: { score: 'five' } }, 400, 'invalid_request', 'rating.score'],
    ['no score', { outcome: 'sales_qualified', rating: { fields: ['budget'] } }, 400, 'invalid_request', 'rating.score'],
    ['an unknown field name', { outcome: 'sales_qualified', rating: { score: 2, fields: ['budget', 'phone', 'shoeSize'] } }, 422, 'unknown_lead_field', 'rating.fields.2'],
    ['a database column name', { outcome: 'sales_qualified', rating: { score: 2, fields: ['source_list'] } }, 422, 'unknown_lead_field', 'rating.fields.0'],
    ['a field ticked twice', { outcome: 'sales_qualified', rating: { score: 2, fields: ['budget', 'budget'] } }, 422, 'duplicate_lead_field', 'rating.fields.1'],
    ['a field that is not text', { outcome: 'sales_qualified', rating: { score: 2, fields: ['budget', 7] } }, 400, 'invalid_request', 'rating.fields.1'],
    ['more than a sentence', { outcome: 'sales_qualified', rating: { score: 2, comment: 'word '.repeat(60) } }, 422, 'comment_too_long', 'rating.comment'],
    ['an unknown key in the rating', { outcome: 'sales_qualified', rating: { score: 2, stars: 2 } }, 400, 'unknown_field', 'rating.stars'],
  ])('refuses %s, naming the field, and changes nothing', async (_name, body, status, code, field) => {
    const { lead, handoffId } = await acceptedHandoff();
    const res = await outcome(org.emeaAe, handoffId, body);
    expect(res.statusCode).toBe(status);
    expect(errorOf(res)).toMatchObject({ code, field });
    expect(await ratings()).toEqual([]);
    expect(detail(await call(h, org.emeaAe, 'GET', `/api/handoffs/${handoffId}`)).handoff).toMatchObject({ stage: 'accepted', version: 1, outcome: null });
    expect((await h.leads.get(lead.id))?.status).toBe('suspect');
    expect(await db().selectFrom('outbox').selectAll().execute()).toEqual([]);
  });

  it("refuses a rating from anyone but the hand-off's AE: 404 for an AE never handed the lead, 403 for the SDR and managers", async () => {
    const { lead, handoffId } = await acceptedHandoff();
    const body = { outcome: 'sales_qualified', rating: { score: 1, fields: ['budget'] } };
    for (const who of [org.emeaAe2, org.amerAe, org.amerManager, org.amerSdr]) {
      const res = await outcome(who, handoffId, body);
      expect(res.statusCode).toBe(404);
      expect(errorOf(res).code).toBe('not_found');
    }
    for (const who of [org.emeaSdr, org.emeaManager, org.admin]) {
      const res = await outcome(who, handoffId, body);
      expect(res.statusCode).toBe(403);
      expect(errorOf(res).code).toBe('not_the_ae');
    }
    expect(await ratings()).toEqual([]);
    expect((await h.leads.get(lead.id))?.status).toBe('suspect');
  });

  it('refuses a second rating of a closed hand-off (409), keeping the first', async () => {
    const { handoffId } = await acceptedHandoff();
    expect((await outcome(org.emeaAe, handoffId, { outcome: 'sales_qualified', rating: { score: 4 } })).statusCode).toBe(200);
    const again = await outcome(org.emeaAe, handoffId, { outcome: 'sales_qualified', rating: { score: 1 } });
    expect(again.statusCode).toBe(409);
    expect((await ratings()).map((r) => r.score)).toEqual([4]);
  });
});

describe('POST /api/handoffs/:id/reassign', () => {
  const reassign = (as: User, id: string, body: Record<string, unknown>) => call(h, as, 'POST', `/api/handoffs/${id}/reassign`, body);

  it('lets a manager give the hand-off to another AE of the team, with an audit line; the new AE records the outcome', async () => {
    const { lead, handoffId } = await acceptedHandoff();
    const res = await reassign(org.emeaManager, handoffId, { aeId: org.emeaAe2.id, reason: 'Alex is on leave' });
    expect(res.statusCode).toBe(200);
    expect(detail(res).handoff).toMatchObject({ aeId: org.emeaAe2.id, stage: 'accepted' });
    expect((await h.leads.get(lead.id))?.aeId).toBe(org.emeaAe2.id);
    const trail = await h.leads.auditTrail('handoff', handoffId);
    expect(trail.at(-1)).toMatchObject({ actorId: org.emeaManager.id, reasonCode: 'reassigned', reasonText: 'Alex Ae → Avery Ae: Alex is on leave' });

    expect((await call(h, org.emeaAe, 'POST', `/api/handoffs/${handoffId}/outcome`, { outcome: 'sales_qualified', rating: { score: 4 } })).statusCode).toBe(404);
    const sq = await call(h, org.emeaAe2, 'POST', `/api/handoffs/${handoffId}/outcome`, { outcome: 'sales_qualified', rating: { score: 4 } });
    expect(sq.statusCode).toBe(200);
    expect((await h.leads.get(lead.id))?.ownerId).toBe(org.emeaAe2.id);
  });

  it('refuses SDRs and AEs, an AE of another team, and a missing reason', async () => {
    const { handoffId } = await acceptedHandoff();
    const sdr = await reassign(org.emeaSdr, handoffId, { aeId: org.emeaAe2.id, reason: 'x' });
    expect(sdr.statusCode).toBe(403);
    const other = await reassign(org.emeaManager, handoffId, { aeId: org.amerAe.id, reason: 'x' });
    expect(other.statusCode).toBe(422);
    expect(errorOf(other)).toMatchObject({ code: 'ae_other_team', field: 'aeId' });
    const noReason = await reassign(org.emeaManager, handoffId, { aeId: org.emeaAe2.id });
    expect(noReason.statusCode).toBe(400);
    expect(errorOf(noReason).field).toBe('reason');
    const same = await reassign(org.admin, handoffId, { aeId: org.emeaAe.id, reason: 'x' });
    expect(errorOf(same).code).toBe('same_ae');
    const row = await db().selectFrom('handoffs').select(['ae_id', 'version']).where('id', '=', handoffId).executeTakeFirstOrThrow();
    expect(row).toEqual({ ae_id: org.emeaAe.id, version: 1 });
  });
});

describe('POST /api/handoffs/:id/invite', () => {
  it('lets the SDR book the invite at a chosen time, once; others are refused and nothing is booked', async () => {
    const lead = await qualifiedLeadOf(org.emeaSdr);
    const id = started(await start(org.emeaSdr, { leadId: lead.id })).handoff.id;
    const slot = { start: '2026-11-26T13:00:00.000Z', end: '2026-11-26T13:30:00.000Z' };
    const byAe = await call(h, org.emeaAe, 'POST', `/api/handoffs/${id}/invite`, slot);
    expect(byAe.statusCode).toBe(403);
    expect(errorOf(byAe).code).toBe('not_the_sdr');
    const otherTeam = await call(h, org.amerSdr, 'POST', `/api/handoffs/${id}/invite`, slot);
    expect(otherTeam.statusCode).toBe(404);
    const half = await call(h, org.emeaSdr, 'POST', `/api/handoffs/${id}/invite`, { start: slot.start });
    expect(half.statusCode).toBe(422);
    expect(errorOf(half)).toMatchObject({ code: 'end_required', field: 'end' });
    const past = await call(h, org.emeaSdr, 'POST', `/api/handoffs/${id}/invite`, { start: '2026-11-01T13:00:00.000Z', end: '2026-11-01T13:30:00.000Z' });
    expect(errorOf(past).code).toBe('invalid_slot');
    const unknown = await call(h, org.emeaSdr, 'POST', `/api/handoffs/${id}/invite`, { ...slot, room: 'A' });
    expect(unknown.statusCode).toBe(400);
    expect(invites.size).toBe(0);

    const ok = await call(h, org.emeaSdr, 'POST', `/api/handoffs/${id}/invite`, slot);
    expect(ok.statusCode).toBe(200);
    expect(invites.get(id)).toEqual({ start: new Date(slot.start), end: new Date(slot.end) });
    const again = await call(h, org.emeaSdr, 'POST', `/api/handoffs/${id}/invite`, {});
    expect(again.statusCode).toBe(409);
    expect(errorOf(again).code).toBe('invite_exists');
  });
});
