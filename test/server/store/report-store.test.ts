// Report store on the real database: the rows of a week and the week before for a set of teams (hand-offs with their
// lead's gaps, obligations, counted stage moves, cancelled meetings, follow-up gaps at each period's end), which the
// domain turns into the figures; and the hand-offs behind a drill-down with the people's names.
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import { seedPeople, type TestPeople } from '../helpers/people';
import { leadFields } from '../helpers/leads';
import { createLeadStore, type LeadStore } from '../../../server/store/lead-store';
import { createReportStore, type ReportStore } from '../../../server/store/report-store';
import { computeReport, reportOfAggregates } from '../../../server/domain/report';
import { leadFieldNames, type LeadFields } from '../../../server/domain/lead';
import type { User } from '../../../server/domain/people';

let db: TestDatabase;
let store: ReportStore;
let leads: LeadStore;
let people: TestPeople;
const d = (iso: string) => new Date(`2026-11-${iso}:00Z`);
const week = { from: d('16T00:00'), to: d('23T00:00') };
const checked = ['phone', 'budget', 'title'] as const;

beforeAll(async () => {
  db = await openTestDatabase();
  store = createReportStore(db.db);
  leads = createLeadStore(db.db);
});
afterAll(async () => {
  await db.close();
});

let n = 0;
async function handoff(
  sdr: User,
  ae: User,
  startedAt: string,
  more: { closedAt?: string; outcome?: string; fields?: Partial<LeadFields>; meeting?: string } = {},
): Promise<{ id: string; leadId: string }> {
  n += 1;
  const lead = await leads.create(
    { teamId: sdr.teamId ?? '', ownerId: sdr.id, sdrId: sdr.id, fields: leadFields({ email: `lead${String(n)}@prospect${String(n)}.com`, contactName: `Contact ${String(n)}`, ...more.fields }) },
    { entity: 'lead', actorId: sdr.id, at: d('01T09:00'), from: null, to: 'new', reasonCode: null, reasonText: null },
  );
  const row = await db.db
    .insertInto('handoffs')
    .values({
      lead_id: lead.id,
      team_id: sdr.teamId ?? '',
      sdr_id: sdr.id,
      ae_id: ae.id,
      stage: more.closedAt === undefined ? 'accepted' : 'closed',
      stage_changed_at: d(more.closedAt ?? startedAt),
      created_at: d(startedAt),
      outcome: more.outcome ?? null,
      meeting_start: more.meeting === undefined ? null : d(more.meeting),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, leadId: lead.id };
}

async function obligation(handoffId: string, kind: 'ae_reply' | 'ae_accept', o: { met?: string; within?: boolean; ms?: number; breached?: string }) {
  await db.db
    .insertInto('obligations')
    .values({
      handoff_id: handoffId,
      kind,
      status: o.met === undefined ? 'breached' : 'met',
      started_at: d('01T00:00'),
      due_at: d('01T08:00'),
      remind_at: d('01T04:00'),
      second_level_at: d('01T16:00'),
      met_at: o.met === undefined ? null : d(o.met),
      met_within_sla: o.within ?? null,
      time_to_respond_ms: o.ms ?? null,
      breached_at: o.breached === undefined ? null : d(o.breached),
    })
    .execute();
}

async function stage(handoffId: string, to: string, at: string, reasonCode: string | null = null, reasonText: string | null = null) {
  await db.db.insertInto('audit_log').values({ entity: 'handoff', entity_id: handoffId, at: d(at), from_state: 'accepted', to_state: to, reason_code: reasonCode, reason_text: reasonText }).execute();
}

async function followup(leadId: string, ownerId: string, created: string, due: string, done: string | null = null) {
  await db.db.insertInto('followups').values({ lead_id: leadId, owner_id: ownerId, created_at: d(created), due_at: d(due), done_at: done === null ? null : d(done), note: 'Call' }).execute();
}

describe('report store', () => {
  let h1: { id: string; leadId: string };
  let h2: { id: string; leadId: string };
  let h3: { id: string; leadId: string };
  let old: { id: string; leadId: string };
  let south: { id: string; leadId: string };

  beforeAll(async () => {
    await db.reset();
    people = await seedPeople(db.db);
    const { sdr1, sdr2, ae1, ae2, southSdr, southAe } = people;
    h1 = await handoff(sdr1, ae1, '16T10:00', { closedAt: '18T11:00', outcome: 'sales_qualified', meeting: '18T10:00', fields: { budget: null } });
    h2 = await handoff(sdr1, ae1, '17T09:00', { fields: { phone: null, title: ' ' } });
    h3 = await handoff(sdr2, ae2, '10T08:00', { closedAt: '19T12:00', outcome: 'hand_back', meeting: '19T10:00' });
    // Closed before the week before: carries nothing for these two weeks.
    old = await handoff(sdr2, ae2, '01T08:00', { closedAt: '03T08:00', outcome: 'sales_qualified' });
    south = await handoff(southSdr, southAe, '17T08:00');

    await obligation(h1.id, 'ae_accept', { met: '16T14:00', within: true, ms: 4 * 3_600_000 });
    await obligation(h2.id, 'ae_accept', { met: '18T09:00', within: false, ms: 24 * 3_600_000, breached: '17T18:00' });
    await obligation(h2.id, 'ae_reply', { breached: '17T18:00' });
    await obligation(h3.id, 'ae_accept', { met: '10T10:00', within: true, ms: 2 * 3_600_000 });
    await obligation(old.id, 'ae_accept', { met: '01T10:00', within: true, ms: 3_600_000 });
    await obligation(south.id, 'ae_accept', { breached: '17T20:00' });

    await stage(h1.id, 'closed', '18T11:00', 'sales_qualified');
    await stage(h2.id, 'no_show', '20T10:30');
    await stage(h3.id, 'rescheduled', '12T09:00');
    await stage(h3.id, 'closed', '19T12:00', 'no_budget', 'Budget frozen');
    await stage(h2.id, 'invite_sent', '17T10:00');
    await db.db.insertInto('handoff_findings').values([
      { handoff_id: h3.id, kind: 'meeting_deleted', at: d('11T08:00'), details: '{}' },
      { handoff_id: h3.id, kind: 'conflict', at: d('11T09:00'), details: '{}' },
    ]).execute();

    // h1's lead has a follow-up through both weeks; h2's is done on the 20th; h3's was due before the 16th.
    await followup(h1.leadId, sdr1.id, '16T10:00', '30T09:00');
    await followup(h2.leadId, sdr1.id, '17T09:00', '30T09:00', '20T09:00');
    await followup(h3.leadId, sdr2.id, '10T08:00', '14T09:00');
    await followup(old.leadId, ae2.id, '03T08:00', '30T09:00');
  });

  it('reads the rows of the week and the week before for one team', async () => {
    const rows = await store.rows(week, ['north'], checked);
    expect(rows.handoffs.map((h) => h.id).sort()).toEqual([h1.id, h2.id, h3.id].sort());
    const byId = new Map(rows.handoffs.map((h) => [h.id, h]));
    expect(byId.get(h1.id)).toMatchObject({ sdrId: people.sdr1.id, aeId: people.ae1.id, startedAt: d('16T10:00'), closedAt: d('18T11:00'), outcome: 'sales_qualified', meetingStart: d('18T10:00') });
    expect(byId.get(h1.id)?.lead).toMatchObject({ missingFields: ['budget'], sourceList: 'Trade fair 2026', createdAt: d('01T09:00') });
    expect(byId.get(h2.id)?.lead.missingFields).toEqual(['phone', 'title']);
    expect(byId.get(h2.id)?.closedAt).toBeNull();
    expect(rows.obligations.map((o) => [o.handoffId, o.kind, o.timeToRespondMs]).sort()).toEqual(
      [[h1.id, 'ae_accept', 14_400_000], [h2.id, 'ae_accept', 86_400_000], [h2.id, 'ae_reply', null], [h3.id, 'ae_accept', 7_200_000]].sort(),
    );
    expect(rows.stages.map((s) => [s.handoffId, s.to, s.reasonCode]).sort()).toEqual(
      [[h1.id, 'closed', 'sales_qualified'], [h2.id, 'no_show', null], [h3.id, 'rescheduled', null], [h3.id, 'closed', 'no_budget']].sort(),
    );
    expect(rows.findings).toEqual([{ handoffId: h3.id, kind: 'meeting_deleted', at: d('11T08:00') }]);
    expect(rows.followupGaps.current.map((g) => g.leadId).sort()).toEqual([h2.leadId, h3.leadId].sort());
    expect(rows.followupGaps.previous.map((g) => g.leadId)).toEqual([h3.leadId]);
    expect(rows.people.map((p) => p.displayName)).toContain('Sara');
  });

  it('gives the figures of the week through the domain', async () => {
    const report = computeReport(await store.rows(week, ['north'], checked), week, { checkedFields: checked });
    expect(report.total.current).toMatchObject({
      handoffs: 2,
      acceptance: { settled: 2, withinSla: 1, share: 0.5, medianHoursToAccept: 14 },
      breaches: 2,
      meetings: { held: 2, noShow: 1, cancelled: 0, rescheduled: 0 },
      conversion: { salesQualified: 1, handedBack: 1, rate: 0.5 },
      handBackReasons: [{ code: 'no_budget', count: 1, texts: ['Budget frozen'] }],
      withoutFollowup: 2,
      successes: 1,
    });
    expect(report.total.previous).toMatchObject({ handoffs: 1, meetings: { rescheduled: 1, cancelled: 1 }, withoutFollowup: 1 });
    expect(report.byAe.map((g) => [g.label, g.current.breaches])).toEqual([['Alex', 2], ['Ava', 0]]);
  });

  it('counts the same figures in the database as the domain counts on the rows, for every group and both weeks', async () => {
    const fortnight = { from: d('09T00:00'), to: d('23T00:00') };
    for (const [range, teams] of [[week, ['north']], [week, 'all'], [week, []], [fortnight, ['north']], [fortnight, 'all']] as const) {
      const fromRows = computeReport(await store.rows(range, teams, checked), range, { checkedFields: checked });
      const fromAggregates = reportOfAggregates(await store.aggregates(range, teams, checked), range, { checkedFields: checked });
      expect(fromAggregates).toEqual(fromRows);
    }
    const report = reportOfAggregates(await store.aggregates(week, ['north'], checked), week, { checkedFields: checked });
    expect(report.total.current.handBackReasons).toEqual([{ code: 'no_budget', count: 1, texts: ['Budget frozen'] }]);
    expect(report.byPair.map((g) => g.label)).toEqual(['Sara → Alex', 'Sid → Ava']);
  });

  it('lists only the newest successes and hand-back texts when asked', async () => {
    const aggregates = await store.aggregates(week, ['north'], checked, { successes: 0, textsPerReason: 0 });
    expect(aggregates.successes).toEqual([]);
    expect(aggregates.reasons.every((r) => r.texts.length === 0)).toBe(true);
    expect((await store.aggregates(week, ['north'], checked, { successes: 1 })).successes.map((s) => s.handoffId)).toEqual([h1.id]);
  });

  it('reads every team, or none', async () => {
    const all = await store.rows(week, 'all', checked);
    expect(all.handoffs.map((h) => h.id)).toContain(south.id);
    expect(all.obligations.some((o) => o.handoffId === south.id)).toBe(true);
    const none = await store.rows(week, [], checked);
    expect(none.handoffs).toEqual([]);
    expect(none.followupGaps.current).toEqual([]);
  });

  it('lists the hand-offs behind a number with names, in the order asked, within the teams', async () => {
    const list = await store.handoffsByIds([h2.id, h1.id, south.id], ['north']);
    expect(list.map((h) => [h.id, h.contactName, h.sdrName, h.aeName, h.stage])).toEqual([
      [h2.id, expect.stringMatching(/^Contact /), 'Sara', 'Alex', 'accepted'],
      [h1.id, expect.stringMatching(/^Contact /), 'Sara', 'Alex', 'closed'],
    ]);
    expect(list[1]?.closedAt).toEqual(d('18T11:00'));
    expect(await store.handoffsByIds([], 'all')).toEqual([]);
  });

  it('finds the latest hand-off of each lead without a follow-up (their drill-down)', async () => {
    const again = await db.db
      .insertInto('handoffs')
      .values({ lead_id: h3.leadId, team_id: 'north', sdr_id: people.sdr2.id, ae_id: people.ae1.id, stage: 'intro_composed', stage_changed_at: d('21T08:00'), created_at: d('21T08:00') })
      .returning('id')
      .executeTakeFirstOrThrow();
    const list = await store.handoffsOfLeads([h3.leadId, h2.leadId, south.leadId], ['north']);
    expect(list.map((h) => [h.id, h.aeName]).sort()).toEqual([[again.id, 'Alex'], [h2.id, 'Alex']].sort());
  });
  it('keeps each lead\'s missing fields as the lead changes, whoever writes it, and counts them as the rows do', async () => {
    const same = async (fields: readonly (typeof leadFieldNames)[number][]) => {
      for (const [range, teams] of [[week, ['north']], [week, 'all']] as const) {
        const fromRows = computeReport(await store.rows(range, teams, fields), range, { checkedFields: fields });
        expect(reportOfAggregates(await store.aggregates(range, teams, fields), range, { checkedFields: fields })).toEqual(fromRows);
      }
    };
    const missingOf = async (handoffId: string) => (await store.rows(week, ['north'], leadFieldNames)).handoffs.find((h) => h.id === handoffId)?.lead.missingFields;
    // Every kind of gap: empty text or spaces only, no number, no choice, an empty list; a demo request is never missing.
    const blank = await handoff(people.sdr1, people.ae1, '20T08:00', {
      fields: {
        contactName: '  ', title: ' ', phone: '', companyName: '   ', webDomain: null, website: ' ', employeeCount: null, country: null, timeZone: '',
        decisionMaker: null, needs: '  ', currentSolution: null, competitors: [], budget: null, productInterests: [], demoRequested: false,
        sourceList: null, notes: '',
      },
    });
    expect(await missingOf(blank.id)).toEqual(leadFieldNames.filter((f) => f !== 'email' && f !== 'demoRequested'));
    await same(leadFieldNames);
    await same(checked);

    // Filled in through the lead store: only the budget is left missing.
    const version = (await db.db.selectFrom('leads').select('version').where('id', '=', blank.leadId).executeTakeFirstOrThrow()).version;
    const updated = await leads.updateFields(blank.leadId, version, leadFields({ email: 'filled@prospect-blank.com', budget: null, notes: 'Met at the fair' }), d('21T09:00'));
    expect(updated.ok).toBe(true);
    expect(await missingOf(blank.id)).toEqual(['budget']);
    await same(checked);

    // Written directly (as an import's COPY or another writer would): the database keeps the gaps right all the same.
    await db.db.updateTable('leads').set({ phone: ' ', budget: '10k' }).where('id', '=', blank.leadId).execute();
    expect(await missingOf(blank.id)).toEqual(['phone']);
    const report = reportOfAggregates(await store.aggregates(week, ['north'], checked), week, { checkedFields: checked });
    expect(report.total.current.missingData.fields.find((f) => f.field === 'phone')?.missing).toBe(2);
    await same(checked);
  });
});
