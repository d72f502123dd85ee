// Inputs for the hand-off mail tests: a full lead, the people, and one rendering of every template and variant.
// Imports: the mail module and the domain's types.
import type { LeadFields } from '../../../server/domain/lead';
import {
  type MailPerson,
  type RenderedMail,
  renderAeReminder,
  renderBreachEmail,
  renderCalendarHygieneNotice,
  renderHandBackNotice,
  renderIntroEmail,
  renderInviteBody,
  renderInviteResponseNotice,
  renderPrepBrief,
  type MailContext,
} from '../../../server/mail/handoff-mails';

export const lead: LeadFields = {
  contactName: 'Ana Souza',
  title: 'Head of Revenue Operations',
  email: 'ana.souza@acme.example',
  phone: '+4930123456',
  companyName: 'Acme GmbH',
  webDomain: 'acme.example',
  website: 'https://www.acme.example',
  employeeCount: 420,
  country: 'DE',
  timeZone: 'Europe/Berlin',
  decisionMaker: true,
  needs: 'Leads fall through the cracks between the SDR and AE teams.',
  currentSolution: 'Spreadsheets and LegacyCRM 7',
  competitors: ['RivalSoft', 'OtherCo'],
  budget: 'EUR 40k per year',
  productInterests: ['Hand-off tracking', 'SLA reports'],
  demoRequested: true,
  sourceList: 'Q4 webinar attendees',
  notes: 'Internal: champion is leaving in March.',
};

export const sdr: MailPerson & { title: string; phone: string; companyName: string } = {
  displayName: 'Sam Carter',
  email: 'sam.carter@contoso.example',
  title: 'Sales Development Representative',
  phone: '+44 20 7946 0000',
  companyName: 'Contoso Ltd',
};
export const ae: MailPerson & { title: string } = { displayName: 'Alex Kim', email: 'alex.kim@contoso.example', title: 'Account Executive' };
export const manager: MailPerson = { displayName: 'Morgan Lee', email: 'morgan.lee@contoso.example' };
export const nextManager: MailPerson = { displayName: 'Riley Chen', email: 'riley.chen@contoso.example' };

/** 2026-12-01 09:00 UTC: 10:00 in Berlin, 04:00 in New York. */
export const dueAt = new Date('2026-12-01T09:00:00Z');
export const meeting = { start: new Date('2026-12-03T14:00:00Z'), end: new Date('2026-12-03T14:30:00Z') };
export const slots = [
  { start: new Date('2026-12-03T14:00:00Z'), end: new Date('2026-12-03T14:30:00Z') },
  { start: new Date('2026-12-04T09:00:00Z'), end: new Date('2026-12-04T09:30:00Z') },
];

export interface Variant {
  name: string;
  render: () => Promise<RenderedMail>;
}

/** Every template and variant, with the given lead, people and free texts (the escaping test passes hostile ones). */
export function variants(o: {
  lead: LeadFields;
  sdr: typeof sdr;
  ae: typeof ae;
  manager: MailPerson;
  nextManager: MailPerson;
  text: string;
  href: string;
  context?: MailContext;
}): Variant[] {
  const c = o.context ?? {};
  const people = { lead: o.lead, ae: o.ae, sdr: o.sdr };
  const event = { ...meeting, subject: o.text };
  const hygiene = (finding: Parameters<typeof renderCalendarHygieneNotice>[0]['finding']) => () =>
    renderCalendarHygieneNotice({ ...c, ...people, recipient: o.sdr, finding, meeting, newSlots: slots, timeZone: 'Europe/Berlin' });
  return [
    { name: 'intro', render: () => renderIntroEmail({ ...c, ...people, discussed: o.text, proposedSlots: slots, timeZone: 'Europe/Berlin' }) },
    { name: 'invite', render: () => renderInviteBody({ ...c, ...people, sdrAttends: true }) },
    { name: 'brief', render: () => renderPrepBrief({ ...c, ...people, meeting, timeZone: 'America/New_York', introLink: o.href }) },
    { name: 'reminder', render: () => renderAeReminder({ ...c, ...people, missing: ['reply', 'accept'], dueAt, timeZone: 'America/New_York', introLink: o.href }) },
    {
      name: 'breach',
      render: () =>
        renderBreachEmail({ ...c, ...people, manager: o.manager, level: 1, missed: ['accept'], dueAt, introSentAt: new Date('2026-11-30T09:00:00Z'), timeZone: 'Europe/London', actions: [{ label: o.text, href: o.href }], introLink: o.href }),
    },
    {
      name: 'breach-second',
      render: () =>
        renderBreachEmail({ ...c, ...people, manager: o.nextManager, previousManager: o.manager, level: 2, missed: ['reply', 'accept'], dueAt, timeZone: 'Europe/London' }),
    },
    { name: 'hand-back', render: () => renderHandBackNotice({ ...c, ...people, reasonLabel: o.text, reasonText: o.text, leadLink: o.href }) },
    { name: 'declined', render: () => renderInviteResponseNotice({ ...c, ...people, responder: o.ae, response: 'declined', meeting, comment: o.text, timeZone: 'Europe/Berlin' }) },
    {
      name: 'new-time',
      render: () =>
        renderInviteResponseNotice({ ...c, ...people, responder: o.ae, response: 'new_time_proposed', meeting, proposedSlot: slots[1] ?? null, comment: o.text, timeZone: 'Europe/Berlin' }),
    },
    { name: 'hygiene-conflict', render: hygiene({ kind: 'conflict', event }) },
    { name: 'hygiene-moved', render: hygiene({ kind: 'meeting_moved', movedTo: slots[1] ?? meeting }) },
    { name: 'hygiene-deleted', render: hygiene({ kind: 'meeting_deleted' }) },
    { name: 'hygiene-prep-overlapped', render: hygiene({ kind: 'prep_block_overlapped', event }) },
    { name: 'hygiene-prep-deleted', render: hygiene({ kind: 'prep_block_deleted' }) },
  ];
}

export const normal = { lead, sdr, ae, manager, nextManager, text: 'We spoke about rolling the hand-off process out to your three regions in the first quarter.', href: 'https://outlook.office.com/mail/id/AAMk1' };
