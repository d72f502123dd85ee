// The hand-off emails and invite bodies: what a reader notices (names, times in their zone, what is missing, the
// reason), what the prospect never sees (budget, competitors, notes), escaping of every field in every template,
// Outlook-safe HTML and a plain-text part. Each template is written once to test-artifacts/mail/ for a human to see.
import fs from 'node:fs';
import path from 'node:path';
import { loadMailWording, defaultMailWording } from '../../../server/mail/mail-wording';
import { renderAeReminder, renderBreachEmail, renderCalendarHygieneNotice, renderHandBackNotice, renderIntroEmail, renderInviteBody, renderPrepBrief } from '../../../server/mail/handoff-mails';
import { ae, dueAt, lead, manager, meeting, nextManager, normal, sdr, slots, variants } from './mail-fixtures';
import type { LeadFields } from '../../../server/domain/lead';

const artifacts = path.join(__dirname, '../../../test-artifacts/mail');

/** Text content of the HTML, roughly as a reader sees it (tags dropped, common entities decoded). */
function visible(html: string): string {
  const body = html.slice(html.indexOf('<body'));
  return body
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

/** The names of every attribute of every tag, quoted values skipped (escaped text inside a value is no attribute). */
function attributeNames(html: string): string[] {
  const names: string[] = [];
  for (const tag of html.matchAll(/<[a-z][a-z0-9:-]*((?:\s+[^\s=>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*\/?>/gi)) {
    for (const attr of (tag[1] ?? '').matchAll(/\s+([^\s=>/]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?/g)) names.push((attr[1] ?? '').toLowerCase());
  }
  return names;
}

function expectOutlookSafe(html: string): void {
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/<svg/i);
  expect(html).not.toMatch(/<link/i);
  expect(html).not.toMatch(/<iframe|<object|<embed|<form/i);
  expect(html).not.toMatch(/@import/i);
  const names = attributeNames(html);
  expect(names).toContain('style');
  for (const name of names) {
    expect(name).not.toBe('src');
    expect(name).not.toMatch(/^on/);
  }
  expect(html).not.toMatch(/javascript:/i);
  // Layout in tables, with Outlook desktop's ghost tables.
  expect(html).toContain('<table');
  expect(html).toContain('<!--[if mso | IE]>');
}

function expectPlainText(text: string): void {
  expect(text.trim().length).toBeGreaterThan(40);
  expect(text).not.toMatch(/<\/?[a-z][^>]*>/i);
  expect(text).not.toMatch(/&(amp|lt|gt|quot|#39|nbsp);/);
}

describe('every template', () => {
  const all = variants(normal);

  beforeAll(() => {
    fs.mkdirSync(artifacts, { recursive: true });
  });

  it.each(all.map((v) => [v.name, v] as const))('%s: subject, Outlook-safe HTML and a plain-text part', async (name, variant) => {
    const mail = await variant.render();
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.subject.length).toBeGreaterThan(5);
    expectOutlookSafe(mail.html);
    expectPlainText(mail.text);
    fs.writeFileSync(path.join(artifacts, `${name}.html`), mail.html);
    fs.writeFileSync(path.join(artifacts, `${name}.txt`), `Subject: ${mail.subject}\n\n${mail.text}`);
  });
});

describe('the intro email', () => {
  it('introduces the AE to the prospect with the context and the proposed times in the prospect zone, signed by the SDR', async () => {
    const mail = await renderIntroEmail({ lead, ae, sdr, discussed: 'We talked about your Q1 rollout.', proposedSlots: slots, timeZone: 'Europe/Berlin' });
    expect(mail.subject).toBe('Introduction: Ana Souza (Acme GmbH) and Alex Kim');
    for (const part of [visible(mail.html), mail.text]) {
      expect(part).toContain('Dear Ana Souza,');
      expect(part).toContain('introduce you to Alex Kim');
      expect(part).toContain('We talked about your Q1 rollout.');
      expect(part).toContain('Leads fall through the cracks');
      expect(part).toContain('Hand-off tracking, SLA reports');
      expect(part).toContain('demonstration');
      // 14:00 UTC is 15:00 in Berlin in December.
      expect(part).toMatch(/Thursday, 3 December 2026, 15:00 – 15:30 CET/);
      expect(part).toContain('Sam Carter');
      expect(part).toContain('Sales Development Representative');
      expect(part).toContain('Contoso Ltd');
    }
  });

  it('carries nothing confidential: no budget, competitors, current solution, notes or source list', async () => {
    for (const mail of [
      await renderIntroEmail({ lead, ae, sdr, proposedSlots: slots, timeZone: 'Europe/Berlin' }),
      await renderInviteBody({ lead, ae, sdr }),
    ]) {
      for (const secret of ['EUR 40k', 'RivalSoft', 'OtherCo', 'LegacyCRM', 'champion is leaving', 'Q4 webinar']) {
        expect(mail.html).not.toContain(secret);
        expect(mail.text).not.toContain(secret);
        expect(mail.subject).not.toContain(secret);
      }
    }
  });

  it('leaves out the sections it has nothing for', async () => {
    const bare: LeadFields = { ...lead, needs: null, productInterests: [], demoRequested: false };
    const mail = await renderIntroEmail({ lead: bare, ae, sdr, proposedSlots: [], timeZone: 'Europe/Berlin' });
    expect(mail.text).not.toContain('What we discussed');
    expect(mail.text).not.toContain('Proposed times');
    expect(mail.text).toContain('Alex Kim is copied on this email');
  });
});

describe('the invite body', () => {
  it('says the purpose, the agenda and who attends, and invents no join link', async () => {
    const mail = await renderInviteBody({ lead, ae, sdr, sdrAttends: false });
    expect(mail.subject).toBe('Acme GmbH and Alex Kim: introductory call');
    expect(mail.text).toContain('Agenda');
    expect(mail.text).toContain('- A short demonstration');
    expect(mail.text).toContain('- Ana Souza, Head of Revenue Operations, Acme GmbH');
    expect(mail.text).toContain('- Alex Kim, Account Executive');
    expect(mail.text).not.toContain('Sam Carter');
    expect(mail.text).not.toMatch(/https?:\/\//);
    expect(mail.html).not.toMatch(/teams\.microsoft\.com/);
  });
});

describe('the prep brief', () => {
  it('gives the AE budget, competitors, pains, current solution, decision maker, interests, demo, notes and source', async () => {
    const mail = await renderPrepBrief({ lead, ae, sdr, meeting, timeZone: 'America/New_York' });
    expect(mail.subject).toBe('Prep brief (private): Ana Souza, Acme GmbH');
    for (const part of [visible(mail.html), mail.text]) {
      for (const fact of ['EUR 40k per year', 'RivalSoft, OtherCo', 'Leads fall through the cracks', 'Spreadsheets and LegacyCRM 7', 'Hand-off tracking, SLA reports', 'champion is leaving', 'Q4 webinar attendees', '+4930123456']) {
        expect(part).toContain(fact);
      }
      expect(part).toMatch(/Decision maker:? Yes/);
      expect(part).toMatch(/Demo requested:? Yes/);
      // 14:00 UTC is 09:00 in New York.
      expect(part).toMatch(/Thursday, 3 December 2026, 09:00 – 09:30 GMT-5 \(New York\)/);
    }
  });
});

describe('the reminder to the AE', () => {
  it('lists what is missing and the due time in the AE zone, with a link to the intro', async () => {
    const mail = await renderAeReminder({ lead, ae, sdr, missing: ['accept', 'reply'], dueAt, timeZone: 'America/New_York', introLink: 'https://outlook.office.com/mail/id/AAMk1' });
    expect(mail.subject).toBe('Reminder: Acme GmbH is waiting for you, due Tuesday, 1 December 2026 at 04:00 GMT-5 (New York)');
    expect(mail.text).toContain('Hi Alex,');
    expect(mail.text).toContain('- Reply to the intro email\n- Accept the meeting invite');
    expect(mail.text).toContain('Open the intro email: https://outlook.office.com/mail/id/AAMk1');
    expect(mail.html).toContain('href="https://outlook.office.com/mail/id/AAMk1"');
  });

  it("offers 'Open the intro' as a button to the AE's copy (its webLink), escaped, next to the hand back link", async () => {
    const webLink = 'https://outlook.office365.com/owa/?ItemID=AAMk%2Bq"1&exvsurl=1&viewmodel=ReadMessageItem';
    const mail = await renderAeReminder({ lead, ae, sdr, missing: ['reply'], dueAt, timeZone: 'UTC', introLink: webLink, actions: [{ label: 'Hand the lead back', href: 'https://baton.example/a/t1' }] });
    expect(mail.html).toContain('href="https://outlook.office365.com/owa/?ItemID=AAMk%2Bq%221&amp;exvsurl=1&amp;viewmodel=ReadMessageItem"');
    expect(mail.html).not.toContain('q"1');
    expect(visible(mail.html)).toContain('Open the intro email');
    expect(mail.text).toContain('Open the intro email: https://outlook.office365.com/owa/?ItemID=AAMk%2Bq%221&exvsurl=1&viewmodel=ReadMessageItem');
    expect(mail.html).toContain('href="https://baton.example/a/t1"');
  });

  it('names only the obligation that is missing', async () => {
    const mail = await renderAeReminder({ lead, ae, sdr, missing: ['accept'], dueAt, timeZone: 'Europe/Berlin' });
    expect(mail.text).toContain('Accept the meeting invite');
    expect(mail.text).not.toContain('Reply to the intro email');
    expect(mail.text).toContain('10:00 CET');
  });
});

describe('the breach email', () => {
  it('tells the manager which obligation is missed, since when, the lead, the AE and the SDR, and what to do', async () => {
    const mail = await renderBreachEmail({ lead, ae, sdr, manager, level: 1, missed: ['reply'], dueAt, timeZone: 'Europe/London', actions: [{ label: 'Reassign to the backup AE', href: 'https://baton.example/a/1?sig=x&y=1' }] });
    expect(mail.subject).toBe('Hand-off SLA missed: Alex Kim on Acme GmbH');
    const seen = visible(mail.html);
    for (const part of [seen, mail.text]) {
      expect(part).toContain('Hi Morgan,');
      expect(part).toContain('Reply to the intro email');
      expect(part).not.toContain('Accept the meeting invite');
      expect(part).toContain('Tuesday, 1 December 2026 at 09:00 GMT');
      expect(part).toContain('Ana Souza, Acme GmbH');
      expect(part).toContain('sam.carter@contoso.example');
      expect(part).toContain('reassign the lead');
    }
    expect(mail.html).toContain('href="https://baton.example/a/1?sig=x&amp;y=1"');
  });

  it('has a second level for the next manager naming the first', async () => {
    const mail = await renderBreachEmail({ lead, ae, sdr, manager: nextManager, previousManager: manager, level: 2, missed: ['reply', 'accept'], dueAt, timeZone: 'Europe/London' });
    expect(mail.subject).toBe('Second escalation: Alex Kim on Acme GmbH');
    expect(mail.text).toContain('Hi Riley,');
    expect(mail.text).toContain('escalated to Morgan Lee');
    expect(mail.text).toContain('First escalated to: Morgan Lee (morgan.lee@contoso.example)');
  });
});

describe('the notices to the SDR', () => {
  it('hand-back: the reason label and the AE text', async () => {
    const mail = await renderHandBackNotice({ lead, ae, sdr, reasonLabel: 'No budget', reasonText: 'They froze spending until Q3.\nTry again in June.' });
    expect(mail.subject).toBe('Handed back: Ana Souza (Acme GmbH), No budget');
    expect(mail.text).toContain('Reason: No budget');
    expect(mail.text).toContain('> They froze spending until Q3.\n> Try again in June.');
    expect(mail.html).toContain('They froze spending until Q3.<br />Try again in June.');
  });
});

describe('the calendar-hygiene notice', () => {
  it('tells the AE, in the AE zone, of a conflict with its subject, and offers new times', async () => {
    const event = { start: new Date('2026-12-03T14:15:00Z'), end: new Date('2026-12-03T15:00:00Z'), subject: 'Dentist' };
    const mail = await renderCalendarHygieneNotice({ lead, ae, sdr, recipient: ae, finding: { kind: 'conflict', event }, meeting, newSlots: slots, timeZone: 'America/New_York' });
    expect(mail.text).toContain('Hi Alex,');
    expect(mail.text).toContain('Event: Dentist');
    expect(mail.text).toContain('When: Thursday, 3 December 2026, 09:15 – 10:00 GMT-5 (New York)');
    expect(mail.text).toContain('- Friday, 4 December 2026, 04:00 – 04:30 GMT-5 (New York)');
  });

  it('keeps a private event private and says so when there are no free times', async () => {
    const event = { start: new Date('2026-12-03T14:15:00Z'), end: new Date('2026-12-03T15:00:00Z'), subject: null };
    const mail = await renderCalendarHygieneNotice({ lead, ae, sdr, recipient: sdr, finding: { kind: 'prep_block_overlapped', event }, meeting, newSlots: [], timeZone: 'Europe/Berlin' });
    expect(mail.text).not.toContain('Event:');
    expect(mail.text).toContain('prep block');
    expect(mail.text).toContain('No free time was found');
  });

  it('says where a moved meeting went', async () => {
    const mail = await renderCalendarHygieneNotice({ lead, ae, sdr, recipient: sdr, finding: { kind: 'meeting_moved', movedTo: { start: new Date('2026-12-07T10:00:00Z'), end: new Date('2026-12-07T10:30:00Z') } }, meeting, newSlots: [], timeZone: 'Europe/Berlin' });
    expect(mail.text).toContain('was moved from Thursday, 3 December 2026 at 15:00 CET to Monday, 7 December 2026 at 11:00 CET');
  });
});

describe('escaping', () => {
  const hostile = [
    '<script>alert(1)</script>',
    '"><img src=x onerror=alert(1)>',
    "Tom & Jerry's \"Best\" <b>Co</b>",
    'شركة المستقبل — עברית',
    'Zoë 🚀 Ünïcödé 👩🏽‍💼',
    'Line one\r\nBcc: victim@example.com',
    '{company} {aeName} ${x}',
  ];

  function hostileLead(h: string): LeadFields {
    return {
      contactName: h, title: h, email: h, phone: h, companyName: h, webDomain: h, website: h, employeeCount: 7, country: h,
      timeZone: h, decisionMaker: null, needs: h, currentSolution: h, competitors: [h, h], budget: h, productInterests: [h],
      demoRequested: true, sourceList: h, notes: h,
    };
  }

  it.each(hostile)('every field of every template: %s', async (h) => {
    const person = { displayName: h, email: h };
    const all = variants({
      lead: hostileLead(h),
      sdr: { ...person, title: h, phone: h, companyName: h },
      ae: { ...person, title: h },
      manager: person,
      nextManager: person,
      text: h,
      href: `javascript:alert(1)//${h}`,
    });
    for (const v of all) {
      const mail = await v.render();
      expectOutlookSafe(mail.html);
      expect(mail.html).not.toMatch(/<img|<b>|onerror=alert\(1\)>/i);
      expect(mail.subject).not.toMatch(/[\r\n]/);
      // The text part carries the values as they are, never as entities.
      const flat = h.replace(/\r\n/g, '\n');
      const firstLine = flat.split('\n')[0] ?? flat;
      expect(mail.text).toContain(firstLine);
      expect(mail.text).not.toMatch(/&(amp|lt|gt|quot|#39);/);
      // And the HTML shows them, escaped, to the reader.
      expect(visible(mail.html)).toContain(firstLine.trim());
      // A placeholder inside a value is not filled again.
      if (h.startsWith('{company}')) expect(mail.text).toContain('{company} {aeName}');
    }
  });

  it('drops links that are not http(s) or mailto', async () => {
    const mail = await renderAeReminder({ lead, ae, sdr, missing: ['reply'], dueAt, timeZone: 'UTC', introLink: 'javascript:alert(document.cookie)' });
    expect(mail.html).not.toMatch(/javascript:/i);
    expect(mail.text).not.toMatch(/javascript:/i);
    expect(mail.text).toContain('Open the intro email');
  });
});

describe('per-team wording', () => {
  it('uses the team override and the defaults for everything else', async () => {
    const loaded = loadMailWording({
      ...defaultMailWording,
      teams: { emea: { phrases: { greeting: 'Guten Tag {name},', introSubject: 'Vorstellung: {aeName} für {company}' } }, amer: { locale: 'en-US', phrases: {} } },
    });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
    const wording = loaded.value;
    const emea = await renderIntroEmail({ lead, ae, sdr, proposedSlots: slots, timeZone: 'Europe/Berlin', teamId: 'emea', wording });
    expect(emea.subject).toBe('Vorstellung: Alex Kim für Acme GmbH');
    expect(emea.text).toContain('Guten Tag Ana Souza,');
    expect(emea.text).toContain('Kind regards,');
    const other = await renderIntroEmail({ lead, ae, sdr, proposedSlots: slots, timeZone: 'Europe/Berlin', teamId: 'other', wording });
    expect(other.subject).toBe('Introduction: Ana Souza (Acme GmbH) and Alex Kim');
    const amer = await renderAeReminder({ lead, ae, sdr, missing: ['reply'], dueAt, timeZone: 'America/New_York', teamId: 'amer', wording });
    expect(amer.subject).toContain('Tuesday, December 1, 2026 at 04:00 AM EST');
  });
});
