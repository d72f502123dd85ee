// The SDR writing the intro (message compose), below the shell's lead search: the lead's card and what it still
// lacks, the AE it goes to (the paired one; the backup offered when the AE is away), "Fill intro" starts the hand-off and fills To,
// Cc, subject, body and the x-baton-handoff header, then a meeting time from the server's proposals is booked and the
// hand-off's stage and SLA are followed. A lead already handed off shows that hand-off. Gets the API client and the
// Outlook item through props. Imports React, Fluent UI, contract and port types, the API client's types, pane parts.
import { useCallback, useEffect, useId, useState } from 'react';
import { Button, Radio, RadioGroup, Spinner, Text, makeStyles, tokens } from '@fluentui/react-components';
import type { HandoffDetailDto, HandoffIntroDto, LeadDto, MeDto, SlotDto } from '../../server/http/contract';
import type { IntroFill, OfficeMailbox } from '../office/ports';
import { ApiError, type ApiClient } from '../api/client';
import { ErrorBar, Notice } from './error-bar';
import { formatDateTime, formatSlot } from './format';
import { HandoffStatus, useNow } from './handoff-status';
import { LeadCard } from './lead-card';
import { useHandoff } from './use-handoff';

export type ComposeClient = Pick<ApiClient, 'searchLeads' | 'startHandoff' | 'getHandoff' | 'listHandoffs' | 'bookInvite' | 'chooseSlot' | 'handoffIntro'>;

export interface ComposeViewProps {
  client: ComposeClient;
  mailbox: OfficeMailbox;
  /** The lead picked in the shell's search (the shell mounts a new view for each pick). */
  lead: LeadDto | null;
  me: MeDto | null;
  clock: () => Date;
  timeZone: string | undefined;
  pollMs?: number;
}

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalM, minWidth: 0 },
  section: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalS, minWidth: 0 },
  heading: { margin: 0, fontSize: tokens.fontSizeBase300, fontWeight: tokens.fontWeightSemibold },
  muted: { color: tokens.colorNeutralForeground3, overflowWrap: 'anywhere' },
  actions: { display: 'flex', flexWrap: 'wrap', columnGap: tokens.spacingHorizontalS, rowGap: tokens.spacingVerticalS },
});

/** Why the pane refuses to fill: a title and a sentence naming what is missing. */
interface Refusal {
  title: string;
  message: string;
}

/** What a filled intro would lack, named; null when it has a lead recipient, an AE in Cc and a subject. */
export function introProblem(intro: IntroFill, leadName: string): Refusal | null {
  const title = 'Cannot fill the intro';
  if (intro.to.length === 0 || intro.to.some((r) => r.address.trim() === '')) {
    return { title, message: `The intro has no recipient: ${leadName} has no email address. Add it to the lead first.` };
  }
  if (intro.cc.length === 0 || intro.cc.some((r) => r.address.trim() === '')) {
    return { title, message: 'The intro has no AE in Cc. Ask your manager to pair you with an AE.' };
  }
  if (intro.subject.trim() === '') return { title, message: 'The intro has no subject.' };
  return null;
}

function pairedAeName(me: MeDto | null): string | null {
  if (me === null) return null;
  const primary = me.pairings.find((p) => p.sdrId === me.user.id && p.isPrimary);
  if (primary === undefined) return null;
  return me.pairedWith.find((person) => person.id === primary.aeId)?.displayName ?? null;
}

/** "Away from Mon 11 Jan, 09:00 CET until Fri 15 Jan, 18:00 CET. ", in the SDR's zone; no end: until the replies go off. */
export function awayDates(away: { start: string | null; end: string | null } | undefined, timeZone: string | undefined): string {
  if (away === undefined) return '';
  const from = away.start === null ? '' : ` from ${formatDateTime(away.start, timeZone)}`;
  if (away.end === null) return `Away${from}, with no end date in the automatic replies. `;
  return `Away${from} until ${formatDateTime(away.end, timeZone)}. `;
}

function toIntroFill(started: HandoffIntroDto): IntroFill {
  const { intro } = started;
  return { to: intro.to, cc: intro.cc, subject: intro.subject, html: intro.html, header: intro.header };
}

export function ComposeView({ client, mailbox, lead, me, clock, timeZone, pollMs }: ComposeViewProps): React.JSX.Element {
  const styles = useStyles();
  const aeHeadingId = useId();
  const slotsHeadingId = useId();
  const now = useNow(clock);
  // The intro as the server composed it (at start, or again for "Fill again"), with the proposed times.
  const [started, setStarted] = useState<HandoffIntroDto | null>(null);
  const [handoffId, setHandoffId] = useState<string | null>(null);
  const [away, setAway] = useState<ApiError | null>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<'fill' | 'book' | null>(null);
  const [filled, setFilled] = useState(false);
  const [slotIndex, setSlotIndex] = useState<string>('');
  const [booked, setBooked] = useState<SlotDto | null>(null);

  const load = useCallback((id: string, signal: AbortSignal) => client.getHandoff(id, { signal }), [client]);
  const status = useHandoff(load, handoffId, pollMs);

  // A lead picked again after its hand-off started (the pane was closed): show that hand-off.
  useEffect(() => {
    if (lead === null || !['qualified', 'suspect'].includes(lead.status)) return undefined;
    const controller = new AbortController();
    client.listHandoffs({ signal: controller.signal }).then(
      (list) => {
        const open = list.items.find((item) => item.handoff.leadId === lead.id);
        // One this pane started meanwhile keeps its id.
        if (open !== undefined && !controller.signal.aborted) setHandoffId((current) => current ?? open.handoff.id);
      },
      (failure: unknown) => {
        if (!controller.signal.aborted) setError(failure);
      },
    );
    return () => {
      controller.abort();
    };
  }, [client, lead]);

  async function fillIntro(useBackup: boolean): Promise<void> {
    setRefusal(null);
    setError(null);
    if (lead === null) {
      setRefusal({ title: 'Cannot fill the intro', message: 'Pick a lead first: the intro needs a lead.' });
      return;
    }
    if (!lead.qualification.qualified) {
      const missing = lead.qualification.missing.map((m) => m.label).join(', ');
      setRefusal({ title: 'Not qualified yet', message: `${lead.contactName} cannot be handed off yet${missing === '' ? '' : `; missing: ${missing}`}.` });
      return;
    }
    const unsupported = mailbox.unsupportedReason();
    if (unsupported !== null) {
      setRefusal({ title: 'Outlook cannot take the intro here', message: unsupported });
      return;
    }
    setBusy('fill');
    try {
      let current: HandoffIntroDto;
      if (handoffId === null) {
        let fresh: HandoffIntroDto;
        try {
          fresh = await client.startHandoff({ leadId: lead.id, ...(useBackup ? { useBackup: true } : {}) });
        } catch (failure) {
          if (failure instanceof ApiError && failure.code === 'ae_away') {
            setAway(failure);
            return;
          }
          if (failure instanceof ApiError && failure.code === 'handoff_exists' && failure.handoffId !== undefined) {
            setHandoffId(failure.handoffId);
            return;
          }
          throw failure;
        }
        current = fresh;
        setStarted(current);
        setHandoffId(current.handoff.id);
        setAway(null);
        const first = current.slots[0];
        if (first !== undefined) {
          // The highlighted proposal is the chosen time from the start: sent without "Book meeting", the invite is
          // booked at it, not at the AE's next free time.
          setSlotIndex('0');
          status.replace(await client.chooseSlot(current.handoff.id, first));
        }
      } else {
        // "Fill again": the same hand-off, its intro composed again with the time chosen (carried first).
        const chosen = started?.slots[Number(slotIndex)];
        if (chosen !== undefined && slotIndex !== '') status.replace(await client.chooseSlot(handoffId, chosen));
        current = await client.handoffIntro(handoffId);
        setStarted(current);
        if (current.slots.length > 0) setSlotIndex('0');
      }
      const intro = toIntroFill(current);
      const problem = introProblem(intro, lead.contactName);
      if (problem !== null) {
        setRefusal(problem);
        return;
      }
      await mailbox.fillIntro(intro);
      setFilled(true);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(null);
    }
  }

  /** A proposal picked: it is the chosen time at once, so sending the intro books the invite there. */
  async function chooseSlot(index: string): Promise<void> {
    const slot = started?.slots[Number(index)];
    const previous = slotIndex;
    setSlotIndex(index);
    if (started === null || slot === undefined) return;
    setError(null);
    try {
      status.replace(await client.chooseSlot(started.handoff.id, slot));
    } catch (failure) {
      setSlotIndex(previous);
      setError(failure);
    }
  }

  async function bookMeeting(): Promise<void> {
    const slot = started?.slots[Number(slotIndex)];
    setError(null);
    setRefusal(null);
    if (started === null || slot === undefined) {
      setRefusal({ title: 'Cannot book the meeting', message: 'Choose a meeting time first.' });
      return;
    }
    setBusy('book');
    try {
      const detail: HandoffDetailDto = await client.bookInvite(started.handoff.id, { start: slot.start, end: slot.end });
      status.replace(detail);
      setBooked(slot);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(null);
    }
  }

  // A hand-off this pane did not start: the lead was handed off before.
  const existing = started === null && handoffId !== null;
  // Its intro can be filled again until Baton sees it sent (a draft closed unsent).
  const refillable = filled || (existing && status.detail?.handoff.stage === 'intro_composed' && status.detail.handoff.introSentAt === null);
  const isAe = me?.user.role === 'ae';
  const paired = pairedAeName(me);
  const aeName = started?.intro.cc[0]?.name ?? status.detail?.ae.displayName ?? null;
  const backup = away?.backup ?? null;

  return (
    <div className={styles.root}>
      {lead === null ? (
        <Text size={200} className={styles.muted}>
          Pick the lead you are introducing to see its card, the AE it goes to and the intro.
        </Text>
      ) : (
        <LeadCard lead={lead} />
      )}

      {isAe ? (
        <Notice intent="info">Hand-offs are started by SDRs. Open an intro you received to see its hand-off.</Notice>
      ) : (
        <section className={styles.section} aria-labelledby={aeHeadingId}>
          <h3 id={aeHeadingId} className={styles.heading}>
            AE
          </h3>
          <Text size={200}>
            {aeName !== null
              ? `${aeName} is in Cc of the intro.`
              : paired !== null
                ? `${paired} (your paired AE) will be in Cc.`
                : me?.user.role === 'sdr'
                  ? 'You have no paired AE: Baton will refuse the hand-off until a manager pairs you.'
                  : "The AE paired with the lead's SDR will be in Cc."}
          </Text>
          {away !== null && (
            <Notice intent="warning" title={away.message}>
              {awayDates(away.away, timeZone)}
              {backup !== null
                ? `You can hand the lead to ${backup.displayName}, the backup AE, instead.`
                : 'No backup AE is set: ask your manager to reassign the lead, or wait until the AE is back.'}
            </Notice>
          )}
          <div className={styles.actions}>
            {away !== null && backup !== null ? (
              <Button appearance="primary" disabled={busy !== null} onClick={() => void fillIntro(true)}>
                Hand to {backup.displayName} and fill intro
              </Button>
            ) : (
              (!existing || refillable) && (
                <Button appearance="primary" disabled={busy !== null || away !== null} onClick={() => void fillIntro(false)}>
                  {refillable ? 'Fill again' : 'Fill intro'}
                </Button>
              )
            )}
            {busy === 'fill' && <Spinner size="tiny" label="Preparing the intro…" />}
          </div>
        </section>
      )}

      {refusal !== null && <ErrorBar error={new Error(refusal.message)} title={refusal.title} />}
      {error !== null && <ErrorBar error={error} />}
      {filled && (
        <Notice intent="success" title="Intro filled in">
          Check it and press Send. Baton sees it in your Sent Items and starts the AE&apos;s SLA.
        </Notice>
      )}
      {existing && status.detail !== null && (
        <Notice intent="info" title="Already handed off">
          {`${status.detail.lead.contactName} was handed to ${status.detail.ae.displayName} on ${formatDateTime(status.detail.handoff.createdAt, timeZone)}.`}
          {refillable && !filled ? ' Its intro was not sent yet: Fill again puts it into this message.' : ''}
        </Notice>
      )}

      {started !== null && (
        <section className={styles.section} aria-labelledby={slotsHeadingId}>
          <h3 id={slotsHeadingId} className={styles.heading}>
            Meeting time
          </h3>
          {started.slots.length === 0 ? (
            <Text size={200} className={styles.muted}>
              {started.warnings.includes('slots_unavailable')
                ? "Baton could not read the AE's free/busy, so it proposes no times; the invite is booked at the AE's next free time once the intro is sent."
                : "No free time was found in the next two weeks; the invite is booked at the AE's next free time once the intro is sent."}
            </Text>
          ) : booked !== null ? (
            <Text size={200}>Invite booked for {formatSlot(booked, timeZone)}.</Text>
          ) : (
            <>
              <RadioGroup
                aria-labelledby={slotsHeadingId}
                value={slotIndex}
                onChange={(_event, data) => {
                  void chooseSlot(data.value);
                }}
              >
                {started.slots.map((slot, index) => (
                  <Radio key={slot.start} value={String(index)} label={formatSlot(slot, timeZone)} />
                ))}
              </RadioGroup>
              <div className={styles.actions}>
                <Button disabled={busy !== null} onClick={() => void bookMeeting()}>
                  Book meeting
                </Button>
                {busy === 'book' && <Spinner size="tiny" label="Booking…" />}
              </div>
            </>
          )}
        </section>
      )}

      {status.error !== null && <ErrorBar error={status.error} onRetry={status.reload} title="Could not refresh the hand-off" />}
      {status.detail !== null && <HandoffStatus detail={status.detail} now={now} timeZone={timeZone} />}
    </div>
  );
}
