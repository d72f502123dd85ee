// The AE-only prep brief in the pane: budget, competitors, current solution, needs and pains, the SDR's notes and the
// rest of what the SDR learnt, each as plain text (a field holding HTML shows as typed). Imports React, Fluent UI
// and contract types.
import { Fragment, useId } from 'react';
import { Text, makeStyles, tokens } from '@fluentui/react-components';
import type { PrepBriefDto } from '../../server/http/contract';

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalS, minWidth: 0 },
  heading: { margin: 0, fontSize: tokens.fontSizeBase300, fontWeight: tokens.fontWeightSemibold },
  facts: {
    display: 'grid',
    gridTemplateColumns: 'minmax(72px, max-content) minmax(0, 1fr)',
    columnGap: tokens.spacingHorizontalM,
    rowGap: tokens.spacingVerticalXS,
    margin: 0,
  },
  term: { color: tokens.colorNeutralForeground3 },
  value: { margin: 0, minWidth: 0, overflowWrap: 'anywhere', whiteSpace: 'pre-wrap' },
  note: { color: tokens.colorNeutralForeground3 },
});

const yesNo = (value: boolean | null): string | null => (value === null ? null : value ? 'Yes' : 'No');
const listed = (items: readonly string[]): string | null => (items.length === 0 ? null : items.join(', '));

export function PrepBrief({ brief, sdrName }: { brief: PrepBriefDto; sdrName: string }): React.JSX.Element {
  const styles = useStyles();
  const headingId = useId();
  const rows: [string, string | null][] = [
    ['Budget', brief.budget],
    ['Competitors', listed(brief.competitors)],
    ['Current solution', brief.currentSolution],
    ['Needs and pains', brief.needs],
    [`Notes from ${sdrName}`, brief.notes],
    ['Decision maker', yesNo(brief.decisionMaker)],
    ['Interested in', listed(brief.productInterests)],
    ['Demo requested', yesNo(brief.demoRequested)],
    ['Title', brief.title],
    ['Phone', brief.phone],
    ['Time zone', brief.timeZone],
  ];
  return (
    <section className={styles.section} aria-labelledby={headingId}>
      <h3 id={headingId} className={styles.heading}>
        Prep brief
      </h3>
      <dl className={styles.facts}>
        {rows.map(([term, value]) => (
          <Fragment key={term}>
            <dt className={styles.term}>{term}</dt>
            <dd className={styles.value}>{value === null || value.trim() === '' ? '—' : value}</dd>
          </Fragment>
        ))}
      </dl>
      <Text size={200} className={styles.note}>
        For the AE only: never shared with the prospect.
      </Text>
    </section>
  );
}
