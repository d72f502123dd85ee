// The pages behind the one-click links, through the real app and database: the confirmation page (escaped, strict
// CSP, changes nothing), each action taken once through the hand-off service, the double-submit nonce and origin
// checks, and every bad link (tampered, expired, used, not as issued, a holder who may not, the hand-off closed):
// a clear page with the right status, nothing changed, the attempt in the audit log.
import { createRatingStore } from '../../../server/store/rating-store';
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import type { LeadDto } from '../../../server/http/contract';
import type { User } from '../../../server/domain/people';
import type { ActionKind } from '../../../server/domain/action-link';
import { parseTeamPolicies } from '../../../server/domain/team-policy';
import { createHandoffService } from '../../../server/engine/handoff-service';
import { createObligationService, type ObligationService } from '../../../server/engine/obligations';
import { createActionLinks } from '../../../server/engine/action-links';
import { createActionService } from '../../../server/engine/action-service';
import { actionPageCsp } from '../../../server/http/routes/actions';
import { createActionTokenStore } from '../../../server/store/action-token-store';
import { createHandoffStore } from '../../../server/store/handoff-store';
import { createFollowupStore } from '../../../server/store/followup-store';
import { createOutboxStore } from '../../../server/store/outbox-store';
import { call, errorOf, qualifiedLead, startHarness, type Harness, type Org } from './harness';

const secret = 'test-secret-for-action-links-0123456789abcdef';
const links = createActionLinks({ secret, ttlHours: 48, baseUrl: 'https://baton.example.com' });
const policiesParsed = parseTeamPolicies(JSON.parse(readFileSync('server/settings/handoff-policy.json', 'utf8')));
if (!policiesParsed.ok) throw new Error('bad policy file');
const policies = policiesParsed.value;

// The machine may be busy: the real app, database and MJML renders are slow to start under load.
jest.setTimeout(120_000);

let h: Harness;
let org: Org;
let obligations: ObligationService;
const db = () => h.db.db;
const tokens = () => createActionTokenStore(db());

beforeAll(async () => {
  h = await startHarness({
    override: (deps) => {
      const handoffs = createHandoffStore(deps.db);
      // No mailbox in these tests: the SLA clock uses 09:00–17:00 Monday–Friday in the AE's zone.
      obligations = createObligationService({
        db: deps.db,
        people: deps.peopleStore,
        gateway: { mailboxSettings: () => Promise.reject(new Error('no mailbox in this test')) },
        outbox: createOutboxStore(deps.db),
        policies,
        now: () => deps.clock.now(),
        logger: deps.logger,
      });
      const handoffService = createHandoffService({
        clock: deps.clock,
        handoffs,
        followups: createFollowupStore(deps.db),
        leads: deps.leadStore,
        people: deps.peopleStore,
        criteria: deps.qualificationCriteria,
        handBackReasons: deps.handBackReasons,
        obligations,
        ratings: createRatingStore(deps.db),
      });
      const actions = createActionService({
        clock: deps.clock,
        links,
        tokens: createActionTokenStore(deps.db),
        handoffs,
        handoffService,
        people: deps.peopleStore,
        leads: deps.leadStore,
        handBackReasons: deps.handBackReasons,
        logger: deps.logger,
      });
      return { ...deps, handoffService, actions };
    },
  });
});
afterAll(async () => {
  await h.close();
});
beforeEach(async () => {
  org = await h.reset();
  await h.people.updateUser(org.emeaAe.id, { backupId: org.emeaAe2.id }, h.clock.now());
});

const company = '<script>alert(1)</script> & Söhne';

/** A hand-off whose intro went out 10 working hours ago: lead suspect, meeting and prep block booked, both obligations open. */
async function liveHandoff(): Promise<{ handoffId: string; lead: LeadDto }> {
  const created = await call(h, org.emeaSdr, 'POST', '/api/leads', qualifiedLead({ companyName: company }));
  const lead = created.data as LeadDto;
  for (const to of ['working', 'qualified']) await call(h, org.emeaSdr, 'POST', `/api/leads/${lead.id}/transitions`, { to });
  const started = await call(h, org.emeaSdr, 'POST', '/api/handoffs', { leadId: lead.id });
  if (started.statusCode !== 201) throw new Error(started.body);
  const handoffId = (started.data as { handoff: { id: string } }).handoff.id;
  const introAt = new Date('2026-11-23T09:00:00Z');
  await db().updateTable('leads').set({ status: 'suspect', ae_id: org.emeaAe.id }).where('id', '=', lead.id).execute();
  await db()
    .updateTable('handoffs')
    .set({
      stage: 'invite_sent',
      intro_sent_at: introAt,
      meeting_event_id: 'meeting-event-1',
      meeting_ae_event_id: 'ae-copy-1',
      meeting_start: new Date('2026-11-27T10:00:00Z'),
      meeting_end: new Date('2026-11-27T10:30:00Z'),
      prep_event_id: 'prep-event-1',
      prep_start: new Date('2026-11-27T09:30:00Z'),
      prep_end: new Date('2026-11-27T10:00:00Z'),
    })
    .where('id', '=', handoffId)
    .execute();
  const handoff = { id: handoffId, aeId: org.emeaAe.id, teamId: 'emea' };
  await obligations.open(db(), handoff, 'ae_reply', introAt);
  await obligations.open(db(), handoff, 'ae_accept', introAt);
  return { handoffId, lead };
}

async function issue(handoffId: string, action: ActionKind, recipient: User, extra: { aeId?: string; hours?: number } = {}): Promise<string> {
  const { claims, url } = links.issue({ handoffId, action, recipientId: recipient.id, ...extra }, h.clock.now());
  await tokens().record(db(), [claims], h.clock.now());
  return new URL(url).pathname;
}

const cookieOf = (res: LightMyRequestResponse): string => {
  const raw = res.headers['set-cookie'];
  const first = Array.isArray(raw) ? raw[0] : raw;
  return (first ?? '').split(';')[0] ?? '';
};
const nonceOf = (res: LightMyRequestResponse): string => /name="nonce" value="([^"]+)"/.exec(res.body)?.[1] ?? '';

const open = (path: string) => h.app.inject({ method: 'GET', url: path, headers: { host: 'baton.example.com' } });

/** Opens the page, then submits its form as a browser would (same origin, the cookie the page set). */
async function confirm(path: string, fields: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  const page = await open(path);
  expect(page.statusCode).toBe(200);
  return post(path, { nonce: nonceOf(page), ...fields }, { cookie: cookieOf(page), origin: 'https://baton.example.com', 'sec-fetch-site': 'same-origin', ...headers });
}

/** Posts a form as a browser does: a list value repeats its name (ticked checkboxes). */
function post(path: string, fields: Record<string, string | string[]>, headers: Record<string, string>): Promise<LightMyRequestResponse> {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) form.append(k, one);
  return h.app.inject({
    method: 'POST',
    url: path,
    headers: { host: 'baton.example.com', 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: form.toString(),
  });
}

/** Everything an action could change, to compare before and after. */
async function state(handoffId: string): Promise<unknown> {
  return {
    handoff: await db().selectFrom('handoffs').selectAll().where('id', '=', handoffId).executeTakeFirst(),
    leads: await db().selectFrom('leads').select(['id', 'status', 'ae_id', 'owner_id', 'version']).orderBy('id').execute(),
    obligations: await db().selectFrom('obligations').selectAll().orderBy('id').execute(),
    outbox: await db().selectFrom('outbox').select(['idempotency_key', 'kind', 'mailbox']).orderBy('id').execute(),
    used: await db().selectFrom('action_tokens').select(['id', 'used_at']).orderBy('id').execute(),
  };
}

async function refusals(): Promise<{ entity: string; entity_id: string; reason_code: string | null }[]> {
  return db().selectFrom('audit_log').select(['entity', 'entity_id', 'reason_code']).where('reason_code', 'like', 'action_refused:%').orderBy('id').execute();
}

describe('the confirmation page', () => {
  it('describes the reassignment, escapes every field, sets a strict CSP and the nonce cookie, and changes nothing', async () => {
    const { handoffId } = await liveHandoff();
    const path = await issue(handoffId, 'reassign', org.emeaManager, { aeId: org.emeaAe2.id });
    const before = await state(handoffId);
    const auditBefore = await db().selectFrom('audit_log').select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow();

    const res = await open(path);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(actionPageCsp);
    expect(actionPageCsp).toContain("default-src 'none'");
    expect(actionPageCsp).not.toContain('script-src');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.body).toContain('Reassign to Avery Ae');
    expect(res.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; Söhne');
    expect(res.body).not.toContain('<script>');
    expect(res.body).toContain('The meeting invite names Avery Ae instead of Alex Ae');
    expect(res.body).toContain('The prep block moves');
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie.split(';')[0]?.split('=')[1]).toBe(nonceOf(res));

    // Opening it again (a mail scanner, a second click) changes nothing either.
    await open(path);
    expect(await state(handoffId)).toEqual(before);
    const auditAfter = await db().selectFrom('audit_log').select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow();
    expect(auditAfter.n).toBe(auditBefore.n);
  });

  it('never writes the token to the log', async () => {
    const { handoffId } = await liveHandoff();
    const path = await issue(handoffId, 'nudge', org.emeaManager);
    await confirm(path);
    const token = path.split('/').pop() ?? '';
    expect(token.length).toBeGreaterThan(100);
    expect(h.logLines.join('\n')).not.toContain(token.slice(0, 60));
  });
});

describe('the actions', () => {
  it('reassign: the backup AE gets the hand-off, the deadlines start again for them, the meeting and prep block move, three mails go out, once', async () => {
    const { handoffId, lead } = await liveHandoff();
    const path = await issue(handoffId, 'reassign', org.emeaManager, { aeId: org.emeaAe2.id });
    const res = await confirm(path);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('now belongs to Avery Ae');

    const handoff = await db().selectFrom('handoffs').selectAll().where('id', '=', handoffId).executeTakeFirstOrThrow();
    expect(handoff.ae_id).toBe(org.emeaAe2.id);
    expect(handoff.prep_event_id).toBeNull();
    expect(handoff.meeting_ae_event_id).toBeNull();
    expect((await h.leads.get(lead.id))?.aeId).toBe(org.emeaAe2.id);

    const obl = await db().selectFrom('obligations').select(['kind', 'status', 'started_at']).orderBy('id').execute();
    expect(obl.filter((o) => o.status === 'cancelled')).toHaveLength(2);
    const fresh = obl.filter((o) => o.status === 'open');
    expect(fresh.map((o) => o.kind).sort()).toEqual(['ae_accept', 'ae_reply']);
    for (const o of fresh) expect(o.started_at.toISOString()).toBe(h.clock.now().toISOString());

    const outbox = await db().selectFrom('outbox').select(['idempotency_key', 'kind', 'mailbox', 'payload']).where('handoff_id', '=', handoffId).orderBy('id').execute();
    const update = outbox.find((o) => o.kind === 'event_update');
    expect(update?.mailbox).toBe(org.emeaSdr.entraOid);
    expect(update?.payload).toMatchObject({ eventId: 'meeting-event-1', attendees: [{ address: 'grace@acme-widgets.com' }, { address: org.emeaAe2.email }] });
    expect(outbox.find((o) => o.kind === 'event_delete')).toMatchObject({ mailbox: org.emeaAe.entraOid, payload: { eventId: 'prep-event-1' } });
    expect(outbox.find((o) => o.kind === 'event')).toMatchObject({ mailbox: org.emeaAe2.entraOid, payload: { purpose: 'prep', start: '2026-11-27T09:30:00.000Z' } });
    const mails = outbox.filter((o) => o.kind === 'mail' && o.idempotency_key.startsWith('reassign:'));
    const to = mails.map((m) => (m.payload as { to: { address: string }[] }).to[0]?.address).sort();
    expect(to).toEqual([org.emeaSdr.email, org.emeaAe.email, org.emeaAe2.email].sort());

    const trail = await db().selectFrom('audit_log').select(['reason_code', 'actor_id']).where('entity_id', '=', handoffId).orderBy('id').execute();
    expect(trail.map((t) => t.reason_code)).toEqual(expect.arrayContaining(['action_link_used', 'reassigned']));
    expect(trail.find((t) => t.reason_code === 'reassigned')?.actor_id).toBe(org.emeaManager.id);

    // The same link again: refused, nothing more sent.
    const second = await open(path);
    expect(second.statusCode).toBe(410);
    expect(await db().selectFrom('outbox').select(sql<string>`count(*)`.as('n')).where('handoff_id', '=', handoffId).executeTakeFirstOrThrow()).toEqual({ n: String(outbox.length) });
  });

  it('more time: every open deadline moves to n working hours from now, planned again', async () => {
    const { handoffId } = await liveHandoff();
    const path = await issue(handoffId, 'more_time', org.emeaManager, { hours: 4 });
    const page = await open(path);
    expect(page.body).toContain('Give 4 more working hours');
    const res = await confirm(path);
    expect(res.statusCode).toBe(200);
    const live = await db().selectFrom('obligations').select(['kind', 'due_at', 'started_at', 'remind_at']).where('status', '=', 'open').execute();
    expect(live).toHaveLength(2);
    // Tuesday 09:00 UTC is 10:00 in Berlin: 4 working hours later is 14:00 Berlin, 13:00 UTC; the reminder half-way.
    for (const o of live) {
      expect(o.due_at.toISOString()).toBe('2026-11-24T13:00:00.000Z');
      expect(o.remind_at.toISOString()).toBe('2026-11-24T11:00:00.000Z');
      expect(o.started_at.toISOString()).toBe('2026-11-23T09:00:00.000Z');
    }
    const audit = await db().selectFrom('audit_log').select('reason_code').where('entity_id', '=', handoffId).where('reason_code', '=', 'deadline_extended').execute();
    expect(audit).toHaveLength(1);
  });

  it('nudge: one mail to the AE with the manager in copy', async () => {
    const { handoffId } = await liveHandoff();
    const path = await issue(handoffId, 'nudge', org.emeaManager);
    expect((await confirm(path)).statusCode).toBe(200);
    const mails = await db().selectFrom('outbox').select(['payload']).where('idempotency_key', 'like', 'nudge:%').execute();
    expect(mails).toHaveLength(1);
    expect(mails[0]?.payload).toMatchObject({ to: [{ address: org.emeaAe.email }], cc: [{ address: org.emeaManager.email }] });
  });

  it('hand back: the reason, text and rating are required (the form comes back, the link unused), then the lead goes back to the SDR, rated', async () => {
    const { handoffId, lead } = await liveHandoff();
    const path = await issue(handoffId, 'hand_back', org.emeaAe);
    const page = await open(path);
    expect(page.body).toContain('<option value="no_budget">No budget</option>');
    expect(page.body).toContain('<input type="radio" name="score" value="5" required>');
    expect(page.body).toContain('<input type="checkbox" name="fields" value="budget">');
    const headers = { cookie: cookieOf(page), origin: 'https://baton.example.com', 'sec-fetch-site': 'same-origin' };
    const missing = await post(path, { nonce: nonceOf(page), reasonCode: 'no_budget', text: '  ', score: '3' }, headers);
    expect(missing.statusCode).toBe(422);
    expect(missing.body).toContain('Say in a few words');
    expect((await db().selectFrom('action_tokens').select('used_at').executeTakeFirstOrThrow()).used_at).toBeNull();

    const unrated = await post(path, { nonce: nonceOf(page), reasonCode: 'no_budget', text: 'Budget frozen until Q3 <b>' }, headers);
    expect(unrated.statusCode).toBe(422);
    expect(unrated.body).toContain('Rate the lead from 1 to 5');
    // The form comes back as it was filled in, the link still unused.
    expect(unrated.body).toContain('Budget frozen until Q3 &lt;b&gt;');
    const badField = await post(path, { nonce: nonceOf(page), reasonCode: 'no_budget', text: 'Budget frozen', score: '2', fields: ['budget', 'shoeSize'] }, headers);
    expect(badField.statusCode).toBe(422);
    expect(badField.body).toContain('&quot;shoeSize&quot; is not a field of the lead record');
    expect(badField.body).toContain('<input type="checkbox" name="fields" value="budget" checked>');
    expect((await db().selectFrom('action_tokens').select('used_at').executeTakeFirstOrThrow()).used_at).toBeNull();

    const done = await post(
      path,
      { nonce: nonceOf(page), reasonCode: 'no_budget', text: 'Budget frozen until Q3 <b>', score: '2', fields: ['budget', 'decisionMaker'], comment: 'The list said Director, he is an intern.' },
      headers,
    );
    expect(done.statusCode).toBe(200);
    const rating = await db().selectFrom('lead_ratings').select(['score', 'fields', 'comment', 'outcome']).where('handoff_id', '=', handoffId).executeTakeFirstOrThrow();
    expect(rating).toEqual({ score: 2, fields: ['budget', 'decisionMaker'], comment: 'The list said Director, he is an intern.', outcome: 'hand_back' });
    const after = await h.leads.get(lead.id);
    expect(after).toMatchObject({ status: 'handed_back', ownerId: org.emeaSdr.id, handBackText: 'Budget frozen until Q3 <b>' });
    expect((await db().selectFrom('handoffs').select('stage').where('id', '=', handoffId).executeTakeFirstOrThrow()).stage).toBe('closed');
  });
});

describe('more time and nudge through the API, with the rules of the links', () => {
  const moreTime = (as: User, id: string, body: Record<string, unknown>) => call(h, as, 'POST', `/api/handoffs/${id}/more-time`, body);
  const nudge = (as: User, id: string, body: Record<string, unknown>) => call(h, as, 'POST', `/api/handoffs/${id}/nudge`, body);
  const dueDates = async (id: string) =>
    (await db().selectFrom('obligations').select('due_at').where('handoff_id', '=', id).where('status', '=', 'open').orderBy('kind').execute()).map((o) => o.due_at.toISOString());

  it('more time: a manager of the team gives 4 working hours, planned again and audited; others and bad hours are refused, nothing changed', async () => {
    const { handoffId } = await liveHandoff();
    const before = await dueDates(handoffId);
    for (const [who, status] of [[org.emeaSdr, 403], [org.emeaAe, 403], [org.amerManager, 404]] as const) {
      expect((await moreTime(who, handoffId, { hours: 4 })).statusCode).toBe(status);
    }
    for (const hours of [0, -2, 201, '4']) {
      const bad = await moreTime(org.emeaManager, handoffId, { hours });
      expect(bad.statusCode).toBe(400);
      expect(errorOf(bad).field).toBe('hours');
    }
    expect((await moreTime(org.emeaManager, handoffId, { hours: 4, note: 'x' })).statusCode).toBe(400);
    expect(await dueDates(handoffId)).toEqual(before);

    const res = await moreTime(org.emeaManager, handoffId, { hours: 4 });
    expect(res.statusCode).toBe(200);
    // Tuesday 09:00 UTC is 10:00 in Berlin: 4 working hours later is 14:00 Berlin, 13:00 UTC.
    expect(await dueDates(handoffId)).toEqual(['2026-11-24T13:00:00.000Z', '2026-11-24T13:00:00.000Z']);
    const audit = await db().selectFrom('audit_log').select(['reason_code', 'actor_id']).where('entity_id', '=', handoffId).where('reason_code', '=', 'deadline_extended').execute();
    expect(audit).toEqual([{ reason_code: 'deadline_extended', actor_id: org.emeaManager.id }]);
    expect((await moreTime(org.admin, handoffId, { hours: 1 })).statusCode).toBe(200);
  });

  it('nudge: a manager of the team mails the AE once per request id; others are refused and nothing is sent', async () => {
    const { handoffId } = await liveHandoff();
    const mails = async () => db().selectFrom('outbox').select(['payload']).where('handoff_id', '=', handoffId).where('idempotency_key', 'like', 'nudge:%').execute();
    for (const [who, status] of [[org.emeaSdr, 403], [org.emeaAe, 403], [org.amerManager, 404]] as const) {
      expect((await nudge(who, handoffId, {})).statusCode).toBe(status);
    }
    expect((await nudge(org.emeaManager, handoffId, { requestId: 'not-a-uuid' })).statusCode).toBe(400);
    expect(await mails()).toHaveLength(0);

    const requestId = '6f1c2a7e-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
    expect((await nudge(org.emeaManager, handoffId, { requestId })).statusCode).toBe(200);
    const again = await nudge(org.emeaManager, handoffId, { requestId });
    expect(again.statusCode).toBe(409);
    expect(errorOf(again).code).toBe('already_nudged');
    const sent = await mails();
    expect(sent).toHaveLength(1);
    expect(sent[0]?.payload).toMatchObject({ to: [{ address: org.emeaAe.email }], cc: [{ address: org.emeaManager.email }] });
    expect((await nudge(org.emeaManager, handoffId, {})).statusCode).toBe(200);
    expect(await mails()).toHaveLength(2);
  });

  it('nothing left to do: 409 for both, once the AE replied and accepted', async () => {
    const { handoffId } = await liveHandoff();
    await db().updateTable('obligations').set({ status: 'met', met_at: h.clock.now() }).where('handoff_id', '=', handoffId).execute();
    const more = await moreTime(org.emeaManager, handoffId, { hours: 4 });
    expect(more.statusCode).toBe(409);
    expect(errorOf(more).code).toBe('nothing_pending');
    const nudged = await nudge(org.emeaManager, handoffId, {});
    expect(nudged.statusCode).toBe(409);
    expect(errorOf(nudged).code).toBe('nothing_pending');
  });
});

describe('bad links and forms: a clear page, nothing changed, the attempt audited', () => {
  async function expectRefused(handoffId: string, res: () => Promise<LightMyRequestResponse>, status: number, code: string, entity = 'handoff'): Promise<void> {
    const before = await state(handoffId);
    const answer = await res();
    expect(answer.statusCode).toBe(status);
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.body).toContain(`Error code: ${code}`);
    expect(answer.body).toContain('Nothing was changed');
    expect(await state(handoffId)).toEqual(before);
    const audit = await refusals();
    expect(audit.at(-1)).toMatchObject({ entity, reason_code: `action_refused:${code}` });
  }

  it('a tampered token: 400', async () => {
    const { handoffId } = await liveHandoff();
    const path = await issue(handoffId, 'nudge', org.emeaManager);
    const [payload, sig] = (path.split('/').pop() ?? '').split('.') as [string, string];
    const json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = `/actions/${Buffer.from(JSON.stringify({ ...json, a: 'reassign', ae: org.emeaAe2.id })).toString('base64url')}.${sig}`;
    await expectRefused(handoffId, () => open(forged), 400, 'link_invalid', 'action');
    await expectRefused(handoffId, () => post(forged, { nonce: 'x' }, { cookie: 'x=y' }), 400, 'link_invalid', 'action');
  });

  it('an expired link: 410', async () => {
    const { handoffId } = await liveHandoff();
    const path = await issue(handoffId, 'nudge', org.emeaManager);
    const page = await open(path);
    h.clock.set(new Date(h.clock.now().getTime() + 48 * 3_600_000));
    await expectRefused(handoffId, () => post(path, { nonce: nonceOf(page) }, { cookie: cookieOf(page) }), 410, 'link_expired');
  });

  it('a used link: 410', async () => {
    const { handoffId } = await liveHandoff();
    const path = await issue(handoffId, 'nudge', org.emeaManager);
    const page = await open(path);
    const headers = { cookie: cookieOf(page), 'sec-fetch-site': 'same-origin' };
    expect((await post(path, { nonce: nonceOf(page) }, headers)).statusCode).toBe(200);
    await expectRefused(handoffId, () => post(path, { nonce: nonceOf(page) }, headers), 410, 'link_used');
  });

  it('a link signed for another hand-off or recipient than Baton issued: 400', async () => {
    const { handoffId } = await liveHandoff();
    const path = await issue(handoffId, 'nudge', org.emeaManager);
    const verified = links.verify(path.split('/').pop() ?? '');
    if (!verified.ok) throw new Error('not verified');
    const other = await liveHandoffOther();
    const forHandoff = `/actions/${links.sign({ ...verified.value, handoffId: other })}`;
    await expectRefused(handoffId, () => open(forHandoff), 400, 'link_mismatch');
    const forRecipient = `/actions/${links.sign({ ...verified.value, recipientId: org.admin.id })}`;
    await expectRefused(handoffId, () => open(forRecipient), 400, 'link_mismatch');
  });

  it('a holder who may not take the action: 403 (an AE with a reassign link, a manager of another team, an inactive manager)', async () => {
    const { handoffId } = await liveHandoff();
    const byAe = await issue(handoffId, 'reassign', org.emeaAe, { aeId: org.emeaAe2.id });
    await expectRefused(handoffId, () => open(byAe), 403, 'forbidden');
    const otherTeam = await issue(handoffId, 'more_time', org.amerManager, { hours: 4 });
    await expectRefused(handoffId, () => open(otherTeam), 403, 'forbidden');
    const managerLink = await issue(handoffId, 'nudge', org.emeaManager);
    const page = await open(managerLink);
    await h.people.updateUser(org.emeaManager.id, { active: false }, h.clock.now());
    await expectRefused(handoffId, () => post(managerLink, { nonce: nonceOf(page) }, { cookie: cookieOf(page) }), 403, 'forbidden');
  });

  it('the hand-off closed meanwhile: 409', async () => {
    const { handoffId } = await liveHandoff();
    const path = await issue(handoffId, 'reassign', org.emeaManager, { aeId: org.emeaAe2.id });
    const page = await open(path);
    await db().updateTable('handoffs').set({ stage: 'closed' }).where('id', '=', handoffId).execute();
    await expectRefused(handoffId, () => post(path, { nonce: nonceOf(page) }, { cookie: cookieOf(page) }), 409, 'handoff_closed');
  });

  it('CSRF: no cookie, a wrong nonce, another origin, a null origin without Sec-Fetch-Site, or a cross-site fetch: 403', async () => {
    const { handoffId } = await liveHandoff();
    const path = await issue(handoffId, 'nudge', org.emeaManager);
    const page = await open(path);
    const nonce = nonceOf(page);
    const cookie = cookieOf(page);
    await expectRefused(handoffId, () => post(path, { nonce }, {}), 403, 'csrf_refused');
    await expectRefused(handoffId, () => post(path, { nonce: `${nonce}x` }, { cookie }), 403, 'csrf_refused');
    await expectRefused(handoffId, () => post(path, { nonce }, { cookie, origin: 'https://evil.example.net' }), 403, 'csrf_refused');
    await expectRefused(handoffId, () => post(path, { nonce }, { cookie, 'sec-fetch-site': 'cross-site' }), 403, 'csrf_refused');
    // `Origin: null` from a browser too old to say Sec-Fetch-Site: not ours.
    await expectRefused(handoffId, () => post(path, { nonce }, { cookie, origin: 'null' }), 403, 'csrf_refused');
    // The same form, from the page, as Chromium posts it: the page's no-referrer policy makes its Origin `null`, and
    // Sec-Fetch-Site says same-origin. It works (and the link was not used up by the refusals).
    expect((await post(path, { nonce }, { cookie, origin: 'null', 'sec-fetch-site': 'same-origin' })).statusCode).toBe(200);
  });
});

/** A second hand-off (another SDR's lead), for links that name the wrong one. */
async function liveHandoffOther(): Promise<string> {
  const created = await call(h, org.emeaSdr2, 'POST', '/api/leads', qualifiedLead({ email: 'ops@other-co.example', companyName: 'Other Co', website: 'https://other-co.example' }));
  const lead = created.data as LeadDto;
  for (const to of ['working', 'qualified']) await call(h, org.emeaSdr2, 'POST', `/api/leads/${lead.id}/transitions`, { to });
  const started = await call(h, org.emeaSdr2, 'POST', '/api/handoffs', { leadId: lead.id });
  if (started.statusCode !== 201) throw new Error(started.body);
  return (started.data as { handoff: { id: string } }).handoff.id;
}
