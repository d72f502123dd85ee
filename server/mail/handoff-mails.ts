// The emails and invite bodies of the hand-off (issue 5, item 2): each a function from plain data to
// `{ subject, html, text }`. What the prospect may see (intro, invite) never carries budget, competitors, current
// solution or notes; those go to the AE alone (prep brief). Imports: the domain's types, ./mail-layout, ./mail-wording.
import type { LeadFields } from '../domain/lead';
import { type Block, type Inline, formatDateTime, formatSlot, renderMail, type RenderedMail } from './mail-layout';
import { defaultMailWording, fillPhrase, type MailWording, type PhraseKey, type PhraseValues, type TeamWording, wordingForTeam } from './mail-wording';

export type { RenderedMail } from './mail-layout';

export interface MailPerson {
  displayName: string;
  email: string;
}

/** The sender's signature under the intro. */
export interface SignaturePerson extends MailPerson {
  title?: string | null;
  phone?: string | null;
  /** The seller's company, e.g. "Contoso Ltd". */
  companyName?: string | null;
}

export interface MailSlot {
  start: Date;
  end: Date;
}

/** What every template takes besides its own data: the team (for its wording) and the wording loaded at boot. */
export interface MailContext {
  teamId?: string | null;
  /** Defaults to server/settings/mail-wording.json. */
  wording?: MailWording;
}

/** The lead fields a template may show; the prospect-facing templates read only the public ones. */
export type MailLead = LeadFields;

/** An obligation of the AE that the SLA watches. */
export type Obligation = 'reply' | 'accept';

/** The SLA clock stood still while the AE was away: how much working time it left out, and why. */
export interface ClockPause {
  workingMs: number;
  reason: 'automatic_replies';
}

// ---------------------------------------------------------------------------------------------------------------
// Inputs

export interface IntroEmailInput extends MailContext {
  lead: MailLead;
  ae: MailPerson & { title?: string | null };
  sdr: SignaturePerson;
  /** What the SDR and the prospect discussed, written by the SDR for the prospect (optional). */
  discussed?: string | null;
  /** Times offered to the prospect. */
  proposedSlots: readonly MailSlot[];
  /** The prospect's IANA zone (the lead's, or the AE's when the lead's is unknown): times are shown in it. */
  timeZone: string;
}

export interface InviteBodyInput extends MailContext {
  lead: MailLead;
  ae: MailPerson & { title?: string | null };
  sdr: MailPerson;
  /** Whether the SDR attends too (listed among the attendees). */
  sdrAttends?: boolean;
}

export interface PrepBriefInput extends MailContext {
  lead: MailLead;
  ae: MailPerson;
  sdr: MailPerson;
  /** The meeting, when booked. */
  meeting?: MailSlot | null;
  /** The AE's IANA zone. */
  timeZone: string;
  /** Where the AE opens the intro email (Outlook web link), when known. */
  introLink?: string | null;
}

export interface AeReminderInput extends MailContext {
  lead: Pick<MailLead, 'contactName' | 'companyName'>;
  ae: MailPerson;
  sdr: MailPerson;
  /** What the AE has not done yet (one or both). */
  missing: readonly Obligation[];
  dueAt: Date;
  /** The AE's IANA zone. */
  timeZone: string;
  introLink?: string | null;
  /** Working time the clock was paused while the AE was away (the deadline already allows for it). */
  paused?: ClockPause | null;
  /** Signed single-use links for the AE (hand back), when the caller has them. */
  actions?: readonly { label: string; href: string }[];
}

export interface BreachEmailInput extends MailContext {
  lead: Pick<MailLead, 'contactName' | 'companyName'>;
  ae: MailPerson;
  sdr: MailPerson;
  /** The recipient: the AE's manager (level 1) or the next manager (level 2). */
  manager: MailPerson;
  level: 1 | 2;
  /** For level 2: the manager told at level 1. */
  previousManager?: MailPerson | null;
  missed: readonly Obligation[];
  /** When the obligations fell due ("since when"). */
  dueAt: Date;
  introSentAt?: Date | null;
  /** The manager's IANA zone. */
  timeZone: string;
  /** Signed single-use links (reassign, more time, nudge), when the caller has them. */
  actions?: readonly { label: string; href: string }[];
  introLink?: string | null;
  /** Working time the clock was paused while the AE was away (the deadline already allows for it). */
  paused?: ClockPause | null;
}

export interface HandBackNoticeInput extends MailContext {
  lead: Pick<MailLead, 'contactName' | 'companyName'>;
  ae: MailPerson;
  sdr: MailPerson;
  /** The reason's label, e.g. "No budget" (server/settings/hand-back-reasons.json). */
  reasonLabel: string;
  /** The AE's own words (required by the outcome). */
  reasonText: string;
  leadLink?: string | null;
}

export interface InviteResponseNoticeInput extends MailContext {
  lead: Pick<MailLead, 'contactName' | 'companyName'>;
  sdr: MailPerson;
  ae: MailPerson;
  /** Who answered: the AE or the prospect. */
  responder: MailPerson;
  response: 'declined' | 'new_time_proposed';
  meeting: MailSlot;
  /** For a proposed new time. */
  proposedSlot?: MailSlot | null;
  /** The text of the answer, if any. */
  comment?: string | null;
  /** The SDR's IANA zone. */
  timeZone: string;
}

export type CalendarFinding =
  | { kind: 'conflict'; event: MailSlot & { subject: string | null } }
  | { kind: 'meeting_moved'; movedTo: MailSlot }
  | { kind: 'meeting_deleted' }
  | { kind: 'prep_block_overlapped'; event: MailSlot & { subject: string | null } }
  | { kind: 'prep_block_deleted' };

export interface CalendarHygieneNoticeInput extends MailContext {
  lead: Pick<MailLead, 'contactName' | 'companyName'>;
  ae: MailPerson;
  sdr: MailPerson;
  /** The SDR or the AE: one email each, in the reader's zone. */
  recipient: MailPerson;
  finding: CalendarFinding;
  meeting: MailSlot;
  /** New times Baton proposes (may be empty). */
  newSlots: readonly MailSlot[];
  /** The recipient's IANA zone. */
  timeZone: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

type LeadValues = PhraseValues<'introSubject'>;

function leadValues(lead: Pick<MailLead, 'contactName' | 'companyName'>, ae: MailPerson, sdr: MailPerson): LeadValues {
  return { contactName: lead.contactName, company: lead.companyName, aeName: ae.displayName, sdrName: sdr.displayName };
}

function teamWording(context: MailContext): TeamWording {
  return wordingForTeam(context.wording ?? defaultMailWording, context.teamId);
}

const filled = (text: string | null | undefined): text is string => text != null && text.trim() !== '';
const paragraph = (...parts: Inline[]): Block => ({ kind: 'paragraph', parts });
const personLine = (p: MailPerson): string => `${p.displayName} (${p.email})`;

function say<K extends PhraseKey>(w: TeamWording, key: K, values: PhraseValues<K>): string {
  return fillPhrase(w, key, values);
}

/** Formal mail to the prospect greets by full name; colleagues by first name ("Hi Alex,"). */
function greeting(w: TeamWording, name: string, internal: boolean): Block {
  if (!internal) return paragraph(say(w, 'greeting', { name }));
  const first = name.trim().split(/\s+/)[0] ?? '';
  return paragraph(say(w, 'internalGreeting', { name: first === '' ? name : first }));
}

/** A working-time length as people read it: "45 min", "5 h", "2 h 30 min". */
export function formatWorkingTime(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** "The SLA clock was paused for 5 h of working time while Elena Rossi's automatic replies were on." */
function pauseLine(pause: ClockPause | null | undefined, ae: MailPerson): string | null {
  if (pause == null || pause.workingMs <= 0) return null;
  return `The SLA clock was paused for ${formatWorkingTime(pause.workingMs)} of working time while ${ae.displayName}'s automatic replies were on; the deadline allows for it.`;
}

function obligationItems(w: TeamWording, missing: readonly Obligation[], replyKey: 'reminderReply' | 'breachMissedReply', acceptKey: 'reminderAccept' | 'breachMissedAccept', values: PhraseValues<'breachIntro'>): Inline[][] {
  const ordered = (['reply', 'accept'] as const).filter((o) => missing.includes(o));
  return ordered.map((o) => [say(w, o === 'reply' ? replyKey : acceptKey, values)]);
}

// ---------------------------------------------------------------------------------------------------------------
// 1. The intro email (SDR → lead, AE in Cc)

export async function renderIntroEmail(input: IntroEmailInput): Promise<RenderedMail> {
  const w = teamWording(input);
  const v = leadValues(input.lead, input.ae, input.sdr);
  const { lead } = input;
  const blocks: Block[] = [greeting(w, lead.contactName, false), paragraph(say(w, 'introOpening', v))];

  const context: Block[] = [];
  if (filled(input.discussed)) context.push({ kind: 'quote', text: input.discussed });
  if (filled(lead.needs)) context.push(paragraph({ strong: `${say(w, 'introNeeds', v)}: ` }, lead.needs));
  if (lead.productInterests.length > 0) context.push(paragraph({ strong: `${say(w, 'introInterests', v)}: ` }, lead.productInterests.join(', ')));
  if (lead.demoRequested) context.push(paragraph(say(w, 'introDemo', v)));
  if (context.length > 0) blocks.push({ kind: 'heading', text: say(w, 'introContextHeading', v) }, ...context);

  if (input.proposedSlots.length > 0) {
    blocks.push(
      { kind: 'heading', text: say(w, 'introTimesHeading', v) },
      paragraph(say(w, 'introTimes', v)),
      { kind: 'list', items: input.proposedSlots.map((s) => [formatSlot(s, input.timeZone, w.locale)]) },
    );
  }
  blocks.push(paragraph(say(w, 'introClosing', v)), paragraph(say(w, 'signOff', {})), signature(input.sdr));
  return renderMail({ subject: say(w, 'introSubject', v), preview: say(w, 'introOpening', v), locale: w.locale, blocks });
}

function signature(sdr: SignaturePerson): Block {
  const lines = [sdr.displayName, sdr.title, sdr.companyName, sdr.phone, sdr.email].filter(filled);
  return { kind: 'signature', lines };
}

// ---------------------------------------------------------------------------------------------------------------
// 2. The invite body (what the prospect may see; Graph adds the Teams join link)

export async function renderInviteBody(input: InviteBodyInput): Promise<RenderedMail> {
  const w = teamWording(input);
  const v = leadValues(input.lead, input.ae, input.sdr);
  const agenda: Inline[][] = [[say(w, 'inviteAgenda1', v)], [say(w, 'inviteAgenda2', v)]];
  if (input.lead.demoRequested) agenda.push([say(w, 'inviteAgendaDemo', v)]);
  agenda.push([say(w, 'inviteAgenda3', v)]);
  const contact = [input.lead.contactName, input.lead.title, input.lead.companyName].filter(filled).join(', ');
  const ae = [input.ae.displayName, input.ae.title].filter(filled).join(', ');
  const attendees: Inline[][] = [[contact], [ae]];
  if (input.sdrAttends === true) attendees.push([input.sdr.displayName]);
  const blocks: Block[] = [
    paragraph(say(w, 'invitePurpose', v)),
    { kind: 'heading', text: say(w, 'inviteAgendaHeading', v) },
    { kind: 'list', items: agenda },
    { kind: 'heading', text: say(w, 'inviteAttendeesHeading', v) },
    { kind: 'list', items: attendees },
    { kind: 'note', text: say(w, 'inviteJoin', v) },
  ];
  return renderMail({ subject: say(w, 'inviteSubject', v), locale: w.locale, blocks });
}

// ---------------------------------------------------------------------------------------------------------------
// 3. The AE-only prep brief

const yesNo = (value: boolean | null): string => (value === null ? 'Unknown' : value ? 'Yes' : 'No');

export async function renderPrepBrief(input: PrepBriefInput): Promise<RenderedMail> {
  const w = teamWording(input);
  const v = leadValues(input.lead, input.ae, input.sdr);
  const { lead } = input;
  const rows: [string, string | null][] = [
    ['Contact', [lead.contactName, lead.title].filter(filled).join(', ')],
    ['Email', lead.email],
    ['Phone', lead.phone],
    ['Company', lead.companyName],
    ['Website', lead.website ?? lead.webDomain],
    ['Employees', lead.employeeCount === null ? null : String(lead.employeeCount)],
    ['Country', lead.country],
    ['Time zone', lead.timeZone],
    ['Decision maker', yesNo(lead.decisionMaker)],
    ['Budget', lead.budget],
    ['Current solution', lead.currentSolution],
    ['Competitors', lead.competitors.join(', ')],
    ['Product interests', lead.productInterests.join(', ')],
    ['Demo requested', yesNo(lead.demoRequested)],
    ['Source list', lead.sourceList],
  ];
  const blocks: Block[] = [greeting(w, input.ae.displayName, true), paragraph(say(w, 'briefIntro', v))];
  if (input.meeting != null) blocks.push(paragraph({ strong: `${say(w, 'briefMeeting', v)}: ` }, formatSlot(input.meeting, input.timeZone, w.locale)));
  blocks.push({ kind: 'facts', rows: rows.map(([label, value]) => [label, filled(value) ? value : '—'] as const) });
  if (filled(lead.needs)) blocks.push({ kind: 'heading', text: 'Needs and pains' }, { kind: 'quote', text: lead.needs });
  if (filled(lead.notes)) blocks.push({ kind: 'heading', text: `Notes from ${input.sdr.displayName}` }, { kind: 'quote', text: lead.notes });
  if (filled(input.introLink)) blocks.push({ kind: 'button', href: input.introLink, label: say(w, 'reminderOpenIntro', { ...v, dueAt: '' }) });
  blocks.push({ kind: 'note', text: 'Private: for the AE only. Not shared with the prospect.' });
  return renderMail({ subject: say(w, 'briefSubject', v), locale: w.locale, blocks });
}

// ---------------------------------------------------------------------------------------------------------------
// 4. The reminder to the AE

export async function renderAeReminder(input: AeReminderInput): Promise<RenderedMail> {
  const w = teamWording(input);
  const v = { ...leadValues(input.lead, input.ae, input.sdr), dueAt: formatDateTime(input.dueAt, input.timeZone, w.locale) };
  const blocks: Block[] = [
    greeting(w, input.ae.displayName, true),
    paragraph(say(w, 'reminderIntro', v)),
    { kind: 'list', items: obligationItems(w, input.missing, 'reminderReply', 'reminderAccept', { ...v, managerName: '' }) },
  ];
  const paused = pauseLine(input.paused, input.ae);
  if (paused !== null) blocks.push({ kind: 'note', text: paused });
  if (filled(input.introLink)) blocks.push({ kind: 'button', href: input.introLink, label: say(w, 'reminderOpenIntro', v) });
  const actions = input.actions ?? [];
  if (actions.length > 0) blocks.push({ kind: 'list', items: actions.map((a) => [{ href: a.href, label: a.label }]) });
  return renderMail({ subject: say(w, 'reminderSubject', v), locale: w.locale, blocks });
}

// ---------------------------------------------------------------------------------------------------------------
// 5. The breach email to the AE's manager (SDR in copy), and its second level to the next manager

export async function renderBreachEmail(input: BreachEmailInput): Promise<RenderedMail> {
  const w = teamWording(input);
  const v = {
    ...leadValues(input.lead, input.ae, input.sdr),
    dueAt: formatDateTime(input.dueAt, input.timeZone, w.locale),
    managerName: input.manager.displayName,
    previousManagerName: input.previousManager?.displayName ?? '',
  };
  const second = input.level === 2;
  const blocks: Block[] = [
    greeting(w, input.manager.displayName, true),
    paragraph(second ? say(w, 'breachSecondIntro', v) : say(w, 'breachIntro', v)),
    { kind: 'heading', text: say(w, 'breachMissedHeading', v) },
    { kind: 'list', items: obligationItems(w, input.missed, 'breachMissedReply', 'breachMissedAccept', v) },
  ];
  const rows: [string, string][] = [
    ['Lead', `${input.lead.contactName}, ${input.lead.companyName}`],
    ['AE', personLine(input.ae)],
    ['SDR', personLine(input.sdr)],
  ];
  if (input.introSentAt != null) rows.push(['Intro sent', formatDateTime(input.introSentAt, input.timeZone, w.locale)]);
  rows.push(['Due', v.dueAt]);
  if (input.paused != null && input.paused.workingMs > 0) rows.push(['Clock paused', `${formatWorkingTime(input.paused.workingMs)} (automatic replies on)`]);
  if (second && input.previousManager != null) rows.push(['First escalated to', personLine(input.previousManager)]);
  blocks.push({ kind: 'facts', rows });
  const paused = pauseLine(input.paused, input.ae);
  if (paused !== null) blocks.push(paragraph(paused));
  blocks.push(paragraph(say(w, 'breachNextSteps', v)));
  const actions = input.actions ?? [];
  if (actions.length > 0) blocks.push({ kind: 'list', items: actions.map((a) => [{ href: a.href, label: a.label }]) });
  if (filled(input.introLink)) blocks.push({ kind: 'button', href: input.introLink, label: say(w, 'reminderOpenIntro', { ...v }) });
  return renderMail({ subject: say(w, second ? 'breachSecondSubject' : 'breachSubject', v), locale: w.locale, blocks });
}

// ---------------------------------------------------------------------------------------------------------------
// 6. Notices to the SDR (hand-back, decline or new time) and the calendar-hygiene notice (SDR and AE)

export async function renderHandBackNotice(input: HandBackNoticeInput): Promise<RenderedMail> {
  const w = teamWording(input);
  const v = { ...leadValues(input.lead, input.ae, input.sdr), reason: input.reasonLabel };
  const blocks: Block[] = [
    greeting(w, input.sdr.displayName, true),
    paragraph(say(w, 'handBackIntro', v)),
    paragraph({ strong: `${say(w, 'handBackReason', v)}: ` }, input.reasonLabel),
    paragraph({ strong: `${say(w, 'handBackComment', v)}:` }),
    { kind: 'quote', text: input.reasonText },
  ];
  if (filled(input.leadLink)) blocks.push({ kind: 'button', href: input.leadLink, label: 'Open the lead' });
  return renderMail({ subject: say(w, 'handBackSubject', v), locale: w.locale, blocks });
}

export async function renderInviteResponseNotice(input: InviteResponseNoticeInput): Promise<RenderedMail> {
  const w = teamWording(input);
  const v = {
    ...leadValues(input.lead, input.ae, input.sdr),
    responderName: input.responder.displayName,
    meetingAt: formatDateTime(input.meeting.start, input.timeZone, w.locale),
  };
  const declined = input.response === 'declined';
  const blocks: Block[] = [greeting(w, input.sdr.displayName, true), paragraph(say(w, declined ? 'declinedIntro' : 'newTimeIntro', v))];
  if (!declined && input.proposedSlot != null) blocks.push(paragraph({ strong: 'Proposed: ' }, formatSlot(input.proposedSlot, input.timeZone, w.locale)));
  if (filled(input.comment)) blocks.push(paragraph({ strong: `${say(w, 'responseComment', v)}:` }), { kind: 'quote', text: input.comment });
  blocks.push(paragraph(say(w, 'responseNextStep', v)));
  return renderMail({ subject: say(w, declined ? 'declinedSubject' : 'newTimeSubject', v), locale: w.locale, blocks });
}

export async function renderCalendarHygieneNotice(input: CalendarHygieneNoticeInput): Promise<RenderedMail> {
  const w = teamWording(input);
  const { finding } = input;
  const v = {
    ...leadValues(input.lead, input.ae, input.sdr),
    meetingAt: formatDateTime(input.meeting.start, input.timeZone, w.locale),
    movedTo: finding.kind === 'meeting_moved' ? formatDateTime(finding.movedTo.start, input.timeZone, w.locale) : '',
  };
  const blocks: Block[] = [greeting(w, input.recipient.displayName, true)];
  switch (finding.kind) {
    case 'conflict':
    case 'prep_block_overlapped': {
      blocks.push(paragraph(say(w, finding.kind === 'conflict' ? 'hygieneConflict' : 'hygienePrepOverlapped', v)));
      // The subject is null for the AE's private events: the SDR learns of the overlap, not what it is.
      const rows: [string, string][] = [];
      if (filled(finding.event.subject)) rows.push(['Event', finding.event.subject]);
      rows.push(['When', formatSlot(finding.event, input.timeZone, w.locale)]);
      blocks.push({ kind: 'facts', rows });
      break;
    }
    case 'meeting_moved':
      blocks.push(paragraph(say(w, 'hygieneMoved', v)));
      break;
    case 'meeting_deleted':
      blocks.push(paragraph(say(w, 'hygieneDeleted', v)));
      break;
    case 'prep_block_deleted':
      blocks.push(paragraph(say(w, 'hygienePrepDeleted', v)));
      break;
  }
  if (input.newSlots.length > 0) {
    blocks.push({ kind: 'heading', text: say(w, 'hygieneSlots', v) }, { kind: 'list', items: input.newSlots.map((s) => [formatSlot(s, input.timeZone, w.locale)]) });
  } else {
    blocks.push(paragraph(say(w, 'hygieneNoSlots', v)));
  }
  return renderMail({ subject: say(w, 'hygieneSubject', v), locale: w.locale, blocks });
}

// ---------------------------------------------------------------------------------------------------------------
// 8. A manager's one-click actions: the hand-off reassigned (to the SDR and both AEs), the AE nudged

export interface ReassignNoticeInput extends MailContext {
  lead: Pick<MailLead, 'contactName' | 'companyName'>;
  sdr: MailPerson;
  previousAe: MailPerson;
  newAe: MailPerson;
  /** The manager or admin who reassigned it. */
  by: MailPerson;
  reason: string;
  /** The reader: the SDR, the previous AE or the new AE (each gets their own mail, in their zone). */
  recipient: MailPerson;
  meeting?: MailSlot | null;
  /** New deadlines of the new AE, when obligations were re-planned. */
  dueAt?: Date | null;
  timeZone: string;
}

export async function renderReassignNotice(input: ReassignNoticeInput): Promise<RenderedMail> {
  const w = teamWording(input);
  const { lead, previousAe, newAe, recipient } = input;
  const who = recipient.email.toLowerCase();
  const subject = `${lead.companyName}: hand-off moved from ${previousAe.displayName} to ${newAe.displayName}`;
  const blocks: Block[] = [greeting(w, recipient.displayName, true)];
  if (who === newAe.email.toLowerCase()) {
    blocks.push(paragraph(`${input.by.displayName} gave you the hand-off of ${lead.contactName} (${lead.companyName}), until now with ${previousAe.displayName}.`));
    if (input.dueAt != null) blocks.push(paragraph({ strong: 'Reply to the intro and accept the invite by: ' }, formatDateTime(input.dueAt, input.timeZone, w.locale)));
  } else if (who === previousAe.email.toLowerCase()) {
    blocks.push(paragraph(`${input.by.displayName} moved the hand-off of ${lead.contactName} (${lead.companyName}) from you to ${newAe.displayName}. You no longer need to act on it.`));
  } else {
    blocks.push(paragraph(`${input.by.displayName} moved your hand-off of ${lead.contactName} (${lead.companyName}) from ${previousAe.displayName} to ${newAe.displayName}.`));
  }
  const rows: [string, string][] = [
    ['Lead', `${lead.contactName}, ${lead.companyName}`],
    ['AE now', personLine(newAe)],
    ['AE before', personLine(previousAe)],
    ['SDR', personLine(input.sdr)],
  ];
  if (input.meeting != null) rows.push(['Meeting', formatSlot(input.meeting, input.timeZone, w.locale)]);
  blocks.push({ kind: 'facts', rows });
  if (filled(input.reason)) blocks.push(paragraph({ strong: 'Why: ' }), { kind: 'quote', text: input.reason });
  if (input.meeting != null) blocks.push({ kind: 'note', text: `The meeting invite now names ${newAe.displayName} instead of ${previousAe.displayName}.` });
  return renderMail({ subject, locale: w.locale, blocks });
}

export interface NudgeInput extends MailContext {
  lead: Pick<MailLead, 'contactName' | 'companyName'>;
  ae: MailPerson;
  sdr: MailPerson;
  manager: MailPerson;
  missing: readonly Obligation[];
  /** The earliest deadline still open (possibly past). */
  dueAt: Date;
  /** The AE's IANA zone. */
  timeZone: string;
}

export async function renderNudge(input: NudgeInput): Promise<RenderedMail> {
  const w = teamWording(input);
  const v = { ...leadValues(input.lead, input.ae, input.sdr), dueAt: formatDateTime(input.dueAt, input.timeZone, w.locale) };
  const blocks: Block[] = [
    greeting(w, input.ae.displayName, true),
    paragraph(`${input.manager.displayName} asks you to follow up on the hand-off of ${input.lead.contactName} (${input.lead.companyName}) from ${input.sdr.displayName}, due ${v.dueAt}. Still to do:`),
    { kind: 'list', items: obligationItems(w, input.missing, 'reminderReply', 'reminderAccept', { ...v, managerName: input.manager.displayName }) },
  ];
  return renderMail({ subject: `Reminder from ${input.manager.displayName}: ${input.lead.companyName}`, locale: w.locale, blocks });
}
