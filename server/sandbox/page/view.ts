// Reads the sandbox into the demo page's view model: users, one user's folders, a message, the next 14 days of
// their calendar (times in the user's zone, conflicts marked), faults, subscriptions and request counts. Reads
// only; never changes state. Imports: luxon, ../schedule, ../mail (htmlToText), ../odata types, ../sandbox types.
import { DateTime } from 'luxon';
import { htmlToText, type WellKnownFolderName } from '../mail';
import type { Json, JsonObject } from '../odata';
import { instantOf, resolveZone, utcZone } from '../schedule';
import type { Sandbox } from '../sandbox';
import type { SeedUser } from '../directory';
import type { FaultSettings, FaultStats } from '../faults';

export type FolderView = WellKnownFolderName;
export type ViewName = FolderView | 'calendar' | 'compose';
export const viewNames: readonly ViewName[] = ['inbox', 'sentitems', 'drafts', 'deleteditems', 'calendar', 'compose'];

/** Where the page is: the chosen user, the tab, and the open message or event. */
export interface Here {
  user: string | null;
  view: ViewName;
  message: string | null;
  event: string | null;
}

export interface Flash {
  kind: 'ok' | 'error';
  text: string;
}

export interface UserRow {
  id: string;
  name: string;
  upn: string;
  role: string;
  team: string | null;
  timeZone: string;
  autoReplies: boolean;
  unread: number;
}

/** The kind of an eventMessage, from `meetingMessageType` (null for plain mail). */
export type MeetingKind = 'request' | 'cancelled' | 'accepted' | 'tentative' | 'declined' | 'other';

export interface MessageRow {
  id: string;
  subject: string;
  from: string;
  to: string;
  at: string;
  isRead: boolean;
  handoff: string | null;
  meeting: MeetingKind | null;
}

export interface MessageDetail {
  id: string;
  folder: string;
  subject: string;
  from: string;
  to: string;
  cc: string;
  received: string;
  internetMessageId: string;
  /** `x-` headers and threading headers (In-Reply-To, References). */
  headers: Array<{ name: string; value: string }>;
  /** The body as plain text (HTML bodies are converted, never rendered). */
  text: string;
  /** The http(s) links of an HTML body, to follow from the page as a mail client would (e.g. one-click action links). */
  links: Array<{ label: string; href: string }>;
  meeting: { kind: MeetingKind; when: string | null; proposed: string | null; event: EventRow | null } | null;
}

export interface EventRow {
  id: string;
  subject: string;
  day: string;
  time: string;
  /** `yyyy-MM-ddTHH:mm` in the user's zone (for a proposed-time form's default). */
  startLocal: string;
  durationMinutes: number;
  organizer: string;
  isOrganizer: boolean;
  response: string;
  showAs: string;
  isCancelled: boolean;
  allowNewTimeProposals: boolean;
  location: string;
  joinUrl: string | null;
  attendees: Array<{ name: string; response: string; proposed: string | null }>;
  conflicts: string[];
}

export interface CalendarView {
  from: string;
  to: string;
  days: Array<{ label: string; events: EventRow[] }>;
  /** Next full hour in the user's zone, for the add-event form. */
  defaultStart: string;
}

export interface SelectedUser extends UserRow {
  iana: string;
  autoReplyMessage: string;
  counts: Record<FolderView, number>;
  messages: MessageRow[] | null;
  moreMessages: number;
  message: MessageDetail | null;
  messageMissing: boolean;
  calendar: CalendarView | null;
}

export interface SubscriptionRow {
  id: string;
  resource: string;
  changeType: string;
  expires: string;
  mailbox: string;
  notificationUrl: string;
}

export interface RequestCounts {
  total: number;
  byStatus: Array<[string, number]>;
  byEndpoint: Array<[string, number]>;
  byMailbox: Array<[string, number]>;
}

export interface PageModel {
  tenantName: string;
  here: Here;
  clock: { ms: number; iana: string; label: string; zoneLabel: string; ahead: string };
  flash: Flash | null;
  users: UserRow[];
  selected: SelectedUser | null;
  /** Set when the `user` asked for is not in the tenant. */
  unknownUser: string | null;
  faults: { settings: FaultSettings; stats: FaultStats };
  subscriptions: SubscriptionRow[];
  requests: RequestCounts;
}

export const roleLabels: Record<SeedUser['batonRole'], string> = { sdr: 'SDR', ae: 'Account executive', manager: 'Manager', admin: 'Admin' };
const listLimit = 50;
const calendarDays = 14;

// ---------------------------------------------------------------------------------------------------------------
// JSON helpers

const isObject = (v: Json | undefined): v is JsonObject => v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);
const str = (o: JsonObject | null | undefined, key: string): string => {
  const v = o?.[key];
  return typeof v === 'string' ? v : '';
};
const obj = (o: JsonObject | null | undefined, key: string): JsonObject | null => {
  const v = o?.[key];
  return isObject(v) ? v : null;
};
const list = (o: JsonObject | null | undefined, key: string): JsonObject[] => {
  const v = o?.[key];
  return Array.isArray(v) ? v.filter(isObject) : [];
};

function person(recipient: JsonObject | null): string {
  const e = obj(recipient, 'emailAddress');
  const name = str(e, 'name');
  const address = str(e, 'address');
  return name !== '' && name !== address ? `${name} <${address}>` : address;
}
const shortPerson = (recipient: JsonObject | null): string => {
  const e = obj(recipient, 'emailAddress');
  return str(e, 'name') || str(e, 'address');
};

/** Whether an automatic-replies setting is in force now (always, or scheduled around now). */
function autoRepliesOn(user: SeedUser, nowMs: number): boolean {
  const s = user.mailboxSettings.automaticRepliesSetting;
  if (!s || s.status === 'disabled') return false;
  if (s.status === 'alwaysEnabled') return true;
  try {
    const start = s.scheduledStartDateTime ? instantOf(s.scheduledStartDateTime) : -Infinity;
    const end = s.scheduledEndDateTime ? instantOf(s.scheduledEndDateTime) : Infinity;
    return nowMs >= start && nowMs < end;
  } catch {
    return false;
  }
}

export function zoneOf(user: SeedUser): string {
  return resolveZone(user.mailboxSettings.timeZone) ?? 'UTC';
}

const fmt = (ms: number, iana: string, pattern: string): string => DateTime.fromMillis(ms, { zone: iana }).toFormat(pattern);
const isoMs = (iso: string): number | null => {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
};
const dateTimeMs = (v: JsonObject | null): number | null => {
  if (!v) return null;
  try {
    return instantOf({ dateTime: str(v, 'dateTime'), timeZone: str(v, 'timeZone') || 'UTC' });
  } catch {
    return null;
  }
};

function span(startMs: number, endMs: number, iana: string, withDay: boolean): string {
  const sameDay = fmt(startMs, iana, 'yyyy-MM-dd') === fmt(endMs, iana, 'yyyy-MM-dd');
  const head = fmt(startMs, iana, withDay ? 'ccc d LLL, HH:mm' : 'HH:mm');
  return `${head}–${fmt(endMs, iana, sameDay ? 'HH:mm' : 'ccc d LLL, HH:mm')}`;
}

function slotText(slot: JsonObject | null, iana: string): string | null {
  const s = dateTimeMs(obj(slot, 'start'));
  const e = dateTimeMs(obj(slot, 'end'));
  return s === null || e === null ? null : span(s, e, iana, true);
}

// ---------------------------------------------------------------------------------------------------------------
// Users, mail

function userRow(sb: Sandbox, u: SeedUser, nowMs: number): UserRow {
  return {
    id: u.id,
    name: u.displayName,
    upn: u.userPrincipalName,
    role: roleLabels[u.batonRole],
    team: u.team,
    timeZone: u.mailboxSettings.timeZone,
    autoReplies: autoRepliesOn(u, nowMs),
    unread: sb.mail.list(u.id, 'inbox').filter((m) => m['isRead'] === false).length,
  };
}

const meetingKinds: Record<string, MeetingKind> = {
  meetingRequest: 'request',
  meetingCancelled: 'cancelled',
  meetingAccepted: 'accepted',
  meetingTenativelyAccepted: 'tentative',
  meetingDeclined: 'declined',
};
function meetingKind(m: JsonObject): MeetingKind | null {
  const type = str(m, '@odata.type');
  if (!/eventMessage/i.test(type)) return null;
  return meetingKinds[str(m, 'meetingMessageType')] ?? 'other';
}

function headerValue(m: JsonObject, name: string): string | null {
  const h = list(m, 'internetMessageHeaders').find((x) => str(x, 'name').toLowerCase() === name);
  return h ? str(h, 'value') : null;
}

function messageRow(m: JsonObject, iana: string): MessageRow {
  const at = isoMs(str(m, 'receivedDateTime'));
  return {
    id: str(m, 'id'),
    subject: str(m, 'subject'),
    from: shortPerson(obj(m, 'from')),
    to: list(m, 'toRecipients').map(shortPerson).join(', '),
    at: at === null ? '' : fmt(at, iana, 'ccc d LLL, HH:mm'),
    isRead: m['isRead'] !== false,
    handoff: headerValue(m, 'x-baton-handoff'),
    meeting: meetingKind(m),
  };
}

function messageDetail(sb: Sandbox, user: SeedUser, m: JsonObject, iana: string): MessageDetail {
  const body = obj(m, 'body');
  const content = str(body, 'content');
  const text = str(body, 'contentType') === 'html' ? htmlToText(content) : content;
  const kind = meetingKind(m);
  let meeting: MessageDetail['meeting'] = null;
  if (kind !== null) {
    const s = dateTimeMs(obj(m, 'startDateTime'));
    const e = dateTimeMs(obj(m, 'endDateTime'));
    let event: EventRow | null = null;
    const eventId = sb.calendar.eventIdForMessage(user.id, str(m, 'id'));
    if (eventId !== null) {
      try {
        event = eventRow(sb.calendar.getEvent(user.id, eventId, { zone: utcZone }), iana);
      } catch {
        event = null;
      }
    }
    meeting = { kind, when: s === null || e === null ? null : span(s, e, iana, true), proposed: slotText(obj(m, 'proposedNewTime'), iana), event };
  }
  const at = isoMs(str(m, 'receivedDateTime'));
  const folder = sb.mail.folderName(user.id, str(m, 'parentFolderId'));
  return {
    id: str(m, 'id'),
    folder: folder === null ? '' : { inbox: 'Inbox', sentitems: 'Sent Items', drafts: 'Drafts', deleteditems: 'Deleted Items' }[folder],
    subject: str(m, 'subject'),
    from: person(obj(m, 'from')),
    to: list(m, 'toRecipients').map(person).join(', '),
    cc: list(m, 'ccRecipients').map(person).join(', '),
    received: at === null ? '' : `${fmt(at, iana, 'cccc d LLLL yyyy, HH:mm')} (${iana})`,
    internetMessageId: str(m, 'internetMessageId'),
    headers: list(m, 'internetMessageHeaders')
      .map((h) => ({ name: str(h, 'name'), value: str(h, 'value') }))
      .filter((h) => /^x-/i.test(h.name) || /^(in-reply-to|references)$/i.test(h.name)),
    text,
    links: str(body, 'contentType') === 'html' ? linksOf(content) : [],
    meeting,
  };
}

/** The `<a href="http(s)://…">label</a>` of an HTML body, entity-decoded; anything else (mailto:, javascript:) left out. */
function linksOf(html: string): Array<{ label: string; href: string }> {
  const out: Array<{ label: string; href: string }> = [];
  for (const m of html.matchAll(/<a\b[^>]*\bhref="([^"]*)"[^>]*>([\s\S]*?)<\/a>/gi)) {
    const href = htmlToText(m[1] ?? '');
    if (!/^https?:\/\//i.test(href)) continue;
    out.push({ label: htmlToText(m[2] ?? '') || href, href });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Calendar

function eventRow(e: JsonObject, iana: string): EventRow {
  const startMs = dateTimeMs(obj(e, 'start')) ?? 0;
  const endMs = dateTimeMs(obj(e, 'end')) ?? startMs;
  const allDay = e['isAllDay'] === true;
  return {
    id: str(e, 'id'),
    subject: str(e, 'subject'),
    day: fmt(startMs, iana, 'cccc d LLLL'),
    time: allDay ? 'all day' : span(startMs, endMs, iana, false),
    startLocal: fmt(startMs, iana, "yyyy-MM-dd'T'HH:mm"),
    durationMinutes: Math.max(5, Math.round((endMs - startMs) / 60_000)),
    organizer: shortPerson(obj(e, 'organizer')),
    isOrganizer: e['isOrganizer'] === true,
    response: str(obj(e, 'responseStatus'), 'response') || 'none',
    showAs: str(e, 'showAs') || 'busy',
    isCancelled: e['isCancelled'] === true,
    allowNewTimeProposals: e['allowNewTimeProposals'] !== false,
    location: str(obj(e, 'location'), 'displayName'),
    joinUrl: str(obj(e, 'onlineMeeting'), 'joinUrl') || null,
    attendees: list(e, 'attendees').map((a) => ({
      name: shortPerson(a),
      response: str(obj(a, 'status'), 'response') || 'none',
      proposed: slotText(obj(a, 'proposedNewTime'), iana),
    })),
    conflicts: [],
  };
}

/** Whether an event takes time: not free, not cancelled, not declined (as free/busy counts it). */
const blocks = (e: JsonObject): boolean =>
  e['isCancelled'] !== true && str(obj(e, 'responseStatus'), 'response') !== 'declined' && !['free', 'unknown'].includes(str(e, 'showAs'));

function calendarView(sb: Sandbox, user: SeedUser, iana: string, nowMs: number): CalendarView {
  const today = DateTime.fromMillis(nowMs, { zone: iana }).startOf('day');
  const end = today.plus({ days: calendarDays });
  const events = sb.calendar.calendarView(user.id, today.toJSDate(), end.toJSDate(), { zone: utcZone });
  const spans = events.map((e) => ({ s: dateTimeMs(obj(e, 'start')) ?? 0, e: dateTimeMs(obj(e, 'end')) ?? 0, blocks: blocks(e), subject: str(e, 'subject') }));
  const days: CalendarView['days'] = [];
  events.forEach((e, i) => {
    const row = eventRow(e, iana);
    const me = spans[i];
    if (me?.blocks) {
      row.conflicts = spans.filter((o, j) => j !== i && o.blocks && o.s < me.e && me.s < o.e).map((o) => o.subject || '(no subject)');
    }
    const last = days[days.length - 1];
    if (last?.label === row.day) last.events.push(row);
    else days.push({ label: row.day, events: [row] });
  });
  const next = DateTime.fromMillis(nowMs, { zone: iana }).startOf('hour').plus({ hours: 1 });
  return {
    from: today.toFormat('ccc d LLL'),
    to: end.minus({ days: 1 }).toFormat('ccc d LLL'),
    days,
    defaultStart: next.toFormat("yyyy-MM-dd'T'HH:mm"),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The page

function selectedUser(sb: Sandbox, u: SeedUser, here: Here, nowMs: number): SelectedUser {
  const iana = zoneOf(u);
  const counts = { inbox: 0, sentitems: 0, drafts: 0, deleteditems: 0 } as Record<FolderView, number>;
  for (const f of Object.keys(counts) as FolderView[]) counts[f] = sb.mail.list(u.id, f).length;
  let messages: MessageRow[] | null = null;
  let more = 0;
  if (here.view !== 'calendar' && here.view !== 'compose') {
    const all = sb.mail.list(u.id, here.view);
    messages = all.slice(0, listLimit).map((m) => messageRow(m, iana));
    more = Math.max(0, all.length - listLimit);
  }
  let message: MessageDetail | null = null;
  let missing = false;
  if (here.message !== null) {
    try {
      message = messageDetail(sb, u, sb.mail.get(u.id, here.message), iana);
    } catch {
      missing = true;
    }
  }
  const setting = u.mailboxSettings.automaticRepliesSetting;
  return {
    ...userRow(sb, u, nowMs),
    iana,
    autoReplyMessage: setting ? htmlToText(setting.internalReplyMessage) : '',
    counts,
    messages,
    moreMessages: more,
    message,
    messageMissing: missing,
    calendar: here.view === 'calendar' ? calendarView(sb, u, iana, nowMs) : null,
  };
}

function requestCounts(sb: Sandbox): RequestCounts {
  const c = sb.requestLog.counts();
  const desc = (r: Record<string, number>) => Object.entries(r).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return {
    total: c.total,
    byStatus: Object.entries(c.byStatus).sort((a, b) => a[0].localeCompare(b[0])),
    byEndpoint: desc(c.byEndpoint).slice(0, 12),
    byMailbox: desc(c.byMailbox).map(([id, n]): [string, number] => [sb.directory.find(id)?.displayName ?? id, n]),
  };
}

export function buildPageModel(sb: Sandbox, here: Here, flash: Flash | null): PageModel {
  const now = sb.clock.now();
  const nowMs = now.getTime();
  const chosen = here.user === null ? undefined : sb.directory.find(here.user);
  const iana = chosen ? zoneOf(chosen) : 'UTC';
  const offset = sb.clock.offsetMs();
  const hours = offset / 3_600_000;
  const ahead = Math.abs(hours) < 0.01 ? 'real time' : `${hours >= 0 ? '+' : ''}${Number.isInteger(hours) ? hours : hours.toFixed(1)} h ${hours >= 0 ? 'ahead of' : 'behind'} real time`;
  return {
    tenantName: sb.tenant.displayName,
    here: chosen ? { ...here, user: chosen.id } : { ...here, user: null },
    clock: { ms: nowMs, iana, label: fmt(nowMs, iana, 'ccc d LLL yyyy, HH:mm:ss'), zoneLabel: chosen ? `${chosen.displayName}'s time (${iana})` : 'UTC', ahead },
    flash,
    users: sb.directory.users().map((u) => userRow(sb, u, nowMs)),
    selected: chosen ? selectedUser(sb, chosen, here, nowMs) : null,
    unknownUser: here.user !== null && !chosen ? here.user : null,
    faults: { settings: sb.faults.settings(), stats: sb.faults.stats() },
    subscriptions: sb.subscriptions.all().map((s) => ({
      id: s.id,
      resource: s.resource,
      changeType: s.changeType,
      expires: fmt(s.expirationDateTime.getTime(), 'UTC', 'd LLL HH:mm') + ' UTC',
      mailbox: sb.directory.find(s.target.userId)?.displayName ?? s.target.userId,
      notificationUrl: s.notificationUrl,
    })),
    requests: requestCounts(sb),
  };
}
