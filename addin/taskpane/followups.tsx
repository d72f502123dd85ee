// The lead's follow-up tasks in the pane: the open ones by due date (then the done ones), and a small form to add one
// (due in the future, a note), each problem named at its field. Imports React, Fluent UI, contract types, the API
// client's types and the pane's parts.
import { useId, useState } from 'react';
import { Button, Field, Input, Spinner, Text, Textarea, makeStyles, tokens } from '@fluentui/react-components';
import type { HandoffDetailDto } from '../../server/http/contract';
import type { ApiClient } from '../api/client';
import { ErrorBar, Notice } from './error-bar';
import { formatDateTime } from './format';

export type FollowupClient = Pick<ApiClient, 'addFollowup'>;

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalS, minWidth: 0 },
  heading: { margin: 0, fontSize: tokens.fontSizeBase300, fontWeight: tokens.fontWeightSemibold },
  list: { listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalXS },
  item: { display: 'flex', flexDirection: 'column', minWidth: 0, overflowWrap: 'anywhere' },
  muted: { color: tokens.colorNeutralForeground3 },
  actions: { display: 'flex', alignItems: 'center', columnGap: tokens.spacingHorizontalS },
});

export interface FollowupSectionProps {
  client: FollowupClient;
  detail: HandoffDetailDto;
  clock: () => Date;
  timeZone: string | undefined;
  onAdded: () => void;
}

export function FollowupSection({ client, detail, clock, timeZone, onAdded }: FollowupSectionProps): React.JSX.Element {
  const styles = useStyles();
  const headingId = useId();
  const [dueAt, setDueAt] = useState('');
  const [note, setNote] = useState('');
  const [problems, setProblems] = useState<{ dueAt?: string; note?: string }>({});
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const [added, setAdded] = useState(false);
  const now = clock();
  const open = detail.followups.filter((f) => f.doneAt === null).sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  const done = detail.followups.filter((f) => f.doneAt !== null);
  const hasFuture = open.some((f) => Date.parse(f.dueAt) > now.getTime());

  async function add(): Promise<void> {
    setError(null);
    setAdded(false);
    const at = new Date(dueAt);
    const found: { dueAt?: string; note?: string } = {};
    if (dueAt === '' || Number.isNaN(at.getTime())) found.dueAt = 'Give the due date and time.';
    else if (at.getTime() <= clock().getTime()) found.dueAt = 'A follow-up is due in the future.';
    if (note.trim() === '') found.note = 'Write what is to be done.';
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    setSaving(true);
    try {
      await client.addFollowup(detail.lead.id, { dueAt: at.toISOString(), note: note.trim() });
      setDueAt('');
      setNote('');
      setAdded(true);
      onAdded();
    } catch (failure) {
      setError(failure);
    } finally {
      setSaving(false);
    }
  }

  return (
    <section className={styles.section} aria-labelledby={headingId}>
      <h3 id={headingId} className={styles.heading}>
        Follow-up tasks
      </h3>
      {!hasFuture && <Notice intent="warning">This lead has no future follow-up task. Add one so it does not slip.</Notice>}
      {open.length + done.length > 0 && (
        <ul className={styles.list} aria-label="Follow-up tasks">
          {[...open, ...done].map((f) => (
            <li key={f.id} className={styles.item}>
              <Text>{f.note}</Text>
              <Text size={200} className={styles.muted}>
                {f.doneAt === null ? `Due ${formatDateTime(f.dueAt, timeZone)}` : `Done ${formatDateTime(f.doneAt, timeZone)}`}
              </Text>
            </li>
          ))}
        </ul>
      )}
      <Field label="Due" required validationMessage={problems.dueAt} validationState={problems.dueAt === undefined ? 'none' : 'error'}>
        <Input
          type="datetime-local"
          value={dueAt}
          onChange={(_event, data) => {
            setDueAt(data.value);
          }}
        />
      </Field>
      <Field label="Task" required validationMessage={problems.note} validationState={problems.note === undefined ? 'none' : 'error'}>
        <Textarea
          value={note}
          resize="vertical"
          onChange={(_event, data) => {
            setNote(data.value);
          }}
        />
      </Field>
      <div className={styles.actions}>
        <Button disabled={saving} onClick={() => void add()}>
          Add follow-up
        </Button>
        {saving && <Spinner size="tiny" label="Adding…" />}
      </div>
      {error !== null && <ErrorBar error={error} title="The follow-up was not added" />}
      {added && <Notice intent="success">Follow-up added.</Notice>}
    </section>
  );
}
