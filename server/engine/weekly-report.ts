// The weekly hand-off report per team: at the team's weekday and hour (in its time zone, from
// server/settings/report-schedule.json) the report of the 7 days before is rendered and put in the outbox for the
// distribution list and the team's managers, under the key `weekly-report:<team>:<local send date>`, so each
// team-week is sent once whatever the number of instances or runs (a send missed while Baton was down goes out when
// it is back). Managers may also send it now. Imports: luxon-free domain (report, settings), store, mail, pino.
import type { Logger } from 'pino';
import { dueWeeklyReport, reportOfAggregates, lastSevenDays, type Report, type ReportRange } from '../domain/report';
import { reportScheduleOf, type ReportSettings } from '../domain/report-settings';
import type { HandBackReason } from '../domain/lifecycle';
import type { Team, User } from '../domain/people';
import { renderWeeklyReport } from '../mail/report-mails';
import type { Db } from '../store/database';
import type { OutboxStore } from '../store/outbox-store';
import type { PeopleStore } from '../store/people-store';
import type { ReportStore } from '../store/report-store';
import type { RatingStore } from '../store/rating-store';
import { ratingReport } from '../domain/rating';
import type { MailPayload } from './outbox-sender';

export interface WeeklyReportDeps {
  db: Db;
  reports: ReportStore;
  /** The AEs' ratings of the leads: the email's ratings by SDR and by source list. */
  ratings: Pick<RatingStore, 'counts'>;
  people: Pick<PeopleStore, 'listTeams' | 'getTeam' | 'listUsers'>;
  outbox: OutboxStore;
  settings: ReportSettings;
  handBackReasons: readonly HandBackReason[];
  now: () => Date;
  logger: Logger;
  /** The dashboard's address, linked from the email when known. */
  dashboardUrl?: string | undefined;
}

export interface QueuedReport {
  key: string;
  /** False when a mail under this key was queued already. */
  queued: boolean;
  range: ReportRange;
  recipients: number;
}

export class WeeklyReportRefusal extends Error {
  constructor(
    readonly code: 'no_manager' | 'no_such_team',
    message: string,
  ) {
    super(message);
    this.name = 'WeeklyReportRefusal';
  }
}

export interface WeeklyReportJob {
  /** Queues every team's report that is due and not queued yet; returns how many were queued. */
  run(): Promise<number>;
  /** Queues the report of the 7 days before today for the team now (at most once a minute). */
  sendNow(teamId: string): Promise<QueuedReport>;
}

/** How often a team whose report is not due yet (or already queued) is looked at again. */
const recheckMs = 60_000;

export function createWeeklyReportJob(deps: WeeklyReportDeps): WeeklyReportJob {
  const reasonLabels = Object.fromEntries(deps.handBackReasons.map((r) => [r.code, r.label]));
  /** Per team: the send date known to be queued, and when the team was last looked at. */
  const seen = new Map<string, { sendDate: string; checkedAt: number }>();

  async function compose(team: Team, range: ReportRange): Promise<{ payload: MailPayload & { text: string }; sender: User; report: Report }> {
    const managers = (await deps.people.listUsers({ teamId: team.id, role: 'manager' })).filter((u) => u.active).sort((a, b) => a.displayName.localeCompare(b.displayName));
    const sender = managers[0];
    if (sender === undefined) throw new WeeklyReportRefusal('no_manager', `Team ${team.name} has no active manager to send its report from.`);
    const schedule = reportScheduleOf(deps.settings, team.id);
    const aggregates = await deps.reports.aggregates(range, [team.id], deps.settings.checkedFields);
    const report = reportOfAggregates(aggregates, range, { checkedFields: deps.settings.checkedFields });
    const ratings = ratingReport(await deps.ratings.counts(range, [team.id]), aggregates.people);
    const mail = await renderWeeklyReport({
      report,
      ratings,
      team: { name: team.name, timeZone: team.timeZone },
      names: Object.fromEntries(aggregates.people.map((p) => [p.id, p.displayName])),
      reasonLabels,
      dashboardLink: deps.dashboardUrl ?? null,
    });
    const to = new Map<string, { address: string; name: string }>();
    for (const m of managers) to.set(m.email.toLowerCase(), { address: m.email, name: m.displayName });
    for (const address of schedule.recipients) if (!to.has(address.toLowerCase())) to.set(address.toLowerCase(), { address, name: address });
    return { payload: { to: [...to.values()], subject: mail.subject, html: mail.html, text: mail.text }, sender, report };
  }

  async function queue(team: Team, range: ReportRange, key: string): Promise<QueuedReport> {
    const { payload, sender } = await compose(team, range);
    const added = await deps.outbox.add(deps.db, [{ idempotencyKey: key, handoffId: null, kind: 'mail', mailbox: sender.entraOid, payload }], deps.now());
    return { key, queued: added > 0, range, recipients: payload.to.length };
  }

  return {
    async run() {
      const now = deps.now();
      let queued = 0;
      for (const team of await deps.people.listTeams()) {
        const schedule = reportScheduleOf(deps.settings, team.id);
        if (!schedule.enabled) continue;
        const due = dueWeeklyReport(now, schedule, team.timeZone);
        const last = seen.get(team.id);
        if (last !== undefined && (last.sendDate === due.sendDate || now.getTime() - last.checkedAt < recheckMs)) continue;
        const key = `weekly-report:${team.id}:${due.sendDate}`;
        seen.set(team.id, { sendDate: '', checkedAt: now.getTime() });
        if ((await deps.reports.existingOutboxKeys([key])).has(key)) {
          seen.set(team.id, { sendDate: due.sendDate, checkedAt: now.getTime() });
          continue;
        }
        try {
          const result = await queue(team, due.range, key);
          seen.set(team.id, { sendDate: due.sendDate, checkedAt: now.getTime() });
          if (result.queued) {
            queued += 1;
            deps.logger.info({ team: team.id, sendDate: due.sendDate, recipients: result.recipients }, 'weekly report queued');
          }
        } catch (e) {
          if (!(e instanceof WeeklyReportRefusal)) throw e;
          deps.logger.warn({ team: team.id, code: e.code }, 'weekly report not sent');
        }
      }
      return queued;
    },

    async sendNow(teamId) {
      const team = await deps.people.getTeam(teamId);
      if (team === undefined) throw new WeeklyReportRefusal('no_such_team', `No team "${teamId}".`);
      const now = deps.now();
      const minute = now.toISOString().slice(0, 16);
      return queue(team, lastSevenDays(now, team.timeZone), `weekly-report:${team.id}:now:${minute}`);
    },
  };
}
