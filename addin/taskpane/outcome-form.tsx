// The AE's outcome after the meeting: Sales qualified, hand back (a reason from the configured list and a few
// words), no-show, or rescheduled (a new time); with each but rescheduled the AE rates the lead 1–5, may tick the
// lead fields that were missing or wrong and add a sentence. What is missing is named at its field before anything
// is sent, and so is a field the server refuses; the server's answer replaces the hand-off shown. Imports React,
// Fluent UI, contract types and constants, the API client, the pane's parts.
import { useEffect, useId, useState } from 'react';
import { Button, Checkbox, Field, Input, Option, Dropdown, Radio, RadioGroup, Rating, Spinner, Textarea, makeStyles, tokens } from '@fluentui/react-components';
import {
  maxRatingCommentLength,
  ratingFieldLabels,
  ratingFieldValues,
  type HandBackReasonDto,
  type HandoffDetailDto,
  type HandoffOutcome,
  type HandoffOutcomeBody,
  type RatingField,
} from '../../server/http/contract';
import { ApiError, type ApiClient } from '../api/client';
import { ErrorBar, Notice } from './error-bar';
import { outcomeLabel } from './format';

export type OutcomeClient = Pick<ApiClient, 'recordOutcome' | 'handBackReasons'>;

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalS, minWidth: 0 },
  heading: { margin: 0, fontSize: tokens.fontSizeBase300, fontWeight: tokens.fontWeightSemibold },
  actions: { display: 'flex', alignItems: 'center', columnGap: tokens.spacingHorizontalS },
  full: { width: '100%', minWidth: 0 },
  fields: { display: 'grid', gridTemplateColumns: 'repeat(2, minmax(0, 1fr))', columnGap: tokens.spacingHorizontalXS, margin: 0, padding: 0, border: 'none', minWidth: 0 },
  legend: { padding: 0, marginBottom: tokens.spacingVerticalXS, fontWeight: tokens.fontWeightSemibold },
  fieldError: { color: tokens.colorPaletteRedForeground1, gridColumn: '1 / -1' },
});

const choices: { value: HandoffOutcome; label: string }[] = [
  { value: 'sales_qualified', label: 'Sales qualified: I take the lead' },
  { value: 'hand_back', label: 'Hand back to the SDR' },
  { value: 'no_show', label: 'No-show' },
  { value: 'rescheduled', label: 'Rescheduled' },
];

const lengths = ['30', '45', '60'];

type ProblemField = 'outcome' | 'reasonCode' | 'text' | 'start' | 'rating.score' | 'rating.fields' | 'rating.comment';
type Problems = Partial<Record<ProblemField, string>>;

/** The outcomes the AE rates the lead with (rescheduled moves the meeting and rates nothing). */
const rated = (outcome: HandoffOutcome | ''): boolean => outcome === 'sales_qualified' || outcome === 'hand_back' || outcome === 'no_show';

/** Where a refusal of the server is shown: at its field (`rating.fields.2` under the ticked fields), else null. */
function problemOf(error: unknown): Problems | null {
  if (!(error instanceof ApiError) || error.field === undefined) return null;
  const field = error.field.startsWith('rating.fields') ? 'rating.fields' : error.field === 'rating' ? 'rating.score' : error.field;
  const known: readonly string[] = ['reasonCode', 'text', 'start', 'rating.score', 'rating.fields', 'rating.comment'];
  if (!known.includes(field)) return null;
  const index = /^rating\.fields\.(\d+)$/.exec(error.field)?.[1];
  return { [field]: index === undefined ? error.message : `${error.message} (ticked field ${String(Number(index) + 1)})` };
}

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
  const [score, setScore] = useState(0);
  const [ticked, setTicked] = useState<RatingField[]>([]);
  const [comment, setComment] = useState('');
  const fieldsId = useId();
  const qualityId = useId();

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
    if (rated(outcome)) {
      if (score < 1 || score > 5) found['rating.score'] = 'Rate the lead from 1 to 5.';
      const sentence = comment.replace(/\s+/g, ' ').trim();
      if (sentence.length > maxRatingCommentLength) {
        found['rating.comment'] = `Keep it to one sentence: at most ${String(maxRatingCommentLength)} characters (now ${String(sentence.length)}).`;
      }
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
    const sentence = comment.replace(/\s+/g, ' ').trim();
    // The fields in the order of the lead record, whatever the order they were ticked in.
    const rating = { score, fields: ratingFieldValues.filter((f) => ticked.includes(f)), ...(sentence === '' ? {} : { comment: sentence }) };
    const body: HandoffOutcomeBody =
      outcome === 'hand_back'
        ? { outcome, reasonCode, text: text.trim(), version, rating }
        : outcome === 'rescheduled'
          ? (() => {
              const at = new Date(start);
              return { outcome, start: at.toISOString(), end: new Date(at.getTime() + Number(length) * 60_000).toISOString(), version };
            })()
          : { outcome, version, rating };
    setSaving(true);
    try {
      const next = await client.recordOutcome(detail.handoff.id, body);
      setRecorded(outcomeLabel(outcome));
      onRecorded(next);
    } catch (failure) {
      const atField = problemOf(failure);
      if (atField === null) setError(failure);
      else setProblems(atField);
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
      {rated(outcome) && (
        <>
          <Field
            label={{ id: qualityId, children: 'Lead quality (1 poor, 5 excellent)' }}
            required
            validationMessage={problems['rating.score']}
            validationState={problems['rating.score'] === undefined ? 'none' : 'error'}
          >
            <Rating
              aria-labelledby={qualityId}
              value={score}
              max={5}
              step={1}
              itemLabel={(n) => `${String(n)} of 5`}
              onChange={(_event, data) => {
                setScore(data.value);
              }}
            />
          </Field>
          <fieldset className={styles.fields} aria-describedby={problems['rating.fields'] === undefined ? undefined : fieldsId}>
            <legend className={styles.legend}>What was missing or wrong in the lead record?</legend>
            {ratingFieldValues.map((field) => (
              <Checkbox
                key={field}
                label={ratingFieldLabels[field]}
                checked={ticked.includes(field)}
                onChange={(_event, data) => {
                  setTicked((list) => (data.checked === true ? [...list, field] : list.filter((f) => f !== field)));
                }}
              />
            ))}
            {problems['rating.fields'] !== undefined && (
              <span id={fieldsId} role="alert" className={styles.fieldError}>
                {problems['rating.fields']}
              </span>
            )}
          </fieldset>
          <Field
            label="In one sentence (optional)"
            hint={`At most ${String(maxRatingCommentLength)} characters.`}
            validationMessage={problems['rating.comment']}
            validationState={problems['rating.comment'] === undefined ? 'none' : 'error'}
          >
            <Input
              value={comment}
              onChange={(_event, data) => {
                setComment(data.value);
              }}
            />
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
