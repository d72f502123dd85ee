// The weekly SDR↔AE sync's texts: the series' body, the agenda written into each occurrence (the pair's week from
// the domain's Agenda), and the note to the team's manager when a pair has no common working hours. Built on the
// Outlook-safe layout; every lead name, company, reason text and person's name is escaped by the layout.
// Imports: ../domain/weekly-sync (types), ./mail-layout.
import type { Agenda, AgendaLine, NoCommonHours, WeeklySlot } from '../domain/weekly-sync';
import { formatSlot, renderMail, type Block, type RenderedMail } from './mail-layout';

const maxLines = 25;

function lines(heading: string, items: readonly AgendaLine[], empty: string): Block[] {
  if (items.length === 0) return [{ kind: 'heading', text: heading }, { kind: 'note', text: empty }];
  const shown = items.slice(0, maxLines).map((l) => [{ strong: l.lead }, ` (${l.company}) — ${l.detail}`] as const);
  const blocks: Block[] = [{ kind: 'heading', text: `${heading} (${String(items.length)})` }, { kind: 'list', items: shown }];
  if (items.length > maxLines) blocks.push({ kind: 'note', text: `…and ${String(items.length - maxLines)} more.` });
  return blocks;
}

export interface SyncAgendaInput {
  agenda: Agenda;
  sdrName: string;
  aeName: string;
  occurrence: { start: Date; end: Date };
  timeZone: string;
  locale?: string;
}

/** The agenda of one occurrence, written into its body. */
export async function renderSyncAgenda(input: SyncAgendaInput): Promise<RenderedMail> {
  const locale = input.locale ?? 'en-GB';
  const a = input.agenda;
  const blocks: Block[] = [
    { kind: 'paragraph', parts: [`Weekly sync of ${input.sdrName} and ${input.aeName}, ${formatSlot(input.occurrence, input.timeZone, locale)}.`] },
    { kind: 'note', text: `The week since the last sync: ${formatSlot({ start: a.since, end: a.until }, input.timeZone, locale)}. Written by Baton from your hand-offs.` },
    { kind: 'heading', text: 'Next steps' },
    { kind: 'list', items: a.nextSteps.slice(0, maxLines).map((s) => [s]) },
    ...lines('Hand-offs since the last sync', a.handoffs, 'No new hand-offs.'),
    ...lines('Open SLAs', a.openSlas, 'No SLA is open.'),
    ...lines('SLAs met', a.met, 'None met this week.'),
    ...lines('SLAs breached', a.breached, 'No breach this week.'),
    ...lines('Meetings held', a.meetingsHeld, 'No meeting held this week.'),
    ...lines('Meetings fallen through', a.fallenThrough, 'None fell through.'),
    ...lines('Hand-backs', a.handBacks, 'No hand-back this week.'),
    ...lines('Leads without a future follow-up', a.withoutFollowup, 'Every lead has a follow-up planned.'),
  ];
  return renderMail({ subject: `Weekly sync: ${input.sdrName} ↔ ${input.aeName}`, locale, blocks });
}

/** The series' own body, until an occurrence gets its agenda. */
export async function renderSyncSeries(input: { sdrName: string; aeName: string; slot: WeeklySlot; agendaHoursBefore: number; locale?: string }): Promise<RenderedMail> {
  const locale = input.locale ?? 'en-GB';
  return renderMail({
    subject: `Weekly sync: ${input.sdrName} ↔ ${input.aeName}`,
    locale,
    blocks: [
      { kind: 'paragraph', parts: [`The weekly hand-off sync of ${input.sdrName} (SDR) and ${input.aeName} (AE), from ${formatSlot({ start: input.slot.firstStart, end: input.slot.firstEnd }, input.slot.timeZone, locale)} on.`] },
      { kind: 'paragraph', parts: [`Baton writes each meeting's agenda into it ${String(input.agendaHoursBefore)} hours before: the week's hand-offs, SLAs, meetings, hand-backs, leads without a follow-up and the next steps.`] },
    ],
  });
}

/** To the team's manager: why a pair has no weekly sync. */
export async function renderNoCommonHours(input: { managerName: string; sdrName: string; aeName: string; reason: NoCommonHours; locale?: string }): Promise<RenderedMail> {
  const first = input.managerName.split(/\s+/)[0] ?? input.managerName;
  return renderMail({
    subject: `No weekly sync for ${input.sdrName} and ${input.aeName}: no common working hours`,
    locale: input.locale ?? 'en-GB',
    blocks: [
      { kind: 'paragraph', parts: [`Hi ${first},`] },
      { kind: 'paragraph', parts: ['Baton could not book the weekly sync of ', { strong: input.sdrName }, ' and ', { strong: input.aeName }, '.'] },
      { kind: 'quote', text: input.reason.message },
      {
        kind: 'facts',
        rows: [
          [input.sdrName, input.reason.sdrHours],
          [input.aeName, input.reason.aeHours],
        ],
      },
      { kind: 'paragraph', parts: ["Change one of their working hours in Outlook (or the team's sync weekday and hours) and Baton books the sync by itself."] },
      { kind: 'note', text: 'You are told again only if the reason changes.' },
    ],
  });
}
