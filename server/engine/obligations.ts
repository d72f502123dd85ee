// The SLA obligations of a hand-off as rows with a durable timer: opened when the intro is seen sent (due in working
// hours of the AE's calendar, public holidays of the team's country skipped), met when the AE replies or accepts,
// cancelled when the hand-off closes or a new invite replaces the old one. The sweep claims due rows (SKIP LOCKED) and
// applies one step each (remind, breach, escalate), writing the mail to the outbox in the same transaction. While the
// AE is away (automatic replies) the clock stands still: deadlines are re-planned with the absences and nothing is due.
// The breach mail carries signed one-click links for the manager (reassign to the backup, more time, nudge), the
// reminder a hand back link for the AE; the links are recorded with the mail. The reminder also opens the AE's own
// copy of the intro (its webLink, found by internetMessageId while the mail is rendered).
// Imports: domain, store, ../mail, ./action-links (type).
import type { Logger } from 'pino';
import type { Kysely } from 'kysely';
import type { AwaySpan } from '../domain/away';
import type { MailboxGateway, MailboxSettings } from '../domain/mailbox';
import type { User } from '../domain/people';
import { mayTakeAction, type ActionClaims } from '../domain/action-link';
import {
  applyStep,
  meet as meetObligation,
  cancelObligation,
  extendObligation,
  nextStep,
  nextWakeAt,
  openObligation,
  type Obligation,
  type ObligationCancelReason,
  type ObligationKind,
} from '../domain/sla';
import { meetWithAway, planWithAway, type AwayPlan } from '../domain/sla-away';
import { policyOf, type TeamPolicies } from '../domain/team-policy';
import { workCalendarFor, type WorkCalendar } from '../domain/working-time';
import { renderAeReminder, renderBreachEmail } from '../mail/handoff-mails';
import type { AwayStore } from '../store/away-store';
import type { Database } from '../store/schema';
import type { NewOutboxItem, OutboxStore } from '../store/outbox-store';
import { createPeopleStore, type PeopleStore } from '../store/people-store';
import type { MailPayload } from './outbox-sender';
import type { ActionLinkRequest, ActionLinks } from './action-links';
import type { ActionTokenStore } from '../store/action-token-store';

type Executor = Kysely<Database>;

export interface ObligationService {
  /** Opens an obligation (a live one of the same kind is cancelled first: a new invite restarts acceptance). */
  open(executor: Executor, handoff: { id: string; aeId: string; teamId: string }, kind: ObligationKind, startedAt: Date): Promise<void>;
  cancel(executor: Executor, handoffId: string, kinds: readonly ObligationKind[] | 'all', at: Date, reason?: ObligationCancelReason): Promise<void>;
  /** Records the AE's answer; a met obligation keeps its time to respond. Does nothing when none is live. */
  meet(executor: Executor, handoffId: string, kind: ObligationKind, at: Date): Promise<boolean>;
  /**
   * The hand-off moved to `aeId`: its live obligations are cancelled (`handoff_reassigned`) and the same kinds, plus
   * those in `alsoKinds` (acceptance of the updated invite), open for the new AE from `at`, planned in the new AE's
   * working time. The old AE's deadlines would leave the new AE in breach at once. Returns the kinds opened.
   */
  reassign(executor: Executor, handoff: { id: string; teamId: string }, aeId: string, at: Date, alsoKinds?: readonly ObligationKind[]): Promise<ObligationKind[]>;
  /** More time: each live obligation is replaced by one due `hours` of the AE's working time after `at`. Returns the new deadlines. */
  extend(executor: Executor, handoffId: string, hours: number, at: Date): Promise<{ kind: ObligationKind; dueAt: Date }[]>;
  /** The AE's working calendar (mailbox settings read once an hour). Call before a transaction to keep I/O out of it. */
  calendarOf(ae: User): Promise<WorkCalendar>;
  /** Mailbox settings read elsewhere (the away check) refresh the calendar, so the clock costs no read of its own. */
  rememberSettings(ae: User, settings: MailboxSettings): void;
  /** The AE's mailbox settings when this service read them (or was given them) at most `maxAgeMs` ago, else null. */
  recentSettings(ae: User, maxAgeMs: number): MailboxSettings | null;
  /**
   * The AE's absences changed: re-plans every obligation of theirs an absence can move, in the caller's transaction.
   * Call `calendarOf` first (it may read the mailbox). Returns how many obligations were re-planned.
   */
  replanForAe(executor: Executor, ae: User, spans: readonly AwaySpan[], now: Date): Promise<number>;
  /** Applies the due steps of up to `limit` obligations no other instance holds; returns how many steps were taken. */
  sweep(limit?: number): Promise<{ steps: number; mails: number }>;
}

interface Row {
  id: string;
  handoff_id: string;
  kind: ObligationKind;
  status: string;
  started_at: Date;
  due_at: Date;
  remind_at: Date;
  second_level_at: Date;
  reminded_at: Date | null;
  breached_at: Date | null;
  escalated_at: Date | null;
  met_at: Date | null;
  time_to_respond_ms: string | null;
  met_within_sla: boolean | null;
  cancelled_at: Date | null;
  paused_ms: string;
}

// The columns hold a plan even when the policy has no reminder or second level: a far date stands for "never".
const never = new Date('9999-01-01T00:00:00Z');

/** How long a sweep holds the rows it claimed while it renders their mails; after a crash they come back this late. */
const claimLeaseMs = 60_000;

function obligationFromRow(r: Row): Obligation {
  return {
    kind: r.kind,
    state: r.status as Obligation['state'],
    startedAt: r.started_at,
    dueAt: r.due_at,
    remindAt: r.remind_at.getTime() >= never.getTime() ? null : r.remind_at,
    secondLevelAt: r.second_level_at.getTime() >= never.getTime() ? null : r.second_level_at,
    remindedAt: r.reminded_at,
    breachedAt: r.breached_at,
    escalatedAt: r.escalated_at,
    metAt: r.met_at,
    timeToRespondMs: r.time_to_respond_ms === null ? null : Number(r.time_to_respond_ms),
    metWithinSla: r.met_within_sla,
    cancelledAt: r.cancelled_at,
    cancelReason: null,
  };
}

/** What an absence did to the clock, saved beside the plan. */
interface PauseColumns {
  next_check_at?: Date | null;
  paused_ms?: number;
  remaining_ms?: number | null;
}

const pauseColumnsOf = (plan: AwayPlan): PauseColumns => ({ next_check_at: plan.wakeAt, paused_ms: plan.pausedMs, remaining_ms: plan.remainingMs });

function columnsOf(o: Obligation) {
  return {
    status: o.state,
    due_at: o.dueAt,
    remind_at: o.remindAt ?? never,
    second_level_at: o.secondLevelAt ?? never,
    reminded_at: o.remindedAt,
    breached_at: o.breachedAt,
    escalated_at: o.escalatedAt,
    met_at: o.metAt,
    time_to_respond_ms: o.timeToRespondMs,
    met_within_sla: o.metWithinSla,
    cancelled_at: o.cancelledAt,
    next_check_at: nextWakeAt(o),
  };
}

const rowColumns = [
  'id', 'handoff_id', 'kind', 'status', 'started_at', 'due_at', 'remind_at', 'second_level_at', 'reminded_at', 'breached_at',
  'escalated_at', 'met_at', 'time_to_respond_ms', 'met_within_sla', 'cancelled_at', 'paused_ms',
] as const;

export function createObligationService(options: {
  db: Executor;
  people: PeopleStore;
  /** `findMessage` finds the AE's own copy of the intro for the reminder's "Open the intro"; without it there is none. */
  gateway: Pick<MailboxGateway, 'mailboxSettings'> & Partial<Pick<MailboxGateway, 'findMessage'>>;
  outbox: OutboxStore;
  policies: TeamPolicies;
  now: () => Date;
  logger: Logger;
  /** Base URL of Baton's pages (links in the mails); optional. */
  publicUrl?: string | undefined;
  /** The AEs' absences (automatic replies); without it the clock never pauses. */
  away?: AwayStore | undefined;
  /** Signed one-click links in the breach and reminder mails; without them the mails carry none. */
  actionLinks?: { links: ActionLinks; tokens: ActionTokenStore } | undefined;
}): ObligationService {
  const { db, gateway, outbox, policies, logger } = options;
  const calendars = new Map<string, { at: number; cal: WorkCalendar; settings: MailboxSettings | null }>();

  async function calendarOf(ae: User): Promise<WorkCalendar> {
    const cached = calendars.get(ae.id);
    const nowMs = options.now().getTime();
    if (cached && nowMs - cached.at < 3600_000) return cached.cal;
    let settings: Awaited<ReturnType<typeof gateway.mailboxSettings>> | null = null;
    try {
      settings = await gateway.mailboxSettings(ae.entraOid);
    } catch (e) {
      logger.warn({ err: e, userId: ae.id }, 'mailbox settings unreadable; the SLA clock uses 09:00–17:00 Mon–Fri in the user’s zone');
    }
    return remember(ae, settings, nowMs);
  }

  function remember(ae: User, settings: MailboxSettings | null, nowMs: number): WorkCalendar {
    const team = policyOf(policies, ae.teamId);
    const year = new Date(nowMs).getUTCFullYear();
    const built = workCalendarFor({
      workingHours: settings?.workingHours ?? null,
      timeZone: settings?.timeZone ?? ae.timeZone,
      country: team.country,
      years: [year, year + 1],
    });
    const cal = built.ok ? built.value : (() => {
      logger.warn({ userId: ae.id, error: built.error }, 'working hours unusable; the SLA clock uses the defaults');
      const fallback = workCalendarFor({ workingHours: null, timeZone: ae.timeZone, country: null, years: [year, year + 1] });
      if (!fallback.ok) throw new Error(`no working calendar for user ${ae.id}: ${fallback.error.message}`);
      return fallback.value;
    })();
    calendars.set(ae.id, { at: nowMs, cal, settings });
    return cal;
  }

  async function live(executor: Executor, handoffId: string, kind: ObligationKind | null): Promise<Row[]> {
    let q = executor.selectFrom('obligations').select(rowColumns).where('handoff_id', '=', handoffId).where('status', 'not in', ['met', 'cancelled']);
    if (kind !== null) q = q.where('kind', '=', kind);
    return (await q.forUpdate().execute());
  }

  async function save(executor: Executor, id: string, o: Obligation, pause: PauseColumns = {}): Promise<void> {
    await executor
      .updateTable('obligations')
      .set((eb) => ({ ...columnsOf(o), ...pause, claimed_until: null, version: eb('version', '+', 1) }))
      .where('id', '=', id)
      .execute();
  }

  const spansOf = async (executor: Executor, aeId: string): Promise<AwaySpan[]> => (options.away === undefined ? [] : options.away.spansOf(executor, aeId));

  interface SweepContext {
    handoffs: Map<
      string,
      { sdr_id: string; ae_id: string; team_id: string; intro_sent_at: Date | null; intro_internet_message_id: string | null; contact_name: string; company_name: string }
    >;
    /** People read once each per sweep. */
    users: Map<string, Promise<User | undefined>>;
  }

  // MJML loads on its first render (about a second): done on the first idle sweep, so the first reminder or breach
  // does not wait for it.
  let warmed = false;
  function warmRenderer(): void {
    if (warmed) return;
    warmed = true;
    const nobody = { displayName: '', email: '' };
    renderAeReminder({ lead: { contactName: '', companyName: '' }, ae: nobody, sdr: nobody, missing: ['reply'], dueAt: options.now(), timeZone: 'UTC' }).catch((e: unknown) => {
      logger.warn({ err: e }, 'mail renderer not warmed');
    });
  }

  /** The hand-offs (with their lead's name) of one sweep, in one query. */
  async function loadContexts(handoffIds: readonly string[]): Promise<SweepContext> {
    const rows = await db
      .selectFrom('handoffs')
      .innerJoin('leads', 'leads.id', 'handoffs.lead_id')
      .select(['handoffs.id', 'handoffs.sdr_id', 'handoffs.ae_id', 'handoffs.team_id', 'handoffs.intro_sent_at', 'handoffs.intro_internet_message_id', 'leads.contact_name', 'leads.company_name'])
      .where('handoffs.id', 'in', [...new Set(handoffIds)])
      .execute();
    return { handoffs: new Map(rows.map((r) => [r.id, r])), users: new Map() };
  }

  /**
   * The `webLink` of the AE's own copy of the intro (the SDR's sent copy opens for the SDR alone): one Graph request,
   * made while the sweep renders its mails, outside any transaction. null when the copy is not found or not https.
   */
  async function aeCopyLink(ae: User, internetMessageId: string | null): Promise<string | null> {
    if (internetMessageId === null || gateway.findMessage === undefined) return null;
    try {
      const copy = await gateway.findMessage(ae.entraOid, internetMessageId);
      const href = copy?.webLink ?? null;
      return href !== null && href.startsWith('https://') ? href : null;
    } catch (e) {
      logger.warn({ err: e, userId: ae.id }, 'the AE’s copy of the intro is unreadable; the reminder goes without its link');
      return null;
    }
  }

  /** The mail a step sends, rendered from the hand-off as it is now; null when there is no one to send it to. */
  async function mailFor(
    contexts: SweepContext,
    row: Row,
    o: Obligation,
    step: 'remind' | 'breach' | 'escalate',
    pausedMs: number,
  ): Promise<{ mailbox: string; payload: MailPayload; tokens: ActionClaims[] } | null> {
    const h = contexts.handoffs.get(row.handoff_id);
    if (h === undefined) return null;
    const getUser = (id: string): Promise<User | undefined> => {
      let u = contexts.users.get(id);
      if (u === undefined) {
        u = options.people.getUser(id);
        contexts.users.set(id, u);
      }
      return u;
    };
    const sdr = await getUser(h.sdr_id);
    const ae = await getUser(h.ae_id);
    if (sdr === undefined || ae === undefined) return null;
    const person = (u: User) => ({ displayName: u.displayName, email: u.email });
    const lead = { contactName: h.contact_name, companyName: h.company_name };
    const missing = [row.kind === 'ae_reply' ? ('reply' as const) : ('accept' as const)];
    const context = { teamId: h.team_id, ...(pausedMs > 0 ? { paused: { workingMs: pausedMs, reason: 'automatic_replies' as const } } : {}) };
    const tokens: ActionClaims[] = [];
    const now = options.now();
    const link = (label: string, request: ActionLinkRequest): { label: string; href: string }[] => {
      if (options.actionLinks === undefined) return [];
      const issued = options.actionLinks.links.issue(request, now);
      tokens.push(issued.claims);
      return [{ label, href: issued.url }];
    };
    if (step === 'remind') {
      const handBack = link('Hand the lead back', { handoffId: row.handoff_id, action: 'hand_back', recipientId: ae.id });
      const introLink = await aeCopyLink(ae, h.intro_internet_message_id);
      const mail = await renderAeReminder({ lead, ae: person(ae), sdr: person(sdr), missing, dueAt: o.dueAt, timeZone: ae.timeZone, actions: handBack, introLink, ...context });
      return { mailbox: sdr.entraOid, payload: { to: [{ address: ae.email, name: ae.displayName }], subject: mail.subject, html: mail.html }, tokens };
    }
    const firstManager = ae.managerId === null ? undefined : await getUser(ae.managerId);
    const manager = step === 'breach' ? firstManager : firstManager?.managerId ? await getUser(firstManager.managerId) : undefined;
    if (manager === undefined) return null;
    const actions: { label: string; href: string }[] = [];
    // Links only for a recipient who may take the action (a next manager of another team gets the facts alone).
    if (mayTakeAction({ userId: manager.id, role: manager.role, teamId: manager.teamId }, 'reassign', { teamId: h.team_id, aeId: ae.id }).ok) {
      const backup = ae.backupId === null ? undefined : await getUser(ae.backupId);
      if (backup !== undefined && backup.active && backup.role === 'ae' && backup.teamId === h.team_id && backup.id !== ae.id) {
        actions.push(...link(`Reassign to ${backup.displayName}`, { handoffId: row.handoff_id, action: 'reassign', recipientId: manager.id, aeId: backup.id }));
      }
      const hours = policyOf(policies, h.team_id).moreTimeWorkingHours;
      actions.push(...link(`Give ${String(hours)} more working ${hours === 1 ? 'hour' : 'hours'}`, { handoffId: row.handoff_id, action: 'more_time', recipientId: manager.id, hours }));
      actions.push(...link(`Nudge ${ae.displayName}`, { handoffId: row.handoff_id, action: 'nudge', recipientId: manager.id }));
    }
    const mail = await renderBreachEmail({
      lead,
      ae: person(ae),
      sdr: person(sdr),
      manager: person(manager),
      level: step === 'breach' ? 1 : 2,
      previousManager: step === 'escalate' && firstManager ? person(firstManager) : null,
      missed: missing,
      dueAt: o.dueAt,
      introSentAt: h.intro_sent_at,
      timeZone: manager.timeZone,
      actions,
      ...context,
    });
    return {
      mailbox: sdr.entraOid,
      payload: { to: [{ address: manager.email, name: manager.displayName }], cc: [{ address: sdr.email, name: sdr.displayName }], subject: mail.subject, html: mail.html },
      tokens,
    };
  }

  return {
    calendarOf,

    rememberSettings(ae, settings) {
      remember(ae, settings, options.now().getTime());
    },

    recentSettings(ae, maxAgeMs) {
      const cached = calendars.get(ae.id);
      return cached !== undefined && cached.settings !== null && options.now().getTime() - cached.at <= maxAgeMs ? cached.settings : null;
    },

    async replanForAe(executor, ae, spans, now) {
      const rows = (await executor
        .selectFrom('obligations')
        .innerJoin('handoffs', 'handoffs.id', 'obligations.handoff_id')
        .select([...rowColumns.map((c) => `obligations.${c}` as const), 'handoffs.team_id'])
        .where('handoffs.ae_id', '=', ae.id)
        .where('obligations.status', 'in', ['open', 'reminded', 'breached'])
        // Only the obligations are locked: the engine locks a hand-off before its obligations.
        .forUpdate('obligations')
        .execute()) as (Row & { team_id: string })[];
      if (rows.length === 0) return 0;
      const cal = await calendarOf(ae);
      for (const row of rows) {
        const plan = planWithAway(obligationFromRow(row), policyOf(policies, row.team_id).sla, cal, spans, now);
        await save(executor, row.id, plan.obligation, pauseColumnsOf(plan));
      }
      return rows.length;
    },

    async open(executor, handoff, kind, startedAt) {
      const ae = await createPeopleStore(executor).getUser(handoff.aeId);
      if (ae === undefined) throw new Error(`unknown AE ${handoff.aeId}`);
      const cal = await calendarOf(ae);
      for (const row of await live(executor, handoff.id, kind)) {
        const cancelled = cancelObligation(obligationFromRow(row), startedAt, 'invite_replaced');
        if (cancelled.ok) await save(executor, row.id, cancelled.value);
      }
      const sla = policyOf(policies, handoff.teamId).sla;
      const opened = openObligation(kind, startedAt, sla, cal);
      const spans = await spansOf(executor, ae.id);
      const nowMs = Math.max(options.now().getTime(), startedAt.getTime());
      const plan = spans.length === 0 ? null : planWithAway(opened, sla, cal, spans, new Date(nowMs));
      const o = plan?.obligation ?? opened;
      await executor
        .insertInto('obligations')
        .values({ handoff_id: handoff.id, kind, started_at: o.startedAt, ...columnsOf(o), ...(plan === null ? {} : pauseColumnsOf(plan)) })
        .execute();
    },

    async cancel(executor, handoffId, kinds, at, reason = 'handoff_closed') {
      for (const row of await live(executor, handoffId, null)) {
        if (kinds !== 'all' && !kinds.includes(row.kind)) continue;
        const cancelled = cancelObligation(obligationFromRow(row), at, reason);
        if (cancelled.ok) await save(executor, row.id, cancelled.value);
      }
    },

    async meet(executor, handoffId, kind, at) {
      const rows = await live(executor, handoffId, kind);
      const row = rows[0];
      if (row === undefined) return false;
      const h = await executor.selectFrom('handoffs').select(['ae_id', 'team_id']).where('id', '=', handoffId).executeTakeFirstOrThrow();
      const ae = await createPeopleStore(executor).getUser(h.ae_id);
      if (ae === undefined) return false;
      const cal = await calendarOf(ae);
      const spans = await spansOf(executor, ae.id);
      if (spans.length > 0) {
        // The time to respond leaves out the absences, and the deadline it is held to moved with them.
        const met = meetWithAway(obligationFromRow(row), at, policyOf(policies, h.team_id).sla, cal, spans);
        if (!met.ok) {
          logger.warn({ handoffId, kind, error: met.error }, 'obligation not met');
          return false;
        }
        await save(executor, row.id, met.value.obligation, { paused_ms: met.value.pausedMs, remaining_ms: null });
        return true;
      }
      const met = meetObligation(obligationFromRow(row), at, cal);
      if (!met.ok) {
        logger.warn({ handoffId, kind, error: met.error }, 'obligation not met');
        return false;
      }
      await save(executor, row.id, met.value);
      return true;
    },

    async reassign(executor, handoff, aeId, at, alsoKinds = []) {
      const ae = await createPeopleStore(executor).getUser(aeId);
      if (ae === undefined) throw new Error(`unknown AE ${aeId}`);
      const cal = await calendarOf(ae);
      const kinds = new Set<ObligationKind>(alsoKinds);
      for (const row of await live(executor, handoff.id, null)) {
        const cancelled = cancelObligation(obligationFromRow(row), at, 'handoff_reassigned');
        if (!cancelled.ok) continue;
        await save(executor, row.id, cancelled.value);
        kinds.add(row.kind);
      }
      const sla = policyOf(policies, handoff.teamId).sla;
      const opened = [...kinds].sort();
      for (const kind of opened) {
        const o = openObligation(kind, at, sla, cal);
        await executor.insertInto('obligations').values({ handoff_id: handoff.id, kind, started_at: o.startedAt, ...columnsOf(o) }).execute();
      }
      return opened;
    },

    async extend(executor, handoffId, hours, at) {
      const rows = await live(executor, handoffId, null);
      if (rows.length === 0) return [];
      const h = await executor.selectFrom('handoffs').select(['ae_id', 'team_id']).where('id', '=', handoffId).executeTakeFirstOrThrow();
      const ae = await createPeopleStore(executor).getUser(h.ae_id);
      if (ae === undefined) throw new Error(`unknown AE ${h.ae_id}`);
      const cal = await calendarOf(ae);
      const sla = policyOf(policies, h.team_id).sla;
      const out: { kind: ObligationKind; dueAt: Date }[] = [];
      for (const row of rows) {
        const extended = extendObligation(obligationFromRow(row), at, hours, sla, cal);
        if (!extended.ok) {
          logger.warn({ handoffId, kind: row.kind, error: extended.error }, 'obligation not extended');
          continue;
        }
        await save(executor, row.id, extended.value.cancelled);
        const o = extended.value.opened;
        await executor.insertInto('obligations').values({ handoff_id: handoffId, kind: row.kind, started_at: o.startedAt, ...columnsOf(o) }).execute();
        out.push({ kind: row.kind, dueAt: o.dueAt });
      }
      return out;
    },

    async sweep(limit = 500) {
      const now = options.now();
      // 1. Claim the due rows in a short transaction: a lease (claimed_until) keeps other sweeps off them while the
      //    mails are rendered outside any transaction (MJML costs milliseconds a mail, and the embedded database is
      //    one connection: a long transaction would hold up every other query). A crash leaves the lease to expire.
      const claimed = await db.transaction().execute(async (trx) => {
        const due = (await trx
          .selectFrom('obligations')
          .select([...rowColumns, 'version'])
          .where('next_check_at', '<=', now)
          .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
          .orderBy('next_check_at')
          .limit(limit)
          .forUpdate()
          .skipLocked()
          .execute()) as (Row & { version: number })[];
        if (due.length > 0) {
          await trx
            .updateTable('obligations')
            .set({ claimed_until: new Date(now.getTime() + claimLeaseMs) })
            .where('id', 'in', due.map((r) => r.id))
            .execute();
        }
        return due;
      });
      if (claimed.length === 0) {
        warmRenderer();
        return { steps: 0, mails: 0 };
      }

      // 2. The steps (pure) and their mails, rendered from the hand-offs as they are now, read in one query.
      const contexts = await loadContexts(claimed.map((r) => r.handoff_id));
      const aeIds = [...new Set([...contexts.handoffs.values()].map((h) => h.ae_id))];
      const absences = options.away === undefined ? new Map<string, AwaySpan[]>() : await options.away.spansOfMany(db, aeIds);
      const plans: { row: Row & { version: number }; o: Obligation; steps: number; mails: NewOutboxItem[]; pause: PauseColumns; tokens: ActionClaims[] }[] = [];
      for (const row of claimed) {
        let o = obligationFromRow(row);
        let steps = 0;
        const mails: NewOutboxItem[] = [];
        const h = contexts.handoffs.get(row.handoff_id);
        const spans = h === undefined ? undefined : absences.get(h.ae_id);
        // An AE with absences: the plan as they are known now; while away nothing is due.
        let away: { plan: AwayPlan; replan: (x: Obligation) => AwayPlan } | null = null;
        if (h !== undefined && spans !== undefined && spans.length > 0) {
          const ae = await options.people.getUser(h.ae_id);
          if (ae !== undefined) {
            const cal = await calendarOf(ae);
            const sla = policyOf(policies, h.team_id).sla;
            const replan = (x: Obligation): AwayPlan => planWithAway(x, sla, cal, spans, now);
            away = { plan: replan(o), replan };
            o = away.plan.obligation;
          }
        }
        const tokens: ActionClaims[] = [];
        // Catch up on every step that came due: past the deadline an open obligation goes straight to breach.
        for (let step = away?.plan.pausedBy ? null : nextStep(o, now); step !== null; step = nextStep(o, now)) {
          const applied = applyStep(o, step, now);
          if (!applied.ok) {
            logger.error({ obligationId: row.id, step, error: applied.error }, 'SLA step refused');
            break;
          }
          o = applied.value;
          steps++;
          const mail = await mailFor(contexts, row, o, step, away?.plan.pausedMs ?? 0);
          if (mail !== null) {
            mails.push({ idempotencyKey: `sla:${row.id}:${step}`, handoffId: row.handoff_id, kind: 'mail', mailbox: mail.mailbox, payload: mail.payload });
            tokens.push(...mail.tokens);
          }
        }
        const pause = away === null ? {} : pauseColumnsOf(steps === 0 ? away.plan : away.replan(o));
        plans.push({ row, o, steps, mails, pause, tokens });
      }

      // 3. The state changes and their outbox rows in one transaction, for the rows nobody changed meanwhile (an
      //    answer or a cancel between 1 and 3 bumps the version and clears the claim: the row is looked at afresh).
      let steps = 0;
      let mails = 0;
      await db.transaction().execute(async (trx) => {
        const unchanged = await trx
          .selectFrom('obligations')
          .select(['id', 'version'])
          .where('id', 'in', plans.map((p) => p.row.id))
          .forUpdate()
          .execute();
        const versionOf = new Map(unchanged.map((r) => [r.id, r.version]));
        const kept = plans.filter((p) => versionOf.get(p.row.id) === p.row.version);
        mails = await outbox.add(trx, kept.flatMap((p) => p.mails), now);
        if (options.actionLinks !== undefined) await options.actionLinks.tokens.record(trx, kept.flatMap((p) => p.tokens), now);
        for (const p of kept) {
          await save(trx, p.row.id, p.o, p.pause);
          steps += p.steps;
        }
      });
      return { steps, mails };
    },
  };
}
