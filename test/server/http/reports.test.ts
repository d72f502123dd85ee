// /api/reports through the real app and database: the figures of a week for a manager's team or every team for an
// admin, the hand-offs behind a number, the CSV export with formula-like cells neutralised, the weekly email sent
// now through the outbox; refusals naming the field (SDRs and AEs, another team, unknown team, bad ranges).
import { Writable } from 'node:stream';
import type { DrillDownDto, ReportDto, ReportSentDto } from '../../../server/http/contract-reports';
import type { User } from '../../../server/domain/people';
import { parseReportSettings, type ReportSettings } from '../../../server/domain/report-settings';
import { createLogger } from '../../../server/log';
import { createOutboxStore } from '../../../server/store/outbox-store';
import { createReportStore } from '../../../server/store/report-store';
import { createRatingStore } from '../../../server/store/rating-store';
import { createWeeklyReportJob } from '../../../server/engine/weekly-report';
import { leadFields } from '../helpers/leads';
import { call, errorOf, handBackReasons, startHarness, type Harness, type Org } from './harness';

const parsed = parseReportSettings({ default: { weekday: 'monday', hour: 8, recipients: ['sales-all@baton.example.com'] }, checkedFields: ['phone', 'budget'] });
if (!parsed.ok) throw new Error('bad report settings');
const settings: ReportSettings = parsed.value;
const quiet = createLogger('silent', new Writable({ write: (_c, _e, done) => { done(); } }));

let h: Harness;
let org: Org;
const d = (iso: string) => new Date(`2026-11-${iso}:00Z`);
const week = 'from=2026-11-16&to=2026-11-22';

beforeAll(async () => {
  h = await startHarness({
    override: (deps) => {
      const reportStore = createReportStore(deps.db);
      const ratingStore = createRatingStore(deps.db);
      const weeklyReport = createWeeklyReportJob({ db: deps.db, reports: reportStore, ratings: ratingStore, people: deps.peopleStore, outbox: createOutboxStore(deps.db), settings, handBackReasons, now: () => deps.clock.now(), logger: quiet });
      return { ...deps, reports: { reportStore, ratingStore, reportSettings: settings, weeklyReport } };
    },
  });
});
afterAll(async () => {
  await h.close();
});

let n = 0;
async function handoff(sdr: User, ae: User, started: string, more: { closed?: string; outcome?: string; budget?: string | null; breached?: string } = {}): Promise<string> {
  n += 1;
  const lead = await h.leads.create(
    { teamId: sdr.teamId ?? '', ownerId: sdr.id, sdrId: sdr.id, fields: leadFields({ email: `c${String(n)}@prospect${String(n)}.com`, companyName: `Prospect ${String(n)}`, budget: more.budget === undefined ? '50k' : more.budget }) },
    { entity: 'lead', actorId: sdr.id, at: d('02T09:00'), from: null, to: 'new', reasonCode: null, reasonText: null },
  );
  const row = await h.db.db
    .insertInto('handoffs')
    .values({ lead_id: lead.id, team_id: sdr.teamId ?? '', sdr_id: sdr.id, ae_id: ae.id, stage: more.closed ? 'closed' : 'accepted', stage_changed_at: d(more.closed ?? started), created_at: d(started), outcome: more.outcome ?? null })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (more.breached !== undefined) {
    await h.db.db
      .insertInto('obligations')
      .values({ handoff_id: row.id, kind: 'ae_accept', status: 'breached', started_at: d(started), due_at: d(more.breached), remind_at: d(started), second_level_at: d('30T00:00'), breached_at: d(more.breached) })
      .execute();
  }
  return row.id;
}

let emea1: string;
let emea2: string;
let amer: string;
beforeEach(async () => {
  org = await h.reset();
  emea1 = await handoff(org.emeaSdr, org.emeaAe, '16T10:00', { closed: '18T10:00', outcome: 'sales_qualified' });
  emea2 = await handoff(org.emeaSdr2, org.emeaAe2, '17T10:00', { budget: null, breached: '17T18:00' });
  await handoff(org.emeaSdr, org.emeaAe, '10T10:00');
  amer = await handoff(org.amerSdr, org.amerAe, '18T10:00', { breached: '18T20:00' });
});

describe('GET /api/reports', () => {
  it("gives a manager their team's week with the week before, by SDR, AE and pair", async () => {
    const res = await call(h, org.emeaManager, 'GET', `/api/reports?${week}`);
    expect(res.statusCode).toBe(200);
    const r = res.data as ReportDto;
    expect(r.teams).toEqual([{ id: 'emea', name: 'EMEA' }]);
    expect(r.selectable).toEqual([{ id: 'emea', name: 'EMEA' }]);
    expect(r.timeZone).toBe('Europe/Berlin');
    expect(r.range).toEqual({ from: '2026-11-15T23:00:00.000Z', to: '2026-11-22T23:00:00.000Z' });
    expect(r.total.current).toMatchObject({ handoffs: 2, breaches: 1, conversion: { salesQualified: 1 }, missingData: { withGaps: 1 } });
    expect(r.total.previous.handoffs).toBe(1);
    expect(r.total.change.handoffs).toBe(1);
    expect(r.byAe.map((g) => [g.label, g.current.breaches])).toEqual([['Alex Ae', 0], ['Avery Ae', 1]]);
    expect(r.byPair.map((g) => g.label)).toEqual(['Sam Sdr → Alex Ae', 'Sue Sdr → Avery Ae']);
    expect(r.successes).toEqual([expect.objectContaining({ handoffId: emea1, sdrName: 'Sam Sdr', aeName: 'Alex Ae', companyName: 'Prospect 1' })]);
    expect(r.total.current.missingData.fields).toEqual([{ field: 'phone', label: 'Phone', missing: 0 }, { field: 'budget', label: 'Budget', missing: 1 }]);
  });

  it('gives an admin every team, or the team asked for', async () => {
    const all = (await call(h, org.admin, 'GET', `/api/reports?${week}`)).data as ReportDto;
    expect(all.total.current.handoffs).toBe(3);
    expect(all.selectable.map((t) => t.id).sort()).toEqual(['amer', 'emea']);
    const amerOnly = (await call(h, org.admin, 'GET', `/api/reports?${week}&teamId=amer`)).data as ReportDto;
    expect(amerOnly.total.current).toMatchObject({ handoffs: 1, breaches: 1 });
    expect(amerOnly.timeZone).toBe('America/New_York');
  });

  it.each([
    ['an SDR', (o: Org) => o.emeaSdr, week, 403, 'forbidden', undefined],
    ['an AE', (o: Org) => o.emeaAe, week, 403, 'forbidden', undefined],
    ['a manager asking for another team', (o: Org) => o.emeaManager, `${week}&teamId=amer`, 403, 'forbidden', 'teamId'],
    ['an unknown team', (o: Org) => o.admin, `${week}&teamId=mars`, 400, 'unknown_team', 'teamId'],
    ['from after to', (o: Org) => o.emeaManager, 'from=2026-11-22&to=2026-11-16', 400, 'range_reversed', 'from'],
    ['a range over a year', (o: Org) => o.emeaManager, 'from=2025-01-01&to=2026-11-22', 400, 'range_too_long', 'to'],
    ['a date that does not exist', (o: Org) => o.emeaManager, 'from=2026-02-30&to=2026-03-05', 400, 'invalid_date', 'from'],
    ['a malformed date', (o: Org) => o.emeaManager, 'from=16.11.2026&to=2026-11-22', 400, 'invalid_request', 'from'],
    ['an unknown parameter', (o: Org) => o.emeaManager, `${week}&team=emea`, 400, 'unknown_field', 'team'],
  ])('refuses %s', async (_what, who, query, status, code, field) => {
    const res = await call(h, who(org), 'GET', `/api/reports?${query}`);
    expect(res.statusCode).toBe(status);
    expect(errorOf(res)).toMatchObject({ code, ...(field === undefined ? {} : { field }) });
  });

  it('refuses a request without a token', async () => {
    const res = await call(h, {}, 'GET', `/api/reports?${week}`);
    expect(res.statusCode).toBe(401);
  });
});

describe('the AEs\' ratings in the report', () => {
  async function rate(handoffId: string, sdr: User, ae: User, at: string, score: number, fields: string[], comment: string | null, source: string | null) {
    const hRow = await h.db.db.selectFrom('handoffs').select(['lead_id', 'team_id']).where('id', '=', handoffId).executeTakeFirstOrThrow();
    await h.db.db.updateTable('leads').set({ source_list: source }).where('id', '=', hRow.lead_id).execute();
    await createRatingStore(h.db.db).insert(h.db.db, {
      handoffId, handoffVersion: 2, leadId: hRow.lead_id, teamId: hRow.team_id, sdrId: sdr.id, aeId: ae.id, outcome: 'sales_qualified',
      rating: { score: score as 1, fields: fields as ['budget'], comment }, at: d(at),
    });
  }

  beforeEach(async () => {
    await rate(emea1, org.emeaSdr, org.emeaAe, '18T10:00', 4, ['phone'], null, 'Webinar <EU>');
    await rate(emea2, org.emeaSdr2, org.emeaAe2, '19T10:00', 1, ['budget', 'phone'], 'Budget was <b>invented</b>.', 'Cold list');
    await rate(amer, org.amerSdr, org.amerAe, '19T10:00', 2, ['needs'], 'Other team only.', 'Cold list');
  });

  it("gives a manager their team's ratings: overall, per SDR with the SDR's lists and sentences, per source list", async () => {
    const r = (await call(h, org.emeaManager, 'GET', `/api/reports?${week}`)).data as ReportDto;
    expect(r.ratings.total.current).toEqual({
      count: 2,
      average: 2.5,
      distribution: [1, 0, 0, 1, 0],
      fields: [{ field: 'phone', label: 'Phone', count: 2 }, { field: 'budget', label: 'Budget', count: 1 }],
    });
    expect(r.ratings.total.change).toEqual({ count: 2, average: null });
    expect(r.ratings.bySdr.map((g) => [g.label, g.current.count, g.current.average, g.sources.map((x) => x.source)])).toEqual([
      ['Sam Sdr', 1, 4, ['Webinar <EU>']],
      ['Sue Sdr', 1, 1, ['Cold list']],
    ]);
    expect(r.ratings.bySdr[1]?.comments).toEqual([{ score: 1, text: 'Budget was <b>invented</b>.', companyName: expect.stringMatching(/^Prospect \d+$/) as string, at: '2026-11-19T10:00:00.000Z' }]);
    expect(r.ratings.bySource.map((x) => [x.source, x.current.average])).toEqual([['Cold list', 1], ['Webinar <EU>', 4]]);
    expect(JSON.stringify(r.ratings)).not.toContain('Other team only.');

    const amerOnly = (await call(h, org.amerManager, 'GET', `/api/reports?${week}`)).data as ReportDto;
    expect(amerOnly.ratings.bySdr.map((g) => g.label)).toEqual(['Tom Sdr']);
    const all = (await call(h, org.admin, 'GET', `/api/reports?${week}`)).data as ReportDto;
    expect(all.ratings.total.current.count).toBe(3);
  });

  it('exports them in the CSV: overall and per SDR, empty for AEs and pairs', async () => {
    const res = await h.app.inject({ method: 'GET', url: `/api/reports/export.csv?${week}`, headers: { authorization: `Bearer ${await h.idp.sign(org.emeaManager.entraOid)}` } });
    expect(res.statusCode).toBe(200);
    const rows = res.body.replace(/^\ufeff/, '').trim().split('\r\n').map((l) => l.split(','));
    const header = rows[0] ?? [];
    const cells = (scope: string, name: string, period: string) => {
      const row = rows.find((l) => l[0] === scope && l[1] === name && l[2] === period);
      if (row === undefined) throw new Error(`no line ${scope} ${name} ${period}`);
      expect(row).toHaveLength(header.length);
      return row.slice(header.indexOf('ratings'));
    };
    expect(header.slice(-8)).toEqual(['ratings', 'rating_average', 'rated_1', 'rated_2', 'rated_3', 'rated_4', 'rated_5', 'rating_fields']);
    expect(cells('all', 'All hand-offs', 'current')).toEqual(['2', '2.5', '1', '0', '0', '1', '0', 'Phone 2; Budget 1']);
    expect(cells('all', 'All hand-offs', 'previous')).toEqual(['0', '', '0', '0', '0', '0', '0', '']);
    expect(cells('sdr', 'Sam Sdr', 'current')).toEqual(['1', '4', '0', '0', '0', '1', '0', 'Phone 1']);
    expect(cells('sdr', 'Sue Sdr', 'current')).toEqual(['1', '1', '1', '0', '0', '0', '0', 'Phone 1; Budget 1']);
    expect(cells('ae', 'Avery Ae', 'current')).toEqual(['', '', '', '', '', '', '', '']);
    expect(res.body).not.toContain('Other team only.');
  });

  it('puts them in the weekly email, escaped, with a plain-text part', async () => {
    expect((await call(h, org.emeaManager, 'POST', '/api/reports/send', {})).statusCode).toBe(202);
    const row = await h.db.db.selectFrom('outbox').select(['payload']).executeTakeFirstOrThrow();
    const payload = row.payload as { html: string; text: string };
    expect(payload.text).toContain('2 leads rated, 2.5/5 on average.');
    expect(payload.text).toMatch(/> Sue Sdr, Prospect \d+, 1\/5: Budget was <b>invented<\/b>\./);
    expect(payload.html).toContain('Budget was &lt;b&gt;invented&lt;/b&gt;.');
    expect(payload.html).toContain('Webinar &lt;EU&gt;');
    expect(payload.html).not.toContain('<b>invented');
    expect(payload.text).not.toContain('Other team only.');
  });
});

describe('GET /api/reports/handoffs (drill-down)', () => {
  it('lists the hand-offs behind a number, for one AE', async () => {
    const res = await call(h, org.emeaManager, 'GET', `/api/reports/handoffs?${week}&figure=handoffs`);
    const all = res.data as DrillDownDto;
    expect(all.total).toBe(2);
    expect(all.items.map((i) => i.id).sort()).toEqual([emea1, emea2].sort());
    const breaches = (await call(h, org.emeaManager, 'GET', `/api/reports/handoffs?${week}&figure=breaches&aeId=${org.emeaAe2.id}`)).data as DrillDownDto;
    expect(breaches.items.map((i) => [i.id, i.sdrName, i.aeName, i.stage])).toEqual([[emea2, 'Sue Sdr', 'Avery Ae', 'accepted']]);
  });

  it('keeps a manager to their team and refuses an unknown figure', async () => {
    const other = await call(h, org.emeaManager, 'GET', `/api/reports/handoffs?${week}&figure=breaches&teamId=amer`);
    expect(other.statusCode).toBe(403);
    const admin = (await call(h, org.admin, 'GET', `/api/reports/handoffs?${week}&figure=breaches`)).data as DrillDownDto;
    expect(admin.items.map((i) => i.id).sort()).toEqual([emea2, amer].sort());
    const bad = await call(h, org.emeaManager, 'GET', `/api/reports/handoffs?${week}&figure=vibes`);
    expect(bad.statusCode).toBe(400);
    expect(errorOf(bad).field).toBe('figure');
  });
});

describe('GET /api/reports/export.csv', () => {
  it('exports every scope and period, with formula-like cells neutralised', async () => {
    await h.people.updateUser(org.emeaSdr.id, { displayName: '=HYPERLINK("http://evil.example","x")' }, d('24T09:00'));
    await h.people.updateUser(org.emeaAe.id, { displayName: '@SUM(A1)' }, d('24T09:00'));
    // Not JSON: injected directly rather than through call().
    const res = await h.app.inject({ method: 'GET', url: `/api/reports/export.csv?${week}`, headers: { authorization: `Bearer ${await h.idp.sign(org.emeaManager.entraOid)}` } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="baton-report-emea-2026-11-16-2026-11-22.csv"');
    const lines = res.body.replace(/^\ufeff/, '').trim().split('\r\n');
    expect(lines[0]).toMatch(/^scope,name,period,from,to,handoffs,/);
    expect(lines[1]).toMatch(/^all,All hand-offs,current,2026-11-15T23:00:00.000Z,2026-11-22T23:00:00.000Z,2,/);
    const sdrLine = lines.find((l) => l.startsWith('sdr,') && l.includes('HYPERLINK'));
    expect(sdrLine).toMatch(/^sdr,"'=HYPERLINK\(""http:\/\/evil.example"",""x""\)",current,/);
    expect(lines.some((l) => l.startsWith("ae,'@SUM(A1),current,"))).toBe(true);
    for (const line of lines) for (const c of line.split(',')) expect(c).not.toMatch(/^[=+\-@]/);
  });
});

describe('POST /api/reports/send', () => {
  it("queues the team's weekly email for its managers and the distribution list, once a minute", async () => {
    const res = await call(h, org.emeaManager, 'POST', '/api/reports/send', {});
    expect(res.statusCode).toBe(202);
    expect(res.data).toMatchObject({ teamId: 'emea', queued: true, recipients: 2, range: { from: '2026-11-16T23:00:00.000Z', to: '2026-11-23T23:00:00.000Z' } } satisfies Partial<ReportSentDto>);
    const rows = await h.db.db.selectFrom('outbox').select(['idempotency_key', 'mailbox', 'payload', 'status']).execute();
    expect(rows).toHaveLength(1);
    const payload = rows[0]?.payload as { to: { address: string }[]; subject: string; html: string; text: string };
    expect(rows[0]?.mailbox).toBe(org.emeaManager.entraOid);
    expect(payload.to.map((t) => t.address)).toEqual([org.emeaManager.email, 'sales-all@baton.example.com']);
    expect(payload.subject).toMatch(/^Hand-off report EMEA: /);
    expect(payload.text).toContain('Hand-off report — EMEA');
    const again = await call(h, org.emeaManager, 'POST', '/api/reports/send', {});
    expect((again.data as ReportSentDto).queued).toBe(false);
  });

  it('refuses SDRs, another team, an admin without a team, and unknown fields', async () => {
    expect((await call(h, org.emeaSdr, 'POST', '/api/reports/send', {})).statusCode).toBe(403);
    expect(errorOf(await call(h, org.emeaManager, 'POST', '/api/reports/send', { teamId: 'amer' }))).toMatchObject({ code: 'forbidden', field: 'teamId' });
    expect(errorOf(await call(h, org.admin, 'POST', '/api/reports/send', {}))).toMatchObject({ code: 'team_required', field: 'teamId' });
    expect(errorOf(await call(h, org.admin, 'POST', '/api/reports/send', { teamId: 'emea', now: true }))).toMatchObject({ code: 'unknown_field', field: 'now' });
    const admin = await call(h, org.admin, 'POST', '/api/reports/send', { teamId: 'amer' });
    expect(admin.statusCode).toBe(202);
    expect((admin.data as ReportSentDto).recipients).toBe(2);
  });
});
