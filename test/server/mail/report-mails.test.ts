// The weekly report email: the figures a reader looks for (with the change from the week before), bars built from
// table cells, no SVG or script, every name and text escaped, a plain-text part with the same content; rendered in
// Chromium to test-artifacts/mail/weekly-report.png for a human to look at.
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { computeReport, type ReportRows } from '../../../server/domain/report';
import { renderWeeklyReport, weekLabel } from '../../../server/mail/report-mails';
import { countRatings, ratingReport } from '../../../server/domain/rating';

const artifacts = path.join(__dirname, '../../../test-artifacts/mail');
const t = (iso: string) => new Date(`2026-11-${iso}:00Z`);
const week = { from: t('15T23:00'), to: t('22T23:00') };
const evil = '<img src=x onerror=alert(1)> & "Bobby"';

const rows: ReportRows = {
  handoffs: [
    { id: 'h1', leadId: 'l1', teamId: 'emea', sdrId: 's1', aeId: 'a1', startedAt: t('16T10:00'), closedAt: t('18T11:00'), outcome: 'sales_qualified', meetingStart: t('18T10:00'), lead: { createdAt: t('06T11:00'), contactName: evil, companyName: 'Nordwind <Logistics>', sourceList: 'Fair', missingFields: ['budget'] } },
    { id: 'h2', leadId: 'l2', teamId: 'emea', sdrId: 's1', aeId: 'a2', startedAt: t('17T09:00'), closedAt: t('19T12:00'), outcome: 'hand_back', meetingStart: t('19T10:00'), lead: { createdAt: t('01T09:00'), contactName: 'Clara Dubois', companyName: 'Helix', sourceList: evil, missingFields: ['phone', 'budget'] } },
    { id: 'h3', leadId: 'l3', teamId: 'emea', sdrId: 's2', aeId: 'a2', startedAt: t('18T09:00'), closedAt: null, outcome: null, meetingStart: null, lead: { createdAt: t('01T09:00'), contactName: 'Omar Haddad', companyName: 'Atlas', sourceList: null, missingFields: [] } },
  ],
  obligations: [
    { handoffId: 'h1', kind: 'ae_accept', metAt: t('16T12:00'), metWithinSla: true, timeToRespondMs: 7_200_000, breachedAt: null },
    { handoffId: 'h3', kind: 'ae_accept', metAt: null, metWithinSla: null, timeToRespondMs: null, breachedAt: t('18T17:00') },
    { handoffId: 'h3', kind: 'ae_reply', metAt: null, metWithinSla: null, timeToRespondMs: null, breachedAt: t('18T17:00') },
  ],
  stages: [{ handoffId: 'h2', to: 'closed', at: t('19T12:00'), reasonCode: 'no_budget', reasonText: `Budget frozen ${evil}` }],
  findings: [],
  followupGaps: { current: [{ leadId: 'l3', handoffId: 'h3', sdrId: 's2', aeId: 'a2' }], previous: [] },
  people: [
    { id: 's1', displayName: `Sofia ${evil}` },
    { id: 's2', displayName: 'Liam Novak' },
    { id: 'a1', displayName: 'Anton Weber' },
    { id: 'a2', displayName: "Elena O'Rossi" },
  ],
};
const report = computeReport(rows, week, { checkedFields: ['phone', 'budget', 'title'] });
const input = {
  report,
  team: { name: 'EMEA & <Partners>', timeZone: 'Europe/Berlin' },
  names: Object.fromEntries(rows.people.map((p) => [p.id, p.displayName])),
  reasonLabels: { no_budget: 'No budget' },
  dashboardLink: 'https://baton.example/addin/dashboard.html',
};

function visible(html: string): string {
  return html
    .slice(html.indexOf('<body'))
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

describe('weekly report email', () => {
  it('names the team and week and shows the figures with the change from the week before', async () => {
    const mail = await renderWeeklyReport(input);
    expect(mail.subject).toBe('Hand-off report EMEA & <Partners>: 16–22 November 2026');
    const text = visible(mail.html);
    expect(text).toContain('3 hand-offs, 50% accepted within SLA, 2 breaches, 1 Sales Qualified.');
    expect(text).toContain('Hand-offs 3 ▲ 3 vs the week before');
    expect(text).toContain('Breaches by AE');
    expect(text).toContain("Elena O'Rossi 2");
    expect(text).toContain('Leads without a future follow-up 1');
    expect(text).toContain('No budget: Budget frozen');
    expect(text).toContain('(no source list)');
    expect(text).toContain('Nordwind <Logistics> — <img src=x onerror=alert(1)> & "Bobby" (Sofia');
    expect(text).toContain('Open the dashboard');
  });

  it('is Outlook-safe: tables and cell bars, no SVG, script, images or event handlers; every name escaped', async () => {
    const { html } = await renderWeeklyReport(input);
    expect(html).not.toMatch(/<svg|<script|<img|<iframe|<link/i);
    expect(html).not.toMatch(/<[a-z][^>]*\son\w+=/i);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;Bobby&quot;');
    expect(html).toContain('EMEA &amp; &lt;Partners&gt;');
    // A bar is a coloured table cell with a width: Elena's two breaches fill the row, Anton's zero draws none.
    expect(html).toMatch(/<td width="100%" bgcolor="#c50f1f"/);
    expect(html).toContain('<!--[if mso');
  });

  it('has a plain-text part with the same figures and texts', async () => {
    const { text } = await renderWeeklyReport(input);
    expect(text).toContain('Hand-off report — EMEA & <Partners>');
    expect(text).toContain('Accepted within SLA: 50%');
    expect(text).toContain("Elena O'Rossi: #################### 2");
    expect(text).toContain('> No budget: Budget frozen <img src=x onerror=alert(1)> & "Bobby"');
    expect(text).toContain('Open the dashboard: https://baton.example/addin/dashboard.html');
    expect(text).not.toMatch(/<td|<table/);
  });

  it('labels a week across two months', () => {
    expect(weekLabel({ from: new Date('2026-11-29T23:00:00Z'), to: new Date('2026-12-06T23:00:00Z') }, 'Europe/Berlin')).toBe('30 November – 6 December 2026');
  });

  it('renders in Chromium to a PNG kept in test-artifacts', async () => {
    const { html } = await renderWeeklyReport(input);
    fs.mkdirSync(artifacts, { recursive: true });
    fs.writeFileSync(path.join(artifacts, 'weekly-report.html'), html);
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 700, height: 900 } });
      // No request leaves the page: the email carries everything it shows.
      const requests: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith('data:') && r.url() !== 'about:blank') requests.push(r.url());
      });
      await page.setContent(html, { waitUntil: 'load' });
      const bars = await page.locator('td[bgcolor="#c50f1f"]').evaluateAll((cells) => cells.map((c) => c.getBoundingClientRect().width));
      expect(bars.length).toBe(1);
      expect(bars[0]).toBeGreaterThan(100);
      const file = path.join(artifacts, 'weekly-report.png');
      await page.screenshot({ path: file, fullPage: true });
      expect(fs.statSync(file).size).toBeGreaterThan(10_000);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});

describe('weekly report email: the AEs\' ratings', () => {
  const ratings = ratingReport(
    countRatings(
      [
        { sdrId: 's1', source: evil, score: 2, fields: ['budget', 'phone'], comment: `Made up ${evil}`, companyName: 'Nordwind <Logistics>', ratedAt: t('18T12:00') },
        { sdrId: 's1', source: 'Fair', score: 5, fields: [], comment: null, companyName: 'Helix', ratedAt: t('19T12:00') },
        { sdrId: 's2', source: null, score: 3, fields: ['budget'], comment: null, companyName: 'Atlas', ratedAt: t('20T12:00') },
        { sdrId: 's2', source: null, score: 4, fields: [], comment: null, companyName: 'Atlas', ratedAt: t('10T12:00') },
      ],
      week,
      { from: t('08T23:00'), to: week.from },
    ),
    rows.people,
  );

  it('shows the average with its change, the scores and fields as cell bars, by SDR and by source list, every name escaped', async () => {
    const { html } = await renderWeeklyReport({ ...input, ratings });
    const shown = visible(html);
    expect(shown).toContain('Lead quality rated by the AEs');
    expect(shown).toContain('3 leads rated, 3.3/5 on average (▼ 0.7 vs the week before).');
    expect(shown).toContain('Ratings by SDR');
    expect(shown).toContain(`Sofia ${evil} 2 (+2) 3.5/5 Phone (1), Budget (1) ${evil}: 2.0/5`);
    expect(shown).toContain('Liam Novak 1 3.0/5 (-1.0) Budget (1) (no source list): 3.0/5');
    expect(shown).toContain(`Sofia ${evil}, Nordwind <Logistics>, 2/5: Made up ${evil}`);
    expect(shown).toContain(`Ratings by source list Source list Rated Average Most often missing or wrong ${evil} 1 (+1) 2.0/5`);
    expect(html).not.toMatch(/<svg|<script|<img|<iframe/i);
    expect(html).not.toMatch(/<[a-z][^>]*\son\w+=/i);
    expect(html).toMatch(/<td width="100%" bgcolor="#ca5010"/);
  });

  it('has them in the plain-text part too, and says so when nothing was rated', async () => {
    const { text } = await renderWeeklyReport({ ...input, ratings });
    expect(text).toContain('3 leads rated, 3.3/5 on average');
    expect(text).toContain('Budget: #################### 2');
    expect(text).toContain(`> Sofia ${evil}, Nordwind <Logistics>, 2/5: Made up ${evil}`);
    const none = await renderWeeklyReport({ ...input, ratings: ratingReport({ scores: [], fields: [], comments: [] }, []) });
    expect(none.text).toContain('No lead was rated this week.');
    expect(none.text).toContain('Ratings by SDR\nNo activity this week or the week before.');
  });
});

