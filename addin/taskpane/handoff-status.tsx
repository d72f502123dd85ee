// The hand-off's state as both sides watch it: the stage, who it is between, the meeting, and each SLA obligation
// with its due time in the user's zone and a countdown ("due in 3 h 20 min", "overdue by 10 min", "met in 1 h 05
// min"), paused while the AE is away (automatic replies) with the reason. A polite live region announces changes of
// state (not every minute). Imports React, Fluent UI, contract types and the pane's helpers.
import { useEffect, useId, useState } from 'react';
import { Badge, Text, makeStyles, tokens, type BadgeProps } from '@fluentui/react-components';
import type { HandoffDetailDto } from '../../server/http/contract';
import { awayText, countdown, formatDateTime, formatDuration, formatSlot, isAwayAt, obligationLabels, outcomeLabel, stageLabels, type CountdownTone } from './format';

/** The current time, re-read every `tickMs` so countdowns move. */
export function useNow(clock: () => Date, tickMs = 30_000): Date {
  const [now, setNow] = useState(clock);
  useEffect(() => {
    const timer = setInterval(() => {
      setNow(clock());
    }, tickMs);
    return () => {
      clearInterval(timer);
    };
  }, [clock, tickMs]);
  return now;
}

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalS, minWidth: 0 },
  heading: { margin: 0, fontSize: tokens.fontSizeBase300, fontWeight: tokens.fontWeightSemibold },
  line: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', columnGap: tokens.spacingHorizontalS, rowGap: tokens.spacingVerticalXS },
  muted: { color: tokens.colorNeutralForeground3, overflowWrap: 'anywhere' },
  list: { listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalS },
  item: { display: 'flex', flexDirection: 'column', rowGap: '2px', minWidth: 0 },
  visuallyHidden: {
    position: 'absolute',
    width: '1px',
    height: '1px',
    margin: '-1px',
    padding: 0,
    overflow: 'hidden',
    clipPath: 'inset(50%)',
    whiteSpace: 'nowrap',
    border: 0,
  },
});

const toneColours: Record<CountdownTone, NonNullable<BadgeProps['color']>> = {
  open: 'informative',
  overdue: 'danger',
  met: 'success',
  late: 'warning',
  cancelled: 'subtle',
  paused: 'important',
};

export interface HandoffStatusProps {
  detail: HandoffDetailDto;
  now: Date;
  /** The user's IANA zone; undefined: the browser's. */
  timeZone: string | undefined;
}

export function HandoffStatus({ detail, now, timeZone }: HandoffStatusProps): React.JSX.Element {
  const styles = useStyles();
  const headingId = useId();
  const { handoff, obligations } = detail;
  const stage = handoff.stage === 'closed' && handoff.outcome !== null ? `Closed: ${outcomeLabel(handoff.outcome)}` : stageLabels[handoff.stage];
  const meeting =
    handoff.meetingStart !== null && handoff.meetingEnd !== null
      ? { start: handoff.meetingStart, end: handoff.meetingEnd }
      : handoff.slotStart !== null && handoff.slotEnd !== null
        ? { start: handoff.slotStart, end: handoff.slotEnd }
        : null;
  const away = detail.aeAway ?? null;
  const rows = obligations.map((o) => ({ o, c: countdown(o, now, away) }));
  const running = rows.some(({ o }) => o.metAt === null && o.cancelledAt === null && o.status !== 'cancelled');
  // The absence is told while it runs and when it is planned ahead of a running clock; past ones explain paused time.
  const awayLine = away !== null && running && (isAwayAt(away, now) || Date.parse(away.start) > now.getTime()) ? awayText(away, detail.ae.displayName, now, timeZone) : null;
  const announcement = [`Hand-off: ${stage}.`, ...rows.map(({ o, c }) => `${obligationLabels[o.kind]}: ${c.state}.`)].join(' ');

  return (
    <section className={styles.section} aria-labelledby={headingId}>
      <h3 id={headingId} className={styles.heading}>
        Hand-off status
      </h3>
      <div className={styles.line}>
        <Badge appearance="tint" shape="rounded" color={handoff.stage === 'closed' ? 'subtle' : 'brand'}>
          {stage}
        </Badge>
        <Text size={200} className={styles.muted}>
          {detail.sdr.displayName} → {detail.ae.displayName}
        </Text>
      </div>
      {meeting !== null && (
        <Text size={200}>
          Meeting: {formatSlot(meeting, timeZone)}
        </Text>
      )}
      {rows.length === 0 ? (
        <Text size={200} className={styles.muted}>
          {handoff.stage === 'closed'
            ? 'No SLA runs on a closed hand-off.'
            : 'The SLA clock starts when Baton sees the intro sent from your mailbox.'}
        </Text>
      ) : (
        <ul className={styles.list} aria-label="SLA">
          {rows.map(({ o, c }) => (
            <li key={o.id} className={styles.item}>
              <div className={styles.line}>
                <Text weight="semibold">{obligationLabels[o.kind]}</Text>
                <Badge appearance="tint" shape="rounded" size="small" color={toneColours[c.tone]}>
                  {c.text}
                </Badge>
              </div>
              <Text size={200} className={styles.muted}>
                {c.tone === 'paused'
                  ? away?.end == null
                    ? 'Due once the AE is back'
                    : `Due ${formatDateTime(o.dueAt, timeZone)}`
                  : o.metAt !== null
                    ? `Met ${formatDateTime(o.metAt, timeZone)}`
                    : `Due ${formatDateTime(o.dueAt, timeZone)}`}
                {(o.pausedMs ?? 0) > 0 ? ` (clock paused ${formatDuration(o.pausedMs ?? 0)} while the AE was away)` : ''}
              </Text>
            </li>
          ))}
        </ul>
      )}
      {awayLine !== null && <Text size={200}>{awayLine}</Text>}
      <div role="status" aria-live="polite" className={styles.visuallyHidden}>
        {announcement}
      </div>
    </section>
  );
}
