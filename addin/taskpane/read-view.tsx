// The AE reading an intro or invite (message read): the hand-off found from the message's x-baton-handoff header, or
// else from the reader's open hand-offs whose lead is among the message's addresses; its summary, the AE-only prep
// brief, the SLA countdown, "Accept and reply" (Outlook's own reply form), the outcome after the meeting and the
// follow-up tasks. Loaded on demand by the shell. Imports React, Fluent UI, contract and port types, the API
// client's types and the pane's parts.
import { useCallback, useEffect, useId, useState } from 'react';
import { Button, Field, Spinner, Text, makeStyles, tokens } from '@fluentui/react-components';
import type { HandoffDetailDto, MeDto } from '../../server/http/contract';
import type { OfficeMailbox, ReadItemFacts } from '../office/ports';
import type { ApiClient } from '../api/client';
import { ErrorBar, Notice } from './error-bar';
import { escapeHtml, firstName, outcomeLabel } from './format';
import { FollowupSection } from './followups';
import { HandoffStatus, useNow } from './handoff-status';
import { OutcomeForm } from './outcome-form';
import { PrepBrief } from './prep-brief';
import { useHandoff } from './use-handoff';

export type ReadClient = Pick<ApiClient, 'getHandoff' | 'listHandoffs' | 'recordOutcome' | 'handBackReasons' | 'addFollowup'>;

export interface ReadViewProps {
  client: ReadClient;
  mailbox: OfficeMailbox;
  me: MeDto | null;
  clock: () => Date;
  timeZone: string | undefined;
  pollMs?: number;
}

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalL, minWidth: 0 },
  summary: { display: 'flex', flexDirection: 'column', rowGap: '2px', minWidth: 0 },
  heading: { margin: 0, fontSize: tokens.fontSizeBase400, fontWeight: tokens.fontWeightSemibold, overflowWrap: 'anywhere' },
  muted: { color: tokens.colorNeutralForeground3, overflowWrap: 'anywhere' },
  section: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalS, minWidth: 0 },
  sectionHeading: { margin: 0, fontSize: tokens.fontSizeBase300, fontWeight: tokens.fontWeightSemibold },
});

type Lookup = { status: 'reading' } | { status: 'found'; id: string } | { status: 'none' } | { status: 'error'; error: unknown };

/** The hand-off a read message belongs to: its header, else an open hand-off whose lead wrote or was addressed. */
async function findHandoff(facts: ReadItemFacts, client: ReadClient, signal: AbortSignal): Promise<string | null> {
  if (facts.handoffId !== null && facts.handoffId !== '') return facts.handoffId;
  const addresses = new Set([facts.from, ...facts.to, ...facts.cc].filter((r) => r !== null).map((r) => r.address.trim().toLowerCase()));
  const list = await client.listHandoffs({ signal });
  return list.items.find((item) => addresses.has(item.lead.email.toLowerCase()))?.handoff.id ?? null;
}

function replyHtml(detail: HandoffDetailDto): string {
  const sdr = escapeHtml(firstName(detail.sdr.displayName));
  const lead = escapeHtml(firstName(detail.lead.contactName));
  return `<p>Thank you, ${sdr}, for the introduction.</p><p>Hello ${lead}, I look forward to our conversation.</p>`;
}

export function ReadView({ client, mailbox, me, clock, timeZone, pollMs }: ReadViewProps): React.JSX.Element {
  const styles = useStyles();
  const headingId = useId();
  const now = useNow(clock);
  const [lookup, setLookup] = useState<Lookup>({ status: 'reading' });
  const [attempt, setAttempt] = useState(0);
  const [replied, setReplied] = useState<'opened' | 'unavailable' | null>(null);
  const [replyError, setReplyError] = useState<unknown>(null);
  const [replying, setReplying] = useState(false);

  useEffect(() => {
    const controller = new AbortController();
    setLookup({ status: 'reading' });
    mailbox
      .readItem()
      .then((facts) => findHandoff(facts, client, controller.signal))
      .then(
        (id) => {
          if (!controller.signal.aborted) setLookup(id === null ? { status: 'none' } : { status: 'found', id });
        },
        (error: unknown) => {
          if (!controller.signal.aborted) setLookup({ status: 'error', error });
        },
      );
    return () => {
      controller.abort();
    };
  }, [client, mailbox, attempt]);

  const load = useCallback((id: string, signal: AbortSignal) => client.getHandoff(id, { signal }), [client]);
  const status = useHandoff(load, lookup.status === 'found' ? lookup.id : null, pollMs);
  const detail = status.detail;

  async function acceptAndReply(): Promise<void> {
    if (detail === null) return;
    setReplyError(null);
    if (mailbox.displayReplyForm === undefined) {
      setReplied('unavailable');
      return;
    }
    setReplying(true);
    try {
      await mailbox.displayReplyForm({ replyAll: true, html: replyHtml(detail) });
      setReplied('opened');
    } catch (error) {
      setReplyError(error);
    } finally {
      setReplying(false);
    }
  }

  if (lookup.status === 'reading') return <Spinner size="small" label="Reading the message…" />;
  if (lookup.status === 'error') {
    return (
      <ErrorBar
        error={lookup.error}
        title="Could not find the hand-off of this message"
        onRetry={() => {
          setAttempt((n) => n + 1);
        }}
      />
    );
  }
  if (lookup.status === 'none') {
    return (
      <Notice intent="info" title="No hand-off here">
        This message is not a Baton intro or invite, and none of your open hand-offs has a lead among its addresses.
      </Notice>
    );
  }
  if (detail === null) {
    return status.error !== null ? (
      <ErrorBar error={status.error} onRetry={status.reload} title="Could not load the hand-off" />
    ) : (
      <Spinner size="small" label="Loading the hand-off…" />
    );
  }

  const isAe = me !== null && me.user.id === detail.handoff.aeId;
  const open = detail.handoff.stage !== 'closed';
  return (
    <div className={styles.root}>
      <section className={styles.summary} aria-labelledby={headingId}>
        <h2 id={headingId} className={styles.heading}>
          {detail.lead.contactName}
        </h2>
        <Text size={200} className={styles.muted}>
          {detail.lead.companyName} · {detail.lead.email}
        </Text>
        <Text size={200} className={styles.muted}>
          Introduced by {detail.sdr.displayName} to {detail.ae.displayName}
        </Text>
      </section>
      {status.error !== null && <ErrorBar error={status.error} onRetry={status.reload} title="Could not refresh the hand-off" />}
      <HandoffStatus detail={detail} now={now} timeZone={timeZone} />
      {isAe && open && (
        <section className={styles.section} aria-label="Reply">
          <Field hint="Reply to everyone on the intro, then accept the meeting invite in your calendar: Baton watches for both.">
            <Button appearance="primary" disabled={replying} onClick={() => void acceptAndReply()}>
              Accept and reply
            </Button>
          </Field>
          {replied === 'opened' && (
            <Notice intent="success" title="Reply opened">
              Send your reply from Outlook, then accept the invite in your calendar to meet the SLA.
            </Notice>
          )}
          {replied === 'unavailable' && (
            <Notice intent="warning" title="Reply from Outlook">
              This version of Outlook cannot open a reply from Baton. Use Reply all on the intro, then accept the invite in your calendar.
            </Notice>
          )}
          {replyError !== null && <ErrorBar error={replyError} title="Outlook could not open the reply" />}
        </section>
      )}
      {detail.prepBrief !== null && <PrepBrief brief={detail.prepBrief} sdrName={detail.sdr.displayName} />}
      {isAe && open && <OutcomeForm client={client} detail={detail} clock={clock} onRecorded={status.replace} />}
      {!open && detail.handoff.outcome !== null && (
        <Notice intent="info">This hand-off is closed: {outcomeLabel(detail.handoff.outcome)}.</Notice>
      )}
      {!isAe && open && (
        <Text size={200} className={styles.muted}>
          {detail.ae.displayName} records the outcome after the meeting.
        </Text>
      )}
      <FollowupSection client={client} detail={detail} clock={clock} timeZone={timeZone} onAdded={status.reload} />
    </div>
  );
}
