// Hand-offs to an AE whose automatic replies are on, through the real app and database with the away check wired as
// main.ts wires it (a fake mailbox gateway): the reading at start is kept (it is the AE's check for the interval),
// the 409 names the away dates (a schedule with no usable end is open-ended), a schedule in the past pauses nothing,
// and the hand-off detail carries the AE's absence for the pane.
import { createRatingStore } from '../../../server/store/rating-store';
import type { HandoffDetailDto, HandoffStartedDto } from '../../../server/http/contract';
import type { AutomaticReplies, MailboxGateway, MailboxSettings } from '../../../server/domain/mailbox';
import { createHandoffService } from '../../../server/engine/handoff-service';
import { createAwayCheck } from '../../../server/engine/away-check';
import { createAwayStore } from '../../../server/store/away-store';
import { createHandoffStore } from '../../../server/store/handoff-store';
import { createFollowupStore } from '../../../server/store/followup-store';
import { silentLogger } from '../engine/watch-harness';
import { call, errorOf, qualifiedLead, startHarness, type Harness, type Org } from './harness';

const away = new Map<string, AutomaticReplies>();
let reads = 0;
const fakeMailbox: Pick<MailboxGateway, 'mailboxSettings' | 'getSchedule'> = {
  mailboxSettings: (mailbox) => {
    reads++;
    return Promise.resolve<MailboxSettings>({ timeZone: 'Europe/Berlin', workingHours: null, automaticReplies: away.get(mailbox) ?? { status: 'disabled', scheduledStart: null, scheduledEnd: null } });
  },
  getSchedule: () => Promise.resolve([]),
};

let h: Harness;
let org: Org;
beforeAll(async () => {
  h = await startHarness({
    override: (deps) => {
      const followups = createFollowupStore(deps.db);
      const awayCheck = createAwayCheck({ db: deps.db, store: createAwayStore(deps.db), people: deps.peopleStore, gateway: fakeMailbox, now: () => deps.clock.now(), logger: silentLogger, intervalMs: 15 * 60_000 });
      return {
        ...deps,
        followupStore: followups,
        handoffService: createHandoffService({
          clock: deps.clock,
          handoffs: createHandoffStore(deps.db),
          followups,
          leads: deps.leadStore,
          people: deps.peopleStore,
          ratings: createRatingStore(deps.db),
          criteria: deps.qualificationCriteria,
          handBackReasons: deps.handBackReasons,
          mailbox: fakeMailbox,
          away: awayCheck,
        }),
      };
    },
  });
});
afterAll(() => h.close());
beforeEach(async () => {
  org = await h.reset();
  away.clear();
  reads = 0;
});

async function leadOf(sdr: Org['emeaSdr'], overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await call(h, sdr, 'POST', '/api/leads', qualifiedLead(overrides));
  if (res.statusCode !== 201) throw new Error(`create failed: ${res.body}`);
  const id = (res.data as { id: string }).id;
  for (const to of ['working', 'qualified']) {
    const moved = await call(h, sdr, 'POST', `/api/leads/${id}/transitions`, { to });
    if (moved.statusCode !== 200) throw new Error(`${to} failed: ${moved.body}`);
  }
  return id;
}

describe('hand-off to an AE who is away', () => {
  it('keeps the reading taken at start and answers the away dates; a schedule with no usable end is open-ended', async () => {
    const now = h.clock.now();
    away.set(org.emeaAe.entraOid, { status: 'scheduled', scheduledStart: new Date(now.getTime() - 3_600_000), scheduledEnd: new Date(now.getTime() - 7_200_000) });
    const lead = await leadOf(org.emeaSdr);
    const res = await call(h, org.emeaSdr, 'POST', '/api/handoffs', { leadId: lead });
    expect(res.statusCode).toBe(409);
    expect(errorOf(res)).toMatchObject({ code: 'ae_away', field: 'aeId', away: { status: 'scheduled', start: new Date(now.getTime() - 3_600_000).toISOString(), end: null } });
    expect(reads).toBe(1);
    const spans = await h.db.db.selectFrom('away_spans').select(['start_at', 'end_at', 'source']).where('user_id', '=', org.emeaAe.id).execute();
    expect(spans).toEqual([{ start_at: new Date(now.getTime() - 3_600_000), end_at: null, source: 'scheduled' }]);
    // The reading counts as the AE's check: the next one is an interval later.
    const check = await h.db.db.selectFrom('away_checks').selectAll().where('user_id', '=', org.emeaAe.id).executeTakeFirstOrThrow();
    expect(check.next_check_at.getTime() - now.getTime()).toBe(15 * 60_000);
  });

  it('a schedule in the past pauses nothing; one ahead is shown on the hand-off for the pane', async () => {
    const now = h.clock.now();
    away.set(org.emeaAe.entraOid, { status: 'scheduled', scheduledStart: new Date(now.getTime() - 5 * 86_400_000), scheduledEnd: new Date(now.getTime() - 86_400_000) });
    const first = await call(h, org.emeaSdr, 'POST', '/api/handoffs', { leadId: await leadOf(org.emeaSdr) });
    expect(first.statusCode).toBe(201);
    const id = (first.data as HandoffStartedDto).handoff.id;
    expect(((await call(h, org.emeaSdr, 'GET', `/api/handoffs/${id}`)).data as HandoffDetailDto).aeAway).toBeNull();

    const start = new Date(now.getTime() + 2 * 86_400_000);
    const end = new Date(now.getTime() + 4 * 86_400_000);
    away.set(org.emeaAe.entraOid, { status: 'scheduled', scheduledStart: start, scheduledEnd: end });
    const second = await call(h, org.emeaSdr, 'POST', '/api/handoffs', { leadId: await leadOf(org.emeaSdr, { email: 'ada@initech.com', website: null }) });
    expect(second.statusCode).toBe(201);
    const detail = (await call(h, org.emeaSdr, 'GET', `/api/handoffs/${id}`)).data as HandoffDetailDto;
    expect(detail.aeAway).toEqual({ start: start.toISOString(), end: end.toISOString(), source: 'scheduled' });
  });
});
