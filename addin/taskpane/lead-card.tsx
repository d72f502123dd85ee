// The lead card: contact, company, status badge, and the qualification checklist (each unmet criterion by its
// label, or a clear "Qualified" state). Gets the lead through props; fits a 320 px pane.
// Imports React, Fluent UI, contract types and the pane's own helpers.
import { Fragment, useId } from 'react';
import { Card, CardHeader, Link, Text, makeStyles, tokens } from '@fluentui/react-components';
import type { LeadDto } from '../../server/http/contract';
import { LeadStatusBadge } from './lead-status';

export interface LeadCardProps {
  lead: LeadDto;
}

const useStyles = makeStyles({
  card: { minWidth: 0, rowGap: tokens.spacingVerticalM },
  heading: { margin: 0, fontSize: tokens.fontSizeBase400, fontWeight: tokens.fontWeightSemibold, overflowWrap: 'anywhere' },
  subheading: { color: tokens.colorNeutralForeground3, overflowWrap: 'anywhere' },
  facts: {
    display: 'grid',
    gridTemplateColumns: 'minmax(64px, max-content) minmax(0, 1fr)',
    columnGap: tokens.spacingHorizontalM,
    rowGap: tokens.spacingVerticalXS,
    margin: 0,
  },
  term: { color: tokens.colorNeutralForeground3 },
  value: { margin: 0, minWidth: 0, overflowWrap: 'anywhere' },
  section: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalS },
  sectionHeading: { margin: 0, fontSize: tokens.fontSizeBase300, fontWeight: tokens.fontWeightSemibold },
  qualified: { display: 'flex', alignItems: 'center', columnGap: tokens.spacingHorizontalS, color: tokens.colorPaletteGreenForeground1 },
  list: { listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalXS },
  item: { display: 'flex', alignItems: 'flex-start', columnGap: tokens.spacingHorizontalS },
  missingIcon: { color: tokens.colorPaletteRedForeground1, flexShrink: 0, marginTop: '2px' },
  okIcon: { flexShrink: 0 },
});

// Two 16 px icons drawn inline: the icon package is not a direct dependency of the add-in.
function CheckIcon({ className }: { className?: string }): React.JSX.Element {
  return (
    <svg className={className} width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <circle cx="8" cy="8" r="7" fill="currentColor" />
      <path d="M4.8 8.2l2.1 2.1 4.3-4.5" fill="none" stroke="#fff" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

function MissingIcon({ className }: { className?: string }): React.JSX.Element {
  return (
    <svg className={className} width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <circle cx="8" cy="8" r="6.5" fill="none" stroke="currentColor" strokeWidth="1.5" />
      <path d="M5.8 5.8l4.4 4.4M10.2 5.8l-4.4 4.4" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" />
    </svg>
  );
}

function employeesText(count: number | null): string | null {
  return count === null ? null : new Intl.NumberFormat('en').format(count);
}

export function LeadCard({ lead }: LeadCardProps): React.JSX.Element {
  const styles = useStyles();
  const headingId = useId();
  const qualificationId = useId();
  const { qualified, missing } = lead.qualification;

  const facts: { term: string; value: React.ReactNode }[] = [
    { term: 'Email', value: <Link href={`mailto:${lead.email}`}>{lead.email}</Link> },
    { term: 'Phone', value: lead.phone === null ? null : <Link href={`tel:${lead.phone}`}>{lead.phone}</Link> },
    { term: 'Company', value: lead.companyName },
    { term: 'Website', value: lead.website ?? lead.webDomain },
    { term: 'Employees', value: employeesText(lead.employeeCount) },
    { term: 'Country', value: lead.country },
  ];

  return (
    <Card className={styles.card} aria-labelledby={headingId}>
      <CardHeader
        header={
          <h2 id={headingId} className={styles.heading}>
            {lead.contactName}
          </h2>
        }
        description={
          <Text size={200} className={styles.subheading}>
            {[lead.title, lead.companyName].filter((part) => part !== null && part !== '').join(' · ')}
          </Text>
        }
        action={<LeadStatusBadge status={lead.status} />}
      />
      <dl className={styles.facts}>
        {facts
          .filter((fact) => fact.value !== null && fact.value !== '')
          .map((fact) => (
            <Fragment key={fact.term}>
              <dt className={styles.term}>{fact.term}</dt>
              <dd className={styles.value}>{fact.value}</dd>
            </Fragment>
          ))}
      </dl>
      <section className={styles.section} aria-labelledby={qualificationId}>
        <h3 id={qualificationId} className={styles.sectionHeading}>
          Qualification
        </h3>
        {qualified ? (
          <div className={styles.qualified} data-testid="qualified">
            <CheckIcon className={styles.okIcon} />
            <Text weight="semibold">Qualified</Text>
            <Text size={200}>every criterion is met</Text>
          </div>
        ) : missing.length === 0 ? (
          <Text size={200}>Not qualified yet.</Text>
        ) : (
          <>
            <Text size={200}>
              {missing.length === 1 ? '1 criterion' : `${missing.length} criteria`} still missing:
            </Text>
            <ul className={styles.list} aria-label="Missing criteria">
              {missing.map((criterion) => (
                <li key={`${criterion.field}:${criterion.rule}`} className={styles.item}>
                  <MissingIcon className={styles.missingIcon} />
                  <span>{criterion.label}</span>
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
    </Card>
  );
}
