// The AE's outcome after the meeting: Sales qualified, hand back (a reason from the configured list and a few
// words), no-show, or rescheduled (a new time). What is missing is named at its field before anything is sent; the
// server's answer replaces the hand-off shown, and its refusals are shown. Imports React, Fluent UI, contract types,
// the API client's types and the pane's parts.
import { useEffect, useId, useState } from 'react';
import { Button, Field, Input, Option, Dropdown, Radio, RadioGroup, Spinner, Textarea, makeStyles, tokens } from '@fluentui/react-components';
import type { HandBackReasonDto, HandoffDetailDto, HandoffOutcome } from '../../server/http/contract';
import type { ApiClient } from '../api/client';
import { ErrorBar, Notice } from './error-bar';
import { outcomeLabel } from './format';

export type OutcomeClient = Pick<ApiClient, 'recordOutcome' | 'handBackReasons'>;

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalS, minWidth: 0 },
  heading: { margin: 0, fontSize: tokens.fontSizeBase300, fontWeight: tokens.fontWeightSemibold },
  actions: { display: 'flex', alignItems: 'center', columnGap: tokens.spacingHorizontalS },
  full: { width: '100%', minWidth: 0 },
});

const choices: { value: HandoffOutcome; label: string }[] = [
  { value: 'sales_qualified', label: 'Sales qualified: I take the lead' },
  { value: 'hand_back', label: 'Hand back to the SDR' },
  { value: 'no_show', label: 'No-show' },
  { value: 'rescheduled', label: 'Rescheduled' },
];

const lengths = ['30', '45', '60'];

type Problems = Partial<Record<'outcome' | 'reasonCode' | 'text' | 'start', string>>;

export interface OutcomeFormProps {
  client: OutcomeClient;
  detail: HandoffDetailDto;
  clock: () => Date;
  onRecorded: (detail: HandoffDetailDto) => void;
}

export function OutcomeForm({ client, detail, clock, onRecorded }: OutcomeFormProps): React.JSX.Element {
  const styles = useStyles();
  const headingId = useId();
  const [outcome, setOutcome] = useState<HandoffOutcome | ''>('');
  const [reasons, setReasons] = useState<HandBackReasonDto[] | null>(null);
  const [reasonsError, setReasonsError] = useState<unknown>(null);
  const [reasonCode, setReasonCode] = useState('');
  const [text, setText] = useState('');
  const [start, setStart] = useState('');
  const [length, setLength] = useState('30');
  const [problems, setProblems] = useState<Problems>({});
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const [recorded, setRecorded] = useState<string | null>(null);
  const [reasonsAttempt, setReasonsAttempt] = useState(0);

  useEffect(() => {
    if (outcome !== 'hand_back' || reasons !== null) return undefined;
    const controller = new AbortController();
    setReasonsError(null);
    client.handBackReasons({ signal: controller.signal }).then(
      (list) => {
        if (!controller.signal.aborted) setReasons(list.items);
      },
      (failure: unknown) => {
        if (!controller.signal.aborted) setReasonsError(failure);
      },
    );
    return () => {
      controller.abort();
    };
  }, [client, outcome, reasons, reasonsAttempt]);

  function check(): Problems {
    const found: Problems = {};
    if (outcome === '') found.outcome = 'Choose an outcome.';
    if (outcome === 'hand_back') {
      if (reasonCode === '') found.reasonCode = 'Choose why the lead goes back.';
      if (text.trim() === '') found.text = 'Say in a few words why the lead goes back.';
    }
    if (outcome === 'rescheduled') {
      const at = new Date(start);
      if (start === '' || Number.isNaN(at.getTime())) found.start = 'Give the new start of the meeting.';
      else if (at.getTime() <= clock().getTime()) found.start = 'The new meeting must be in the future.';
    }
    return found;
  }

  async function submit(): Promise<void> {
    setError(null);
    setRecorded(null);
    const found = check();
    setProblems(found);
    if (Object.keys(found).length > 0 || outcome === '') return;
    const version = detail.handoff.version;
    const body =
      outcome === 'hand_back'
        ? { outcome, reasonCode, text: text.trim(), version }
        : outcome === 'rescheduled'
          ? (() => {
              const at = new Date(start);
              return { outcome, start: at.toISOString(), end: new Date(at.getTime() + Number(length) * 60_000).toISOString(), version };
            })()
          : { outcome, version };
    setSaving(true);
    try {
      const next = await client.recordOutcome(detail.handoff.id, body);
      setRecorded(outcomeLabel(outcome));
      onRecorded(next);
    } catch (failure) {
      setError(failure);
    } finally {
      setSaving(false);
    }
  }

  return (
    <section className={styles.section} aria-labelledby={headingId}>
      <h3 id={headingId} className={styles.heading}>
        Outcome of the meeting
      </h3>
      <Field label="Outcome" validationMessage={problems.outcome} validationState={problems.outcome === undefined ? 'none' : 'error'}>
        <RadioGroup
          value={outcome}
          onChange={(_event, data) => {
            setOutcome(data.value as HandoffOutcome);
            setProblems({});
          }}
        >
          {choices.map((choice) => (
            <Radio key={choice.value} value={choice.value} label={choice.label} />
          ))}
        </RadioGroup>
      </Field>
      {outcome === 'hand_back' && (
        <>
          {reasonsError !== null && (
            <ErrorBar
              error={reasonsError}
              title="Could not load the hand-back reasons"
              onRetry={() => {
                setReasonsAttempt((n) => n + 1);
              }}
            />
          )}
          <Field label="Reason" required validationMessage={problems.reasonCode} validationState={problems.reasonCode === undefined ? 'none' : 'error'}>
            <Dropdown
              className={styles.full}
              placeholder={reasons === null ? 'Loading reasons…' : 'Choose a reason'}
              disabled={reasons === null}
              selectedOptions={reasonCode === '' ? [] : [reasonCode]}
              value={reasons?.find((r) => r.code === reasonCode)?.label ?? ''}
              onOptionSelect={(_event, data) => {
                setReasonCode(data.optionValue ?? '');
              }}
            >
              {(reasons ?? []).map((reason) => (
                <Option key={reason.code} value={reason.code}>
                  {reason.label}
                </Option>
              ))}
            </Dropdown>
          </Field>
          <Field label="Why, in a few words" required validationMessage={problems.text} validationState={problems.text === undefined ? 'none' : 'error'}>
            <Textarea
              value={text}
              resize="vertical"
              onChange={(_event, data) => {
                setText(data.value);
              }}
            />
          </Field>
        </>
      )}
      {outcome === 'rescheduled' && (
        <>
          <Field label="New start" required validationMessage={problems.start} validationState={problems.start === undefined ? 'none' : 'error'}>
            <Input
              type="datetime-local"
              value={start}
              onChange={(_event, data) => {
                setStart(data.value);
              }}
            />
          </Field>
          <Field label="Length in minutes">
            <Dropdown
              className={styles.full}
              value={length}
              selectedOptions={[length]}
              onOptionSelect={(_event, data) => {
                setLength(data.optionValue ?? '30');
              }}
            >
              {lengths.map((minutes) => (
                <Option key={minutes} value={minutes}>
                  {minutes}
                </Option>
              ))}
            </Dropdown>
          </Field>
        </>
      )}
      <div className={styles.actions}>
        <Button appearance="primary" disabled={saving} onClick={() => void submit()}>
          Record outcome
        </Button>
        {saving && <Spinner size="tiny" label="Saving…" />}
      </div>
      {error !== null && <ErrorBar error={error} title="The outcome was not recorded" />}
      {recorded !== null && <Notice intent="success">Outcome recorded: {recorded}.</Notice>}
    </section>
  );
}
