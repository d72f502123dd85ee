// The sandbox's demo page at GET /sandbox/ (loopback callers only): the tenant's users, a user's mail and calendar,
// the clock, faults and request counts; and the POST forms under /sandbox/actions/* that act as a user (reply,
// respond to a meeting, add or delete an event, automatic replies) or on the sandbox (clock, faults). Every POST
// carries a token bound to a SameSite=Strict session cookie; the page is sent with a strict nonce-based CSP.
// Imports: node:crypto, fastify types, luxon, zod, ../page/*, ../faults, ../graph-error, ../odata, ../sandbox types.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { SeedUser } from '../directory';
import { faultActionSchema } from '../faults';
import { GraphError } from '../graph-error';
import type { JsonObject } from '../odata';
import { escapeHtml, hrefOf, renderErrorPage, renderPage } from '../page/render';
import { buildPageModel, viewNames, zoneOf, type Flash, type Here, type ViewName } from '../page/view';
import type { Sandbox } from '../sandbox';

const loopbackAddresses = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
/** Host names the page answers to: a DNS-rebound name pointing at 127.0.0.1 is not one of them. */
const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);
const cookieName = 'sandbox_page';
const sessionPattern = /^[A-Za-z0-9_-]{43}$/;
const maxFlashes = 500;

type Form = Record<string, string>;

/** A refusal shown as an HTML page with its status (403 for a missing CSRF token or a remote caller). */
class PageError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
  ) {
    super(message);
  }
}

/** A form the user can fix: shown as an error notice on the page they came from. */
class ActionError extends Error {}

interface ActionContext {
  sb: Sandbox;
  form: Form;
  here: Here;
  user: SeedUser | null;
}
interface ActionResult {
  flash: string;
  /** Where to go next, over the place the form came from. */
  here?: Partial<Here>;
}
type Action = (ctx: ActionContext) => ActionResult | Promise<ActionResult>;

// ---------------------------------------------------------------------------------------------------------------
// Form fields

const text = (form: Form, name: string): string => (form[name] ?? '').trim();

function required(form: Form, name: string, label: string): string {
  const v = text(form, name);
  if (v === '') throw new ActionError(`${label} is required.`);
  return v;
}

function integer(form: Form, name: string, label: string, min: number, max: number, fallback?: number): number {
  const raw = text(form, name);
  if (raw === '' && fallback !== undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ActionError(`${label} must be a whole number from ${min} to ${max}.`);
  return n;
}

function actor(ctx: ActionContext): SeedUser {
  if (!ctx.user) throw new ActionError('Pick a user first.');
  return ctx.user;
}

function addresses(raw: string, label: string): JsonObject[] {
  const list = raw.split(/[,;\s]+/).filter((a) => a !== '');
  const bad = list.find((a) => !/^[^@\s<>"]+@[^@\s<>"]+$/.test(a));
  if (bad !== undefined) throw new ActionError(`${label}: “${bad}” is not an email address.`);
  return list.map((address) => ({ emailAddress: { address } }));
}

/** A `datetime-local` value read in the user's zone, as Graph's dateTimeTimeZone plus the instant. */
function localTime(raw: string, user: SeedUser, label: string): DateTime {
  const dt = DateTime.fromISO(raw, { zone: zoneOf(user) });
  if (!dt.isValid || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(raw)) throw new ActionError(`${label} is not a date and time.`);
  return dt;
}
const dateTimeTimeZone = (dt: DateTime, user: SeedUser): JsonObject => ({ dateTime: dt.toFormat("yyyy-MM-dd'T'HH:mm:ss"), timeZone: user.mailboxSettings.timeZone });

const idOf = (o: JsonObject | null): string | null => (o !== null && typeof o['id'] === 'string' ? o['id'] : null);
const quoted = (s: string): string => `“${s === '' ? '(no subject)' : s}”`;

function subjectOf(sb: Sandbox, user: SeedUser, eventId: string): string {
  const e = sb.calendar.getEvent(user.id, eventId);
  return typeof e['subject'] === 'string' ? e['subject'] : '';
}

// ---------------------------------------------------------------------------------------------------------------
// Actions

const responseActions = { accept: 'Accepted', tentativelyAccept: 'Tentatively accepted', decline: 'Declined' } as const;
const showAsValues = ['busy', 'tentative', 'oof', 'workingElsewhere', 'free'] as const;

const actions: Record<string, Action> = {
  clock({ sb, form, user }) {
    const minutes = integer(form, 'minutes', 'Minutes', 1, 60 * 24 * 31);
    const now = sb.clock.advance(minutes * 60_000);
    const zone = user ? zoneOf(user) : 'UTC';
    const by = minutes % 1440 === 0 ? `${minutes / 1440} day${minutes === 1440 ? '' : 's'}` : minutes % 60 === 0 ? `${minutes / 60} h` : `${minutes} min`;
    return { flash: `Clock moved forward ${by}: it is now ${DateTime.fromJSDate(now, { zone }).toFormat('ccc d LLL yyyy, HH:mm')} (${zone}).` };
  },

  faults({ sb, form, user }) {
    const op = text(form, 'op');
    const only = form['onlySelected'] === 'on' && user ? user.id : null;
    const share = () => integer(form, 'share', 'Share', 1, 100) / 100;
    switch (text(form, 'switch')) {
      case 'throttle':
        if (op === 'stop') {
          sb.faults.configure({ throttle: null });
          return { flash: '429 storm stopped.' };
        }
        sb.faults.configure({ throttle: { share: share(), retryAfterSeconds: integer(form, 'retryAfter', 'Retry-After', 1, 3600, 2), count: null, mailbox: only } });
        return { flash: `429 storm started: ${Math.round((sb.faults.settings().throttle?.share ?? 0) * 100)}% of Graph requests${only ? ` to ${user?.displayName ?? ''}'s mailbox` : ''} answer 429 TooManyRequests.` };
      case 'serverErrors': {
        if (op === 'stop') {
          sb.faults.configure({ serverErrors: null });
          return { flash: 'Server errors stopped.' };
        }
        const status = text(form, 'status') === '504' ? 504 : 503;
        sb.faults.configure({ serverErrors: { share: share(), status, count: null, mailbox: only, retryAfterSeconds: null } });
        return { flash: `Server errors started: ${Math.round((sb.faults.settings().serverErrors?.share ?? 0) * 100)}% of Graph requests${only ? ` to ${user?.displayName ?? ''}'s mailbox` : ''} answer ${status}.` };
      }
      case 'latency': {
        const ms = integer(form, 'latencyMs', 'Latency', 0, 60_000);
        sb.faults.configure({ latencyMs: ms });
        return { flash: ms === 0 ? 'No added latency.' : `Every Graph request now waits ${ms} ms.` };
      }
      case 'notifications': {
        const drop = integer(form, 'drop', 'Drop %', 0, 100, 0);
        const duplicate = integer(form, 'duplicate', 'Duplicate %', 0, 100, 0);
        const delayMs = integer(form, 'delayMs', 'Delay', 0, 60_000, 0);
        sb.faults.configure({ notifications: { dropShare: drop / 100, duplicateShare: duplicate / 100, delayMs } });
        return { flash: `Change notifications: ${drop}% dropped, ${duplicate}% duplicated, ${delayMs} ms delay.` };
      }
      case 'reset':
        sb.faults.reset();
        return { flash: 'All faults off; limits and counters back to Graph defaults.' };
      default:
        throw new ActionError('Unknown fault switch.');
    }
  },

  async 'fault-action'({ sb, form }) {
    const kind = text(form, 'kind');
    const subscriptionId = text(form, 'subscriptionId');
    const parsed = faultActionSchema.safeParse(subscriptionId === '' ? { kind } : { kind, subscriptionId });
    if (!parsed.success) throw new ActionError('Unknown fault action.');
    await sb.faults.trigger(parsed.data);
    const done: Record<typeof parsed.data.kind, string> = {
      expireDeltaTokens: 'Every delta token issued so far now answers 410 SyncStateNotFound.',
      expireTokens: 'Every access token issued so far is now refused as expired (401).',
      missed: 'Lifecycle notification “missed” sent.',
      reauthorizationRequired: 'Lifecycle notification “reauthorizationRequired” sent.',
      removeSubscription: 'Subscription removed (“subscriptionRemoved” sent).',
    };
    return { flash: done[parsed.data.kind] };
  },

  'requests-clear'({ sb }) {
    sb.requestLog.clear();
    return { flash: 'Request log cleared.' };
  },

  reply(ctx) {
    const user = actor(ctx);
    const item = required(ctx.form, 'item', 'The message');
    const comment = required(ctx.form, 'comment', 'The reply text');
    const all = ctx.form['all'] === '1';
    const sent = ctx.sb.mail.reply(user.id, item, { comment }, all);
    const to = sent.delivered.map((d) => ctx.sb.directory.find(d.userId)?.displayName ?? d.userId);
    return { flash: `${all ? 'Reply all' : 'Reply'} sent as ${user.displayName}${to.length > 0 ? `, delivered to ${to.join(', ')}` : ' (no recipient in the tenant: it is only in Sent Items)'}.` };
  },

  send(ctx) {
    const user = actor(ctx);
    const to = addresses(required(ctx.form, 'to', 'To'), 'To');
    const cc = addresses(text(ctx.form, 'cc'), 'Cc');
    const subject = text(ctx.form, 'subject');
    const sent = ctx.sb.mail.send(user.id, { subject, body: { contentType: 'text', content: ctx.form['body'] ?? '' }, toRecipients: to, ccRecipients: cc });
    return { flash: `Sent ${quoted(subject)} as ${user.displayName}${sent.delivered.length > 0 ? ` to ${sent.delivered.length} tenant mailbox${sent.delivered.length === 1 ? '' : 'es'}` : ''}.`, here: { view: 'sentitems', message: idOf(sent.sentItem) } };
  },

  respond(ctx) {
    const user = actor(ctx);
    const item = required(ctx.form, 'item', 'The event');
    const response = text(ctx.form, 'response');
    if (response !== 'accept' && response !== 'tentativelyAccept' && response !== 'decline') throw new ActionError('Pick Accept, Tentative or Decline.');
    const sendResponse = ctx.form['notify'] === 'on';
    const comment = text(ctx.form, 'comment');
    let proposedNewTime: JsonObject | null = null;
    const proposeStart = text(ctx.form, 'proposeStart');
    if (proposeStart !== '') {
      if (response === 'accept') throw new ActionError('A new time can be proposed with Tentative or Decline, not with Accept.');
      if (!sendResponse) throw new ActionError('A new time is proposed to the organizer: keep “Send the response to the organizer” on.');
      const start = localTime(proposeStart, user, 'The proposed time');
      const minutes = integer(ctx.form, 'proposeMinutes', 'Minutes', 5, 1440, 30);
      proposedNewTime = { start: dateTimeTimeZone(start, user), end: dateTimeTimeZone(start.plus({ minutes }), user) };
    }
    const subject = subjectOf(ctx.sb, user, item);
    ctx.sb.calendar.respond(user.id, item, response, { comment: comment === '' ? null : comment, sendResponse, proposedNewTime });
    const told = sendResponse ? ' (the organizer is told)' : ' (the organizer is not told)';
    return { flash: `${responseActions[response]} ${quoted(subject)} as ${user.displayName}${proposedNewTime ? ', proposing a new time' : ''}${told}.` };
  },

  'add-event'(ctx) {
    const user = actor(ctx);
    const subject = required(ctx.form, 'subject', 'The subject');
    const start = localTime(required(ctx.form, 'start', 'The start'), user, 'The start');
    const minutes = integer(ctx.form, 'minutes', 'Minutes', 5, 1440);
    const showAs = text(ctx.form, 'showAs') || 'busy';
    if (!(showAsValues as readonly string[]).includes(showAs)) throw new ActionError('Unknown “show as” value.');
    const attendees = addresses(text(ctx.form, 'attendees'), 'Attendees').map((a) => ({ ...a, type: 'required' }));
    const event: JsonObject = { subject, start: dateTimeTimeZone(start, user), end: dateTimeTimeZone(start.plus({ minutes }), user), showAs };
    if (attendees.length > 0) event['attendees'] = attendees;
    const created = ctx.sb.calendar.createEvent(user.id, event);
    const when = `${start.toFormat('ccc d LLL, HH:mm')}–${start.plus({ minutes }).toFormat('HH:mm')}`;
    return { flash: `Added ${quoted(subject)} to ${user.displayName}'s calendar, ${when}, ${showAs}${attendees.length > 0 ? `, invitations sent to ${attendees.length}` : ''}.`, here: { view: 'calendar', message: null, event: idOf(created) } };
  },

  'delete-event'(ctx) {
    const user = actor(ctx);
    const item = required(ctx.form, 'item', 'The event');
    const event = ctx.sb.calendar.getEvent(user.id, item);
    const subject = typeof event['subject'] === 'string' ? event['subject'] : '';
    const organizer = event['isOrganizer'] === true;
    const meeting = Array.isArray(event['attendees']) && event['attendees'].length > 0;
    const comment = text(ctx.form, 'comment');
    ctx.sb.calendar.deleteEvent(user.id, item, { sendResponse: !organizer && ctx.form['notify'] === 'on', ...(comment === '' ? {} : { comment }) });
    const what = organizer && meeting ? `Cancelled the meeting ${quoted(subject)}; attendees are told` : `Deleted ${quoted(subject)} from ${user.displayName}'s calendar`;
    return { flash: `${what}.`, here: { view: 'calendar', event: null, message: null } };
  },

  'auto-replies'(ctx) {
    const user = actor(ctx);
    const on = text(ctx.form, 'state') === 'on';
    const message = text(ctx.form, 'message');
    const setting: JsonObject = { status: on ? 'alwaysEnabled' : 'disabled' };
    if (on && message !== '') {
      setting['internalReplyMessage'] = `<p>${escapeHtml(message)}</p>`;
      setting['externalReplyMessage'] = `<p>${escapeHtml(message)}</p>`;
    }
    ctx.sb.directory.updateMailboxSettings(user.id, { automaticRepliesSetting: setting });
    return { flash: `Automatic replies ${on ? 'on' : 'off'} for ${user.displayName}.` };
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Requests

function firstOf(v: unknown): string | null {
  const x = Array.isArray(v) ? (v[0] as unknown) : v;
  return typeof x === 'string' && x !== '' ? x : null;
}

const isView = (v: string | null): v is ViewName => v !== null && (viewNames as readonly string[]).includes(v);

/** The place a GET asks for; also Outlook's `webLink` form (`?ItemID=...&mailbox=...`) that sandbox messages carry. */
function hereOfQuery(sb: Sandbox, query: unknown): Here {
  const q: Record<string, string | null> = {};
  if (query !== null && typeof query === 'object') for (const [k, v] of Object.entries(query)) q[k.toLowerCase()] = firstOf(v);
  const user = q['user'] ?? q['mailbox'] ?? null;
  const message = q['message'] ?? q['itemid'] ?? null;
  const view = q['view'] ?? null;
  let resolved: ViewName = isView(view) ? view : 'inbox';
  if (!isView(view) && message !== null && user !== null) {
    // A link to a message opens the folder it is in.
    try {
      const m = sb.mail.get(user, message);
      const folder = sb.mail.folderName(sb.directory.get(user).id, typeof m['parentFolderId'] === 'string' ? m['parentFolderId'] : '');
      if (folder !== null) resolved = folder;
    } catch {
      // Unknown user or message: the page says so.
    }
  }
  return { user, view: resolved, message, event: q['event'] ?? null };
}

function hereOfForm(form: Form): Here {
  const view = form['view'] ?? null;
  return { user: form['user'] || null, view: isView(view) ? view : 'inbox', message: form['message'] || null, event: form['event'] || null };
}

function readCookie(request: FastifyRequest, name: string): string | null {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return null;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return null;
}

function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  return h.split(':')[0] ?? '';
}

function securityHeaders(reply: FastifyReply, nonce: string): FastifyReply {
  return reply.headers({
    'Content-Security-Policy': `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    // same-origin, not no-referrer: under no-referrer a browser posts forms with `Origin: null`, which the CSRF check refuses.
    'Referrer-Policy': 'same-origin',
    'Cache-Control': 'no-store',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  });
}

function sendPageError(reply: FastifyReply, status: number, title: string, message: string): FastifyReply {
  const nonce = randomBytes(16).toString('base64');
  return securityHeaders(reply, nonce).status(status).type('text/html; charset=utf-8').send(renderErrorPage(title, message, nonce));
}

export function registerPageRoutes(app: FastifyInstance, sb: Sandbox): void {
  const secret = randomBytes(32);
  const flashes = new Map<string, Flash>();
  const tokenOf = (session: string): string => createHmac('sha256', secret).update(`sandbox-page:${session}`).digest('base64url');
  const sessionOf = (request: FastifyRequest): string | null => {
    const v = readCookie(request, cookieName);
    return v !== null && sessionPattern.test(v) ? v : null;
  };
  const setFlash = (session: string, flash: Flash) => {
    flashes.delete(session);
    flashes.set(session, flash);
    if (flashes.size > maxFlashes) {
      const oldest = flashes.keys().next();
      if (oldest.done !== true) flashes.delete(oldest.value);
    }
  };

  // An encapsulated scope: form bodies are parsed here only, and errors are pages, not Graph JSON.
  void app.register((scope, _opts, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, parsed) => {
      const form: Form = {};
      for (const [k, v] of new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'))) if (!(k in form)) form[k] = v;
      parsed(null, form);
    });

    scope.addHook('onRequest', async (request) => {
      if (!loopbackAddresses.has(request.socket.remoteAddress ?? '')) throw new PageError(403, 'Forbidden', 'The sandbox page answers loopback callers only.');
      if (!loopbackHosts.has(hostName(request.headers.host ?? ''))) throw new PageError(403, 'Forbidden', 'The sandbox page answers at 127.0.0.1 or localhost only.');
      await Promise.resolve();
    });

    scope.setErrorHandler((error: unknown, request, reply) => {
      if (error instanceof PageError) return sendPageError(reply, error.status, error.title, error.message);
      const status = (error as { statusCode?: unknown }).statusCode;
      if (typeof status === 'number' && status >= 400 && status < 500) return sendPageError(reply, status, 'Bad request', (error as Error).message);
      request.log.error({ err: error }, 'sandbox page failed');
      return sendPageError(reply, 500, 'Something went wrong', 'The sandbox page failed; the log has the details.');
    });

    scope.get('/sandbox/', async (request, reply) => {
      let session = sessionOf(request);
      if (session === null) {
        session = randomBytes(32).toString('base64url');
        void reply.header('Set-Cookie', `${cookieName}=${session}; Path=/sandbox; HttpOnly; SameSite=Strict${request.protocol === 'https' ? '; Secure' : ''}`);
      }
      const flash = flashes.get(session) ?? null;
      flashes.delete(session);
      const model = buildPageModel(sb, hereOfQuery(sb, request.query), flash);
      const nonce = randomBytes(16).toString('base64');
      const html = renderPage(model, { csrf: tokenOf(session), nonce });
      await Promise.resolve();
      return securityHeaders(reply, nonce).status(model.unknownUser !== null ? 404 : 200).type('text/html; charset=utf-8').send(html);
    });

    scope.post<{ Params: { action: string } }>('/sandbox/actions/:action', async (request, reply) => {
      // Cross-site requests are refused before anything else; then the token must match the session cookie.
      const site = request.headers['sec-fetch-site'];
      if (site === 'cross-site' || site === 'same-site') throw new PageError(403, 'Forbidden', 'Cross-site form posts are refused.');
      const origin = request.headers.origin;
      if (origin !== undefined) {
        let sameOrigin: boolean;
        try {
          // Both sides through URL, so a default port (`:80`, `:443`) compares equal to none.
          const from = new URL(origin);
          sameOrigin = from.host === new URL(`${from.protocol}//${request.headers.host ?? ''}`).host;
        } catch {
          sameOrigin = false;
        }
        if (!sameOrigin) throw new PageError(403, 'Forbidden', 'Form posts from another origin are refused.');
      }
      const form: Form = request.body !== null && typeof request.body === 'object' ? (request.body as Form) : {};
      const session = sessionOf(request);
      const given = Buffer.from(form['csrf'] ?? '');
      const expected = Buffer.from(session === null ? '' : tokenOf(session));
      if (session === null || given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new PageError(403, 'Forbidden', 'The form token is missing or stale: reload the sandbox page and try again.');
      }
      const action = actions[request.params.action];
      if (action === undefined) throw new PageError(404, 'Not found', `No sandbox action “${request.params.action}”.`);

      const here = hereOfForm(form);
      const user = here.user === null ? null : (sb.directory.find(here.user) ?? null);
      let next: Here = here;
      try {
        const result = await action({ sb, form, here, user });
        next = { ...here, ...result.here };
        setFlash(session, { kind: 'ok', text: result.flash });
      } catch (e) {
        if (e instanceof ActionError || e instanceof GraphError) setFlash(session, { kind: 'error', text: e.message });
        else if (e instanceof z.ZodError) setFlash(session, { kind: 'error', text: e.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
        else if (e instanceof RangeError) setFlash(session, { kind: 'error', text: e.message });
        else throw e;
      }
      return reply.redirect(hrefOf({ ...next, user: user?.id ?? null }), 303);
    });

    done();
  });
}
