// The organizer of a meeting (appointment compose): pick a lead with an open hand-off, a time from the chosen or
// proposed slots, and "Fill invite" sets the attendees (the lead and the AE), the time, the subject and the invite
// body (what the prospect may see) on the appointment. Loaded on demand by the shell. Imports React, Fluent UI,
// contract and port types, the API client's types and the pane's parts.
import { useEffect, useId, useState } from 'react';
import { Button, Dropdown, Field, Option, Radio, RadioGroup, Spinner, Text, makeStyles, tokens } from '@fluentui/react-components';
import type { HandoffList, InviteDraftDto, MeDto } from '../../server/http/contract';
import type { InviteFill, OfficeMailbox } from '../office/ports';
import type { ApiClient } from '../api/client';
import { ErrorBar, Notice } from './error-bar';
import { formatSlot } from './format';

export type OrganizerClient = Pick<ApiClient, 'listHandoffs' | 'inviteDraft'>;

export interface OrganizerViewProps {
  client: OrganizerClient;
  mailbox: OfficeMailbox;
  me: MeDto | null;
  clock: () => Date;
  timeZone: string | undefined;
}

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalM, minWidth: 0 },
  full: { width: '100%', minWidth: 0 },
  muted: { color: tokens.colorNeutralForeground3 },
  actions: { display: 'flex', alignItems: 'center', columnGap: tokens.spacingHorizontalS },
});

type Loaded<T> = { status: 'loading' } | { status: 'done'; data: T } | { status: 'error'; error: unknown };

/** What an invite would lack, named; null when it can be filled. */
export function inviteProblem(draft: InviteDraftDto | null, slotChosen: boolean): string | null {
  if (draft === null) return 'Pick a lead with an open hand-off first.';
  if (draft.attendees.length === 0 || draft.attendees.some((a) => a.address.trim() === '')) {
    return 'The invite has no attendees: the lead or the AE has no email address.';
  }
  if (!slotChosen) return 'Choose a meeting time.';
  return null;
}

export function OrganizerView({ client, mailbox, timeZone }: OrganizerViewProps): React.JSX.Element {
  const styles = useStyles();
  const slotsId = useId();
  const [list, setList] = useState<Loaded<HandoffList>>({ status: 'loading' });
  const [listAttempt, setListAttempt] = useState(0);
  const [handoffId, setHandoffId] = useState('');
  const [draft, setDraft] = useState<Loaded<InviteDraftDto> | null>(null);
  const [draftAttempt, setDraftAttempt] = useState(0);
  const [slotIndex, setSlotIndex] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [filling, setFilling] = useState(false);
  const [filled, setFilled] = useState(false);

  useEffect(() => {
    const controller = new AbortController();
    setList({ status: 'loading' });
    client.listHandoffs({ signal: controller.signal }).then(
      (data) => {
        if (!controller.signal.aborted) setList({ status: 'done', data });
      },
      (failure: unknown) => {
        if (!controller.signal.aborted) setList({ status: 'error', error: failure });
      },
    );
    return () => {
      controller.abort();
    };
  }, [client, listAttempt]);

  useEffect(() => {
    if (handoffId === '') return undefined;
    const controller = new AbortController();
    setDraft({ status: 'loading' });
    setSlotIndex('');
    client.inviteDraft(handoffId, { signal: controller.signal }).then(
      (data) => {
        if (controller.signal.aborted) return;
        setDraft({ status: 'done', data });
        if (data.slots.length > 0) setSlotIndex('0');
      },
      (failure: unknown) => {
        if (!controller.signal.aborted) setDraft({ status: 'error', error: failure });
      },
    );
    return () => {
      controller.abort();
    };
  }, [client, handoffId, draftAttempt]);

  const items = list.status === 'done' ? list.data.items.filter((item) => item.handoff.stage !== 'closed') : [];
  const chosen = items.find((item) => item.handoff.id === handoffId);
  const ready = draft?.status === 'done' ? draft.data : null;
  const slot = ready?.slots[Number(slotIndex)];

  async function fillInvite(): Promise<void> {
    setError(null);
    setFilled(false);
    const found = inviteProblem(ready, slotIndex !== '' && slot !== undefined);
    setProblem(found);
    if (found !== null || ready === null || slot === undefined) return;
    const unsupported = mailbox.unsupportedReason();
    if (unsupported !== null) {
      setProblem(unsupported);
      return;
    }
    const invite: InviteFill = {
      requiredAttendees: ready.attendees,
      start: new Date(slot.start),
      end: new Date(slot.end),
      subject: ready.subject,
      html: ready.html,
    };
    setFilling(true);
    try {
      await mailbox.fillInvite(invite);
      setFilled(true);
    } catch (failure) {
      setError(failure);
    } finally {
      setFilling(false);
    }
  }

  return (
    <div className={styles.root}>
      {list.status === 'error' && (
        <ErrorBar
          error={list.error}
          title="Could not load your hand-offs"
          onRetry={() => {
            setListAttempt((n) => n + 1);
          }}
        />
      )}
      <Field label="Lead with an open hand-off" hint={list.status === 'done' && items.length === 0 ? 'You have no open hand-offs.' : undefined}>
        <Dropdown
          className={styles.full}
          placeholder={list.status === 'loading' ? 'Loading your hand-offs…' : 'Choose a lead'}
          disabled={list.status !== 'done' || items.length === 0}
          value={chosen === undefined ? '' : `${chosen.lead.contactName} · ${chosen.lead.companyName}`}
          selectedOptions={handoffId === '' ? [] : [handoffId]}
          onOptionSelect={(_event, data) => {
            setHandoffId(data.optionValue ?? '');
            setProblem(null);
            setFilled(false);
          }}
        >
          {items.map((item) => (
            <Option key={item.handoff.id} value={item.handoff.id} text={`${item.lead.contactName} · ${item.lead.companyName}`}>
              {item.lead.contactName} · {item.lead.companyName}
            </Option>
          ))}
        </Dropdown>
      </Field>
      {draft?.status === 'loading' && <Spinner size="tiny" label="Preparing the invite…" />}
      {draft?.status === 'error' && (
        <ErrorBar
          error={draft.error}
          title="Could not prepare the invite"
          onRetry={() => {
            setDraftAttempt((n) => n + 1);
          }}
        />
      )}
      {ready !== null && (
        <>
          <Text size={200} className={styles.muted}>
            Invites {ready.attendees.map((a) => a.name).join(' and ')}. The body is what the prospect sees; the prep brief stays with the AE.
          </Text>
          {ready.slots.length === 0 ? (
            <Notice intent="warning">
              {ready.warnings.includes('slots_unavailable')
                ? "Baton could not read the AE's free/busy: no time is proposed. Pick one in Outlook's scheduling assistant."
                : 'No free time was found in the next two weeks. Pick one in Outlook’s scheduling assistant.'}
            </Notice>
          ) : (
            <Field label="Meeting time" id={slotsId}>
              <RadioGroup
                value={slotIndex}
                onChange={(_event, data) => {
                  setSlotIndex(data.value);
                }}
              >
                {ready.slots.map((s, index) => (
                  <Radio key={s.start} value={String(index)} label={formatSlot(s, timeZone)} />
                ))}
              </RadioGroup>
            </Field>
          )}
        </>
      )}
      <div className={styles.actions}>
        <Button appearance="primary" disabled={filling} onClick={() => void fillInvite()}>
          Fill invite
        </Button>
        {filling && <Spinner size="tiny" label="Filling…" />}
      </div>
      {problem !== null && <ErrorBar error={new Error(problem)} title="Cannot fill the invite" />}
      {error !== null && <ErrorBar error={error} title="Outlook could not fill the invite" />}
      {filled && (
        <Notice intent="success" title="Invite filled in">
          Check it and press Send.
        </Notice>
      )}
    </div>
  );
}
