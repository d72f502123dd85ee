// The SLA clock while the AE is away, end to end in the sandbox: the AE turns automatic replies on after the intro;
// the away check reads their mailbox settings once per interval (counted by the sandbox's request log) however many
// obligations run; while away nothing is reminded or breached and the clock keeps its time left; seen off, the
// deadline moves by exactly the paused working time, and the breach mail says the clock was paused.
import { DateTime } from 'luxon';
import { workCalendarFor, workingTimeBetween } from '../../../server/domain/working-time';
import { startWatchHarness, type WatchHarness } from './watch-harness';

let h: WatchHarness;
beforeAll(async () => {
  // Monday 2026-11-23 08:00 UTC = 09:00 in Berlin.
  h = await startWatchHarness({ engine: true });
}, 60_000);
afterAll(() => h.close());

const minute = 60_000;
const hour = 60 * minute;
const user = (key: string) => {
  const u = h.people[key];
  if (u === undefined) throw new Error(key);
  return u;
};
// Anton's mailbox: Mon–Fri 09:00–18:00 Berlin (no German public holiday in this week).
const antonCal = (() => {
  const c = workCalendarFor({ workingHours: { daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'], startTime: '09:00:00', endTime: '18:00:00', timeZone: 'Europe/Berlin' }, timeZone: 'Europe/Berlin', country: 'DE', years: [2026] });
  if (!c.ok) throw new Error(c.error.message);
  return c.value;
})();

async function obligations(id: string) {
  return h.tdb.db.selectFrom('obligations').selectAll().where('handoff_id', '=', id).orderBy('kind').execute();
}
async function spans() {
  return h.tdb.db.selectFrom('away_spans').selectAll().where('user_id', '=', user('ae_emea_1').id).orderBy('start_at').execute();
}
/** Reads of Anton's mailbox settings the sandbox served since `since`. */
const settingsReads = (since: Date) =>
  h.running.sandbox.requestLog.entries({ since }).filter((e) => e.method === 'GET' && /\/mailboxsettings/i.test(e.url) && e.url.includes(user('ae_emea_1').entraOid)).length;

async function sendIntro(handoffId: string): Promise<void> {
  const lead = await h.tdb.db.selectFrom('handoffs').innerJoin('leads', 'leads.id', 'handoffs.lead_id').select(['leads.email', 'leads.contact_name']).where('handoffs.id', '=', handoffId).executeTakeFirstOrThrow();
  await h.gateway.sendMail(user('sdr_emea_1').entraOid, {
    to: [{ address: lead.email, name: lead.contact_name }],
    cc: [{ address: user('ae_emea_1').email }],
    subject: `Introduction ${handoffId.slice(0, 8)}`,
    html: '<p>Meet Anton.</p>',
    headers: { 'x-baton-handoff': handoffId },
  });
}

function setReplies(status: 'alwaysEnabled' | 'disabled'): void {
  h.running.sandbox.directory.updateMailboxSettings(user('ae_emea_1').entraOid, { automaticRepliesSetting: { status, internalReplyMessage: '<p>Away</p>' } });
}

describe('the SLA clock while the AE is away', () => {
  it('stops while automatic replies are on, is read once per interval, and resumes with the deadline moved by the pause', async () => {
    const first = await h.newHandoff('sdr_emea_1', 'ae_emea_1');
    const second = await h.newHandoff('sdr_emea_1', 'ae_emea_1');
    await sendIntro(first);
    await sendIntro(second);
    await h.settle();
    const planned = await obligations(first);
    expect(planned.map((o) => o.status)).toEqual(['open', 'open']);
    const originalDue = planned[0]?.due_at;
    if (originalDue === undefined) throw new Error('no obligation');

    // An hour later Anton turns automatic replies on (through the sandbox, as in Outlook).
    h.clock.advance(hour);
    const turnedOn = h.clock.now();
    setReplies('alwaysEnabled');
    await h.settle();
    const [away] = await spans();
    expect(away).toMatchObject({ source: 'alwaysEnabled', end_at: null });
    const awayFrom = away?.start_at ?? new Date(0);
    // Seen at the first check after being turned on (the check of the intro's hour was due already).
    expect(awayFrom.getTime()).toBeGreaterThanOrEqual(turnedOn.getTime());
    expect(awayFrom.getTime() - turnedOn.getTime()).toBeLessThan(15 * minute);
    const paused = await obligations(first);
    expect(paused.every((o) => o.next_check_at === null)).toBe(true);
    // About an hour of the 8 ran before the absence: about 7 are left, and they stay left.
    const remaining = Number(paused[0]?.remaining_ms);
    expect(remaining).toBeGreaterThan(7 * hour - 15 * minute);
    expect(remaining).toBeLessThanOrEqual(7 * hour);

    // Two hours of clock in 5-minute steps: Anton's settings are read once per 15 minutes, for four obligations.
    const since = h.clock.now();
    for (let i = 0; i < 24; i++) {
      h.clock.advance(5 * minute);
      await h.settle();
    }
    const reads = settingsReads(since);
    expect(reads).toBeGreaterThanOrEqual(7);
    expect(reads).toBeLessThanOrEqual(9);

    // Past the deadline planned at the intro, still away: no reminder, no breach.
    h.clock.set(new Date(originalDue.getTime() + 2 * hour));
    await h.settle();
    expect((await obligations(first)).map((o) => o.status)).toEqual(['open', 'open']);
    expect((await obligations(first)).every((o) => o.reminded_at === null && o.breached_at === null)).toBe(true);
    const outbox = await h.tdb.db.selectFrom('outbox').select('idempotency_key').where('handoff_id', 'in', [first, second]).where('idempotency_key', 'like', 'sla:%').execute();
    expect(outbox).toEqual([]);
    expect(Number((await obligations(first))[0]?.remaining_ms)).toBe(remaining);

    // Tuesday 10:00 Berlin Anton is back and turns the replies off; seen at the next check.
    h.clock.set(DateTime.fromISO('2026-11-24T10:00', { zone: 'Europe/Berlin' }).toJSDate());
    setReplies('disabled');
    h.clock.advance(15 * minute);
    await h.settle();
    const [closed] = await spans();
    const awayUntil = closed?.end_at;
    if (awayUntil == null) throw new Error('the absence was not closed');
    expect(awayUntil.getTime()).toBeGreaterThan(DateTime.fromISO('2026-11-24T10:00', { zone: 'Europe/Berlin' }).toMillis());
    const resumed = await obligations(first);
    const newDue = resumed[0]?.due_at ?? new Date(0);
    // The deadline moved by exactly the working time the absence covered.
    expect(workingTimeBetween(originalDue, newDue, antonCal)).toBe(workingTimeBetween(awayFrom, awayUntil, antonCal));
    expect(newDue.getTime() - awayUntil.getTime()).toBe(remaining);
    expect(resumed.every((o) => o.remaining_ms === null && o.next_check_at !== null)).toBe(true);
    expect(Number(resumed[0]?.paused_ms)).toBe(workingTimeBetween(awayFrom, awayUntil, antonCal));

    // At the new deadline the manager is told, and the mail says the clock was paused.
    h.clock.set(new Date(newDue.getTime() + minute));
    await h.settle();
    await h.settle();
    expect((await obligations(first)).map((o) => o.status)).toEqual(['breached', 'breached']);
    const mails = await h.tdb.db.selectFrom('outbox').select(['idempotency_key', 'payload']).where('handoff_id', '=', first).where('idempotency_key', 'like', 'sla:%:breach').execute();
    expect(mails).toHaveLength(2);
    const html = (mails[0]?.payload as { html: string }).html;
    expect(html).toContain('Clock paused');
    expect(html).toContain('automatic replies were on');
  }, 120_000);
  it('reads the AE\'s settings once when a hand-off starts: the SLA clock\'s read serves the away check of that minute', async () => {
    const elena = user('ae_emea_2');
    const id = await h.newHandoff('sdr_emea_2', 'ae_emea_2');
    const since = h.clock.now();
    const lead = await h.tdb.db.selectFrom('handoffs').innerJoin('leads', 'leads.id', 'handoffs.lead_id').select(['leads.email', 'leads.contact_name']).where('handoffs.id', '=', id).executeTakeFirstOrThrow();
    await h.gateway.sendMail(user('sdr_emea_2').entraOid, {
      to: [{ address: lead.email, name: lead.contact_name }],
      cc: [{ address: elena.email }],
      subject: `Introduction ${id.slice(0, 8)}`,
      html: '<p>Meet Elena.</p>',
      headers: { 'x-baton-handoff': id },
    });
    await h.settle();
    expect((await obligations(id)).map((o) => o.status)).toEqual(['open', 'open']);
    const reads = h.running.sandbox.requestLog.entries({ since }).filter((e) => e.method === 'GET' && /\/mailboxsettings/i.test(e.url) && e.url.includes(elena.entraOid));
    expect(reads).toHaveLength(1);
    // The away check did run: Elena is due again an interval later.
    const state = await h.tdb.db.selectFrom('away_checks').selectAll().where('user_id', '=', elena.id).executeTakeFirst();
    expect(state?.checked_at?.getTime() ?? 0).toBeGreaterThanOrEqual(since.getTime());
    expect(state?.next_check_at.getTime() ?? 0).toBeGreaterThan(h.clock.now().getTime());
  });
});
