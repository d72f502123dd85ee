// What the task pane reads beside the hand-off API, through the real app and database: the people and the AE-only
// prep brief in the hand-off detail (AE, SDR and team managers only, plain text), the hand-back reasons, the invite
// an organizer fills by hand, the AE's own follow-up, and the intro refused when it would have no recipient.
import type { HandBackReasonList, HandoffDetailDto, HandoffIntroDto, HandoffStartedDto, InviteDraftDto, LeadDto } from '../../../server/http/contract';
import type { User } from '../../../server/domain/people';
import type { MailboxGateway, Schedule } from '../../../server/domain/mailbox';
import { createHandoffService } from '../../../server/engine/handoff-service';
import { createHandoffStore } from '../../../server/store/handoff-store';
import { createRatingStore } from '../../../server/store/rating-store';
import { createFollowupStore } from '../../../server/store/followup-store';
import { call, errorOf, qualifiedLead, startHarness, type ApiResponse, type Harness, type Org } from './harness';

/** Everyone works Monday–Friday 09–17 Berlin time; busy times per address. */
const busy = new Map<string, Schedule['items']>();
const fakeMailbox: Pick<MailboxGateway, 'mailboxSettings' | 'getSchedule'> = {
  mailboxSettings: () =>
    Promise.resolve({ timeZone: 'Europe/Berlin', workingHours: null, automaticReplies: { status: 'disabled', scheduledStart: null, scheduledEnd: null } }),
  getSchedule: (_mailbox, addresses) =>
    Promise.resolve(
      addresses.map((address) => ({
        scheduleId: address,
        error: null,
        items: busy.get(address) ?? [],
        workingHours: { daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'], startTime: '09:00:00', endTime: '17:00:00', timeZone: 'Europe/Berlin' },
      })),
    ),
};

let h: Harness;
let org: Org;
const booked = new Set<string>();

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
          inviter: { requestInvite: (id) => Promise.resolve(booked.has(id) ? 'already_booked' : (booked.add(id), 'booked')) },
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
  busy.clear();
  booked.clear();
});

async function qualifiedLeadOf(sdr: User, overrides: Record<string, unknown> = {}): Promise<LeadDto> {
  const res = await call(h, sdr, 'POST', '/api/leads', qualifiedLead(overrides));
  if (res.statusCode !== 201) throw new Error(`create failed: ${res.body}`);
  const lead = res.data as LeadDto;
  for (const to of ['working', 'qualified']) {
    const moved = await call(h, sdr, 'POST', `/api/leads/${lead.id}/transitions`, { to });
    if (moved.statusCode !== 200) throw new Error(`${to} failed: ${moved.body}`);
  }
  return lead;
}

async function startedHandoff(overrides: Record<string, unknown> = {}): Promise<{ lead: LeadDto; handoffId: string }> {
  const lead = await qualifiedLeadOf(org.emeaSdr, overrides);
  const res = await call(h, org.emeaSdr, 'POST', '/api/handoffs', { leadId: lead.id });
  if (res.statusCode !== 201) throw new Error(`start failed: ${res.body}`);
  return { lead, handoffId: (res.data as HandoffStartedDto).handoff.id };
}

/** What the mailbox watch does when the intro is seen sent; the test lead becomes visible to the AE. */
async function leadHandedTo(leadId: string, aeId: string): Promise<void> {
  await h.db.db.updateTable('leads').set({ status: 'suspect', ae_id: aeId }).where('id', '=', leadId).execute();
}

const detail = (res: ApiResponse): HandoffDetailDto => res.data as HandoffDetailDto;

describe('GET /api/handoffs/:id for the pane', () => {
  it('names the SDR and AE and gives the prep brief as plain text to the AE, the SDR and the team manager', async () => {
    const { lead, handoffId } = await startedHandoff({
      budget: '<script>alert(1)</script> 40k EUR',
      competitors: ['Pipedrive', 'HubSpot'],
      currentSolution: 'Spreadsheets',
      notes: 'Call after <b>10</b>',
      demoRequested: true,
    });
    await leadHandedTo(lead.id, org.emeaAe.id);
    for (const reader of [org.emeaAe, org.emeaSdr, org.emeaManager]) {
      const res = await call(h, reader, 'GET', `/api/handoffs/${handoffId}`);
      expect(res.statusCode).toBe(200);
      const body = detail(res);
      expect(body.sdr).toEqual({ id: org.emeaSdr.id, displayName: 'Sam Sdr', email: org.emeaSdr.email });
      expect(body.ae).toEqual({ id: org.emeaAe.id, displayName: 'Alex Ae', email: org.emeaAe.email });
      expect(body.prepBrief).toMatchObject({
        // Stored and answered as typed: the pane renders it as text, never as markup.
        budget: '<script>alert(1)</script> 40k EUR',
        competitors: ['Pipedrive', 'HubSpot'],
        currentSolution: 'Spreadsheets',
        needs: 'Their hand-offs get lost in email.',
        notes: 'Call after <b>10</b>',
        decisionMaker: true,
        demoRequested: true,
      });
    }
  });

  it('gives no prep brief to an admin, and nothing at all to another team', async () => {
    const { handoffId } = await startedHandoff({ budget: '40k' });
    const admin = await call(h, org.admin, 'GET', `/api/handoffs/${handoffId}`);
    expect(admin.statusCode).toBe(200);
    expect(detail(admin).prepBrief).toBeNull();
    expect(detail(admin).ae.displayName).toBe('Alex Ae');
    for (const outsider of [org.amerManager, org.emeaSdr2, org.emeaAe2]) {
      const res = await call(h, outsider, 'GET', `/api/handoffs/${handoffId}`);
      expect(res.statusCode).toBe(404);
      expect(res.body).not.toContain('40k');
    }
  });
});

describe('POST /api/leads/:id/followups by the AE', () => {
  it('lets the AE a lead is handed to add a follow-up of their own; another AE may not', async () => {
    const { lead } = await startedHandoff();
    await leadHandedTo(lead.id, org.emeaAe.id);
    const res = await call(h, org.emeaAe, 'POST', `/api/leads/${lead.id}/followups`, { dueAt: '2026-12-01T09:00:00Z', note: 'Send the pricing sheet' });
    expect(res.statusCode).toBe(201);
    expect(res.data).toMatchObject({ leadId: lead.id, ownerId: org.emeaAe.id, note: 'Send the pricing sheet' });
    const list = await call(h, org.emeaSdr, 'GET', `/api/leads/${lead.id}/followups`);
    expect((list.data as { items: { note: string }[] }).items.map((f) => f.note)).toContain('Send the pricing sheet');
    const other = await call(h, org.emeaAe2, 'POST', `/api/leads/${lead.id}/followups`, { dueAt: '2026-12-01T09:00:00Z', note: 'Not mine' });
    expect(other.statusCode).toBe(404);
  });
});

describe('GET /api/hand-back-reasons', () => {
  it('lists the configured reasons to any signed-in user, and refuses a caller without a token', async () => {
    const res = await call(h, org.emeaAe, 'GET', '/api/hand-back-reasons');
    expect(res.statusCode).toBe(200);
    expect((res.data as HandBackReasonList).items).toEqual([
      { code: 'no_budget', label: 'No budget' },
      { code: 'other', label: 'Other' },
    ]);
    const anonymous = await call(h, {}, 'GET', '/api/hand-back-reasons');
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('GET /api/handoffs/:id/invite-draft', () => {
  const draftOf = (as: User, id: string) => call(h, as, 'GET', `/api/handoffs/${id}/invite-draft`);

  it('gives the SDR the attendees, the prospect-facing body with lead fields escaped, and free times', async () => {
    busy.set(org.emeaAe.email, [{ start: new Date('2026-11-24T13:00:00Z'), end: new Date('2026-11-24T15:00:00Z'), status: 'busy', subject: null }]);
    const { handoffId } = await startedHandoff({ contactName: 'Grace <img src=x onerror=alert(1)>', budget: 'secret 40k', timeZone: 'Europe/Berlin' });
    const res = await draftOf(org.emeaSdr, handoffId);
    expect(res.statusCode).toBe(200);
    const draft = res.data as InviteDraftDto;
    expect(draft.attendees).toEqual([
      { address: 'grace@acme-widgets.com', name: 'Grace <img src=x onerror=alert(1)>' },
      { address: org.emeaAe.email, name: 'Alex Ae' },
    ]);
    expect(draft.subject).not.toBe('');
    expect(draft.html).toContain('Grace &lt;img src=x onerror=alert(1)&gt;');
    expect(draft.html).not.toContain('<img src=x');
    // What the prospect may see never carries the AE-only brief.
    expect(draft.html).not.toContain('secret 40k');
    expect(draft.text).not.toContain('secret 40k');
    expect(draft.slots).toHaveLength(3);
    for (const slot of draft.slots) {
      const overlapsBusy = Date.parse(slot.start) < Date.parse('2026-11-24T15:00:00Z') && Date.parse(slot.end) > Date.parse('2026-11-24T13:00:00Z');
      expect(overlapsBusy).toBe(false);
    }
    expect(draft.warnings).toEqual([]);
  });

  it('offers the time the SDR booked once there is one', async () => {
    const { handoffId } = await startedHandoff();
    const slot = { start: '2026-11-26T10:00:00.000Z', end: '2026-11-26T10:30:00.000Z' };
    await h.db.db.updateTable('handoffs').set({ slot_start: new Date(slot.start), slot_end: new Date(slot.end) }).where('id', '=', handoffId).execute();
    const draft = (await draftOf(org.emeaManager, handoffId)).data as InviteDraftDto;
    expect(draft.slots).toEqual([slot]);
  });

  it('refuses the AE (403), another team (404) and a closed hand-off (409)', async () => {
    const { lead, handoffId } = await startedHandoff();
    await leadHandedTo(lead.id, org.emeaAe.id);
    const ae = await draftOf(org.emeaAe, handoffId);
    expect(ae.statusCode).toBe(403);
    expect(errorOf(ae).code).toBe('not_the_sdr');
    expect((await draftOf(org.amerSdr, handoffId)).statusCode).toBe(404);
    await h.db.db.updateTable('handoffs').set({ stage: 'closed' }).where('id', '=', handoffId).execute();
    const closed = await draftOf(org.emeaSdr, handoffId);
    expect(closed.statusCode).toBe(409);
    expect(errorOf(closed).code).toBe('handoff_closed');
  });
});

describe('POST /api/handoffs without a recipient', () => {
  it('refuses a lead without an email address, naming it, even to an admin overriding qualification; starts nothing', async () => {
    const lead = await qualifiedLeadOf(org.emeaSdr);
    await h.db.db.updateTable('leads').set({ email: '' }).where('id', '=', lead.id).execute();
    const bySdr = await call(h, org.emeaSdr, 'POST', '/api/handoffs', { leadId: lead.id });
    expect(bySdr.statusCode).toBe(422);
    expect(errorOf(bySdr).code).toBe('lead_not_qualified');
    expect(errorOf(bySdr)['missing']).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'email' })]));
    const byAdmin = await call(h, org.admin, 'POST', '/api/handoffs', { leadId: lead.id, override: { reason: 'Known contact' } });
    expect(byAdmin.statusCode).toBe(422);
    expect(errorOf(byAdmin)).toMatchObject({ code: 'recipient_missing', field: 'email' });
    expect(errorOf(byAdmin).message).toContain('no email address');
    const all = await call(h, org.admin, 'GET', '/api/handoffs?mine=true');
    expect((all.data as { items: unknown[] }).items).toEqual([]);
  });

  it('refuses a start without a lead, naming leadId', async () => {
    const res = await call(h, org.emeaSdr, 'POST', '/api/handoffs', {});
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).field).toBe('leadId');
  });
});

describe('GET /api/handoffs/:id/intro and PUT /api/handoffs/:id/slot', () => {
  const introOf = (as: User, id: string) => call(h, as, 'GET', `/api/handoffs/${id}/intro`);
  const choose = (as: User, id: string, slot: { start: string; end: string }) => call(h, as, 'PUT', `/api/handoffs/${id}/slot`, slot);

  it('gives the SDR and the team manager the intro composed as at start, the chosen time first', async () => {
    const lead = await qualifiedLeadOf(org.emeaSdr);
    const startRes = await call(h, org.emeaSdr, 'POST', '/api/handoffs', { leadId: lead.id });
    const started = startRes.data as HandoffStartedDto;
    const second = started.slots[1];
    if (second === undefined) throw new Error('expected proposals');
    const chosen = await choose(org.emeaSdr, started.handoff.id, second);
    expect(chosen.statusCode).toBe(200);
    expect(detail(chosen).handoff).toMatchObject({ slotStart: second.start, slotEnd: second.end });

    for (const reader of [org.emeaSdr, org.emeaManager]) {
      const res = await introOf(reader, started.handoff.id);
      expect(res.statusCode).toBe(200);
      const again = res.data as HandoffIntroDto;
      expect(again.intro).toEqual({ ...started.intro, html: again.intro.html, text: again.intro.text });
      expect(again.intro.header).toEqual({ name: 'x-baton-handoff', value: started.handoff.id });
      expect(again.slots[0]).toEqual(second);
      expect(again.slots).toHaveLength(3);
    }
  });

  it('refuses the AE (403), another SDR and another team (404), and an intro already seen sent (409)', async () => {
    const { handoffId } = await startedHandoff();
    const ae = await introOf(org.emeaAe, handoffId);
    expect(ae.statusCode).toBe(403);
    expect(errorOf(ae).code).toBe('not_the_sdr');
    expect((await introOf(org.amerManager, handoffId)).statusCode).toBe(404);
    expect((await introOf(org.emeaSdr2, handoffId)).statusCode).toBe(404);
    expect((await choose(org.amerSdr, handoffId, { start: '2026-11-26T10:00:00.000Z', end: '2026-11-26T10:30:00.000Z' })).statusCode).toBe(404);
    await h.db.db.updateTable('handoffs').set({ stage: 'intro_sent', intro_sent_at: new Date('2026-11-24T09:30:00Z') }).where('id', '=', handoffId).execute();
    const sent = await introOf(org.emeaSdr, handoffId);
    expect(sent.statusCode).toBe(409);
    expect(errorOf(sent).code).toBe('intro_sent');
  });

  it('refuses a time in the past and one chosen after the invite was booked', async () => {
    const { handoffId } = await startedHandoff();
    const past = await choose(org.emeaSdr, handoffId, { start: '2026-11-20T10:00:00.000Z', end: '2026-11-20T10:30:00.000Z' });
    expect(past.statusCode).toBe(422);
    expect(errorOf(past).code).toBe('invalid_slot');
    await h.db.db.updateTable('handoffs').set({ meeting_start: new Date('2026-11-26T10:00:00Z'), meeting_end: new Date('2026-11-26T10:30:00Z') }).where('id', '=', handoffId).execute();
    const late = await choose(org.emeaSdr, handoffId, { start: '2026-11-27T10:00:00.000Z', end: '2026-11-27T10:30:00.000Z' });
    expect(late.statusCode).toBe(409);
    expect(errorOf(late).code).toBe('invite_exists');
  });

  it('asks for a signed-in user', async () => {
    const { handoffId } = await startedHandoff();
    expect((await call(h, {}, 'GET', `/api/handoffs/${handoffId}/intro`)).statusCode).toBe(401);
  });
});
