// The demo page's HTML from its view model (./view): header with the sandbox clock, users, faults, subscriptions and
// request counts on the left; the chosen user's mail, message and calendar with the forms that act as them on the
// right. Every value is escaped here; message bodies arrive as plain text. Imports: ./view types, ./assets.
import { pageScript, pageStyle } from './assets';
import type { EventRow, Flash, Here, MessageDetail, MessageRow, PageModel, SelectedUser, ViewName } from './view';

export interface RenderContext {
  csrf: string;
  nonce: string;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}
const esc = escapeHtml;

/** The page's own URL for a place (always relative to /sandbox/, so links never leave the sandbox). */
export function hrefOf(here: Partial<Here>): string {
  const q = new URLSearchParams();
  if (here.user) q.set('user', here.user);
  if (here.view && here.view !== 'inbox') q.set('view', here.view);
  if (here.message) q.set('message', here.message);
  if (here.event) q.set('event', here.event);
  const s = q.toString();
  return s === '' ? '/sandbox/' : `/sandbox/?${s}`;
}

const hidden = (name: string, value: string): string => `<input type="hidden" name="${esc(name)}" value="${esc(value)}">`;

function form(action: string, ctx: RenderContext, here: Here, inner: string, opts: { className?: string; confirm?: string } = {}): string {
  const cls = opts.className ? ` class="${esc(opts.className)}"` : '';
  const confirm = opts.confirm ? ` data-confirm="${esc(opts.confirm)}"` : '';
  const place = [
    hidden('csrf', ctx.csrf),
    here.user ? hidden('user', here.user) : '',
    hidden('view', here.view),
    here.message ? hidden('message', here.message) : '',
    here.event ? hidden('event', here.event) : '',
  ].join('');
  return `<form method="post" action="/sandbox/actions/${esc(action)}"${cls}${confirm}>${place}${inner}</form>`;
}

const showAsLabels: Record<string, string> = { busy: 'busy', tentative: 'tentative', oof: 'out of office', workingElsewhere: 'working elsewhere', free: 'free', unknown: 'unknown' };
const responseLabels: Record<string, string> = { none: 'no response', notResponded: 'not responded', accepted: 'accepted', tentativelyAccepted: 'tentative', declined: 'declined', organizer: 'organizer' };
const showAsText = (v: string): string => `shown as ${showAsLabels[v] ?? v}`;
const responseText = (v: string): string => responseLabels[v] ?? v;
const badge = (text: string, cls = ''): string => `<span class="badge${cls ? ` ${esc(cls)}` : ''}">${esc(text)}</span>`;
const pct = (share: number): string => `${Math.round(share * 100)}%`;

// ---------------------------------------------------------------------------------------------------------------
// Header and side panels

function header(m: PageModel, ctx: RenderContext): string {
  const advance = form(
    'clock',
    ctx,
    m.here,
    `<button name="minutes" value="60">+1 h</button> <button name="minutes" value="480">+8 h</button> <button name="minutes" value="1440">+1 day</button>`,
    { className: 'inline' },
  );
  return `<header class="top">
<div class="brand">Baton sandbox<small>${esc(m.tenantName)} · local Microsoft 365</small></div>
<div class="clock"><span class="zone">Sandbox clock · ${esc(m.clock.zoneLabel)}</span>
<time id="clock" data-ms="${m.clock.ms}" data-zone="${esc(m.clock.iana)}" datetime="${esc(new Date(m.clock.ms).toISOString())}">${esc(m.clock.label)}</time>
<span class="zone">${esc(m.clock.ahead)}</span>${advance}</div>
</header>`;
}

function flash(f: Flash | null): string {
  if (!f) return '';
  return `<div class="flash ${f.kind}" role="${f.kind === 'error' ? 'alert' : 'status'}">${esc(f.text)}</div>`;
}

function usersPanel(m: PageModel): string {
  const items = m.users
    .map((u) => {
      const current = m.here.user === u.id ? ' aria-current="page"' : '';
      const meta = [u.role, u.team === null ? null : `team ${u.team}`].filter((x): x is string => x !== null).join(' · ');
      const flags = [u.autoReplies ? badge('auto-reply on', 'warn') : '', u.unread > 0 ? badge(`${u.unread} unread`, 'count') : ''].filter(Boolean).join(' ');
      return `<li><a href="${esc(hrefOf({ user: u.id, view: m.here.user === u.id ? m.here.view : 'inbox' }))}"${current}><span class="name">${esc(u.name)}</span> ${flags}<span class="meta">${esc(meta)}</span></a></li>`;
    })
    .join('\n');
  return `<section class="panel users-panel" aria-labelledby="users-h"><h2 id="users-h">Users</h2><ul class="users">${items}</ul></section>`;
}

function faultsPanel(m: PageModel, ctx: RenderContext): string {
  const s = m.faults.settings;
  const only = m.selected
    ? `<label class="check"><input type="checkbox" name="onlySelected"> only ${esc(m.selected.name)}'s mailbox</label>`
    : '';
  const mailboxName = (id: string | null): string => {
    if (id === null) return '';
    return ` · ${m.users.find((u) => u.id.toLowerCase() === id.toLowerCase())?.name ?? id}`;
  };
  const throttleState = s.throttle
    ? badge(`on · ${s.throttle.count === null ? pct(s.throttle.share) : `next ${s.throttle.count}`}${mailboxName(s.throttle.mailbox)}`, 'bad')
    : badge('off');
  const errorsState = s.serverErrors
    ? badge(`on · ${s.serverErrors.status} · ${s.serverErrors.count === null ? pct(s.serverErrors.share) : `next ${s.serverErrors.count}`}${mailboxName(s.serverErrors.mailbox)}`, 'bad')
    : badge('off');
  const n = s.notifications;
  const notifState = n.dropShare > 0 || n.duplicateShare > 0 || n.delayMs > 0 ? badge(`drop ${pct(n.dropShare)} · dup ${pct(n.duplicateShare)}`, 'bad') : badge('off');
  const st = m.faults.stats;
  const stats: Array<[string, number]> = [
    ['Injected 429s', st.injectedThrottles],
    ['Injected 503/504s', st.injectedServerErrors],
    ['429 concurrency limit', st.throttledConcurrency],
    ['429 request-rate limit', st.throttledRate],
    ['Dropped notifications', st.droppedNotifications],
    ['Duplicated notifications', st.duplicatedNotifications],
  ];
  const sw = (name: string, state: string, inner: string) =>
    `<div class="switch"><strong>${esc(name)}</strong> <span class="state">${state}</span>${inner}</div>`;
  return `<section class="panel" aria-labelledby="faults-h"><h2 id="faults-h">Faults</h2>
${sw(
  '429 storm',
  throttleState,
  form(
    'faults',
    ctx,
    m.here,
    `${hidden('switch', 'throttle')}<div class="row"><label>Share % <input class="num" type="number" name="share" min="1" max="100" value="${s.throttle ? Math.round(s.throttle.share * 100) || 100 : 100}"></label><label>Retry-After s <input class="num" type="number" name="retryAfter" min="1" max="3600" value="${s.throttle?.retryAfterSeconds ?? 2}"></label></div>${only}<div class="row"><button name="op" value="start">Start</button><button name="op" value="stop">Stop</button></div>`,
  ),
)}
${sw(
  'Server errors',
  errorsState,
  form(
    'faults',
    ctx,
    m.here,
    `${hidden('switch', 'serverErrors')}<div class="row"><label>Share % <input class="num" type="number" name="share" min="1" max="100" value="${s.serverErrors ? Math.round(s.serverErrors.share * 100) || 50 : 50}"></label><label>Status <select name="status"><option value="503"${s.serverErrors?.status === 504 ? '' : ' selected'}>503</option><option value="504"${s.serverErrors?.status === 504 ? ' selected' : ''}>504</option></select></label></div>${only}<div class="row"><button name="op" value="start">Start</button><button name="op" value="stop">Stop</button></div>`,
  ),
)}
${sw(
  'Latency',
  s.latencyMs > 0 ? badge(`${s.latencyMs} ms`, 'bad') : badge('off'),
  form('faults', ctx, m.here, `${hidden('switch', 'latency')}<div class="row"><label>Added ms <input class="num" type="number" name="latencyMs" min="0" max="60000" value="${s.latencyMs}"></label><button name="op" value="apply">Apply</button></div>`),
)}
${sw(
  'Notifications',
  notifState,
  form(
    'faults',
    ctx,
    m.here,
    `${hidden('switch', 'notifications')}<div class="row"><label>Drop % <input class="num" type="number" name="drop" min="0" max="100" value="${Math.round(n.dropShare * 100)}"></label><label>Duplicate % <input class="num" type="number" name="duplicate" min="0" max="100" value="${Math.round(n.duplicateShare * 100)}"></label><label>Delay ms <input class="num" type="number" name="delayMs" min="0" max="60000" value="${n.delayMs}"></label><button name="op" value="apply">Apply</button></div>`,
  ),
)}
${sw(
  'One-shot',
  '',
  form('fault-action', ctx, m.here, `<div class="row"><button name="kind" value="expireDeltaTokens">Expire delta tokens</button><button name="kind" value="expireTokens">Expire access tokens</button></div>`),
)}
<div class="switch"><dl class="kv">${stats.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl>
${form('faults', ctx, m.here, `${hidden('switch', 'reset')}<div class="row"><button name="op" value="reset">Reset all faults</button></div>`)}</div>
</section>`;
}

function subscriptionsPanel(m: PageModel, ctx: RenderContext): string {
  const rows = m.subscriptions
    .map((s) =>
      `<div class="switch"><div><strong>${esc(s.resource)}</strong></div><div class="small muted">${esc(s.mailbox)} · ${esc(s.changeType)} · expires ${esc(s.expires)}</div><div class="small muted">${esc(s.notificationUrl)}</div>` +
      form(
        'fault-action',
        ctx,
        m.here,
        `${hidden('subscriptionId', s.id)}<div class="row"><button name="kind" value="missed">Send missed</button><button name="kind" value="reauthorizationRequired">Reauthorize</button><button class="danger" name="kind" value="removeSubscription">Remove</button></div>`,
      ) +
      '</div>',
    )
    .join('');
  return `<section class="panel" aria-labelledby="subs-h"><h2 id="subs-h">Subscriptions</h2>${rows || '<p class="muted small">No change-notification subscriptions.</p>'}</section>`;
}

function requestsPanel(m: PageModel, ctx: RenderContext): string {
  const r = m.requests;
  const kv = (rows: Array<[string, number]>) => `<dl class="kv">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl>`;
  const statuses = r.byStatus.map(([k, v]) => badge(`${k} × ${v}`, Number(k) >= 400 ? 'bad' : 'on')).join(' ');
  return `<section class="panel" aria-labelledby="req-h"><h2 id="req-h">Graph requests</h2>
<p><strong>${r.total}</strong> Graph request${r.total === 1 ? '' : 's'} ${statuses}</p>
${r.byEndpoint.length > 0 ? `<h3 class="small muted">By endpoint</h3>${kv(r.byEndpoint)}` : ''}
${r.byMailbox.length > 0 ? `<h3 class="small muted">By mailbox</h3>${kv(r.byMailbox)}` : ''}
${form('requests-clear', ctx, m.here, '<div class="row"><button>Clear the log</button></div>')}
</section>`;
}

// ---------------------------------------------------------------------------------------------------------------
// The chosen user

const folderLabels: Record<ViewName, string> = { inbox: 'Inbox', sentitems: 'Sent Items', drafts: 'Drafts', deleteditems: 'Deleted Items', calendar: 'Calendar', compose: 'New message' };
const meetingLabels = { request: 'invitation', cancelled: 'cancelled', accepted: 'accepted', tentative: 'tentative', declined: 'declined', other: 'meeting' } as const;
const meetingBadgeClass = { request: 'busy', cancelled: 'bad', accepted: 'accepted', tentative: 'tentative', declined: 'declined', other: '' } as const;

function tabs(u: SelectedUser, here: Here): string {
  const views: ViewName[] = ['inbox', 'sentitems'];
  if (u.counts.drafts > 0 || here.view === 'drafts') views.push('drafts');
  if (u.counts.deleteditems > 0 || here.view === 'deleteditems') views.push('deleteditems');
  views.push('calendar', 'compose');
  const extra = (v: ViewName): string => {
    if (v === 'inbox') return u.unread > 0 ? ` ${badge(String(u.unread), 'count')}` : '';
    if (v === 'calendar' || v === 'compose') return '';
    return u.counts[v] > 0 ? ` <span class="muted small">${u.counts[v]}</span>` : '';
  };
  return `<nav class="tabs" aria-label="Mailbox">${views
    .map((v) => `<a href="${esc(hrefOf({ user: u.id, view: v }))}"${here.view === v ? ' aria-current="page"' : ''}>${esc(folderLabels[v])}${extra(v)}</a>`)
    .join('')}</nav>`;
}

function userHead(u: SelectedUser, here: Here, ctx: RenderContext): string {
  const meta = [u.upn, u.role, u.team === null ? null : `team ${u.team}`, u.timeZone].filter((x): x is string => x !== null).join(' · ');
  const toggle = u.autoReplies
    ? `<div class="row"><span>Automatic replies ${badge('on', 'warn')}</span><button name="state" value="off">Turn off</button></div>${u.autoReplyMessage ? `<div class="small muted">“${esc(u.autoReplyMessage.slice(0, 140))}”</div>` : ''}`
    : `<div class="row"><span>Automatic replies ${badge('off')}</span><input name="message" placeholder="Reply text (optional)" aria-label="Automatic reply text"><button name="state" value="on">Turn on</button></div>`;
  return `<div class="user-head"><div><h1>${esc(u.name)}</h1><div class="muted small">${esc(meta)}</div></div>${form('auto-replies', ctx, here, toggle)}</div>`;
}

function messageTable(u: SelectedUser, here: Here): string {
  const rows = u.messages ?? [];
  if (rows.length === 0) return `<p class="empty">No messages in ${esc(folderLabels[here.view])}.</p>`;
  const sent = here.view === 'sentitems' || here.view === 'drafts';
  const line = (r: MessageRow) => {
    const cls = [r.isRead ? '' : 'unread', here.message === r.id ? 'selected' : ''].filter(Boolean).join(' ');
    const tags = [
      r.meeting ? badge(meetingLabels[r.meeting], meetingBadgeClass[r.meeting]) : '',
      r.handoff !== null ? badge(`x-baton-handoff: ${r.handoff}`, 'handoff') : '',
    ].filter(Boolean);
    return `<tr${cls ? ` class="${cls}"` : ''}><td class="who">${esc(sent ? r.to : r.from) || '<span class="muted">(nobody)</span>'}</td><td class="subject"><a href="${esc(hrefOf({ user: u.id, view: here.view, message: r.id }))}">${esc(r.subject) || '<span class="muted">(no subject)</span>'}</a>${tags.length > 0 ? ` ${tags.join(' ')}` : ''}</td><td class="when">${esc(r.at)}</td></tr>`;
  };
  return `<table><thead><tr><th>${sent ? 'To' : 'From'}</th><th>Subject</th><th>${sent ? 'Sent' : 'Received'}</th></tr></thead><tbody>${rows.map(line).join('')}</tbody></table>${u.moreMessages > 0 ? `<p class="muted small">${u.moreMessages} older messages not shown.</p>` : ''}`;
}

function respondForm(e: EventRow, here: Here, ctx: RenderContext): string {
  const propose = e.allowNewTimeProposals
    ? `<label>Propose a new time (optional) <input type="datetime-local" name="proposeStart"></label><label>Minutes <input class="num" type="number" name="proposeMinutes" min="5" max="1440" value="${e.durationMinutes}"></label>`
    : '<span class="small muted">The organizer does not allow new time proposals.</span>';
  return form(
    'respond',
    ctx,
    here,
    `${hidden('item', e.id)}<div class="form"><label>Comment <textarea name="comment" rows="2"></textarea></label><div class="row">${propose}</div><label class="check"><input type="checkbox" name="notify" checked> Send the response to the organizer</label><div class="row"><button class="primary" name="response" value="accept">Accept</button><button name="response" value="tentativelyAccept">Tentative</button><button class="danger" name="response" value="decline">Decline</button></div></div>`,
  );
}

function messageView(u: SelectedUser, here: Here, ctx: RenderContext): string {
  if (u.messageMissing) return `<div class="message"><p class="empty">That message is not in ${esc(u.name)}'s mailbox (deleted or moved).</p></div>`;
  const d: MessageDetail | null = u.message;
  if (!d) return '';
  const field = (k: string, v: string) => (v === '' ? '' : `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`);
  let meeting = '';
  if (d.meeting) {
    const ev = d.meeting.event;
    const parts = [`<p><strong>Meeting</strong> ${d.meeting.when ? esc(d.meeting.when) : ''} ${badge(meetingLabels[d.meeting.kind], meetingBadgeClass[d.meeting.kind])}</p>`];
    if (d.meeting.proposed) parts.push(`<p><strong>New time proposed:</strong> ${esc(d.meeting.proposed)}</p>`);
    if (ev) {
      parts.push(`<p class="small"><a href="${esc(hrefOf({ user: u.id, view: 'calendar', event: ev.id }))}">Open the event in ${esc(u.name)}'s calendar</a> · ${ev.isOrganizer ? badge('you organize') : badge(`you: ${responseText(ev.response)}`, ev.response)}</p>`);
      if (!ev.isOrganizer && !ev.isCancelled && d.meeting.kind === 'request') parts.push(respondForm(ev, here, ctx));
    }
    meeting = `<div class="meeting">${parts.join('')}</div>`;
  }
  const reply = form(
    'reply',
    ctx,
    here,
    `${hidden('item', d.id)}<div class="form"><label>Reply as ${esc(u.name)} <textarea name="comment" rows="3" required></textarea></label><div class="row"><button class="primary" name="all" value="0">Reply</button><button name="all" value="1">Reply all</button></div></div>`,
  );
  const links =
    d.links.length === 0
      ? ''
      : `<p class="muted small">Links in this mail (open as the recipient would):</p><ul class="links">${d.links.map((l) => `<li><a href="${esc(l.href)}" rel="noreferrer noopener" target="_blank">${esc(l.label)}</a></li>`).join('')}</ul>`;
  return `<article class="message" aria-labelledby="msg-h"><h3 id="msg-h">${esc(d.subject) || '(no subject)'}</h3>
<dl class="fields">${field('From', d.from)}${field('To', d.to)}${field('Cc', d.cc)}${field('Received', d.received)}${field('Folder', d.folder)}${field('Message-ID', d.internetMessageId)}${d.headers.map((h) => field(h.name, h.value)).join('')}</dl>
${meeting}<pre class="body">${esc(d.text) || '<span class="muted">(empty body)</span>'}</pre>${links}${reply}</article>`;
}

function eventCard(e: EventRow, u: SelectedUser, here: Here, ctx: RenderContext): string {
  const focus = here.event === e.id;
  const cls = ['event', e.showAs, e.isCancelled ? 'cancelled' : '', e.conflicts.length > 0 ? 'conflict' : '', focus ? 'focus' : ''].filter(Boolean).join(' ');
  const badges = [
    badge(showAsText(e.showAs), e.showAs),
    e.isOrganizer ? badge(e.attendees.length > 0 ? 'you organize' : 'your event') : badge(`you: ${responseText(e.response)}`, e.response),
    e.isCancelled ? badge('cancelled', 'bad') : '',
  ].join(' ');
  const attendees = e.attendees.map((a) => `${esc(a.name)} (${esc(responseText(a.response))}${a.proposed ? `, proposes ${esc(a.proposed)}` : ''})`).join(', ');
  const meta = [
    `Organizer: ${esc(e.organizer)}`,
    e.location ? `Location: ${esc(e.location)}` : '',
    attendees ? `Attendees: ${attendees}` : '',
    e.joinUrl ? `<a href="${esc(e.joinUrl)}" rel="noreferrer">Join link</a>` : '',
  ].filter(Boolean);
  const at = { ...here, event: e.id, message: null };
  const del = form(
    'delete-event',
    ctx,
    at,
    `${hidden('item', e.id)}<div class="row">${e.isOrganizer ? (e.attendees.length > 0 ? '<label>Cancellation note <input name="comment"></label>' : '') : `<label class="check"><input type="checkbox" name="notify"${e.isCancelled ? '' : ' checked'}> Decline to the organizer</label>`}<button class="danger">${e.isOrganizer && e.attendees.length > 0 ? 'Cancel the meeting' : 'Delete'}</button></div>`,
    { confirm: e.isOrganizer && e.attendees.length > 0 ? 'Cancel this meeting for every attendee?' : 'Delete this event?' },
  );
  const actions = !e.isOrganizer && !e.isCancelled ? `${respondForm(e, at, ctx)}<hr>${del}` : del;
  return `<div class="${esc(cls)}" id="event-${esc(e.id)}"><div class="head"><span class="time">${esc(e.time)}</span><span class="title">${esc(e.subject) || '(no subject)'}</span>${badges}</div>
<div class="meta">${meta.join(' · ')}</div>${e.conflicts.length > 0 ? `<div class="conflict-note">⚠ Conflicts with ${esc(e.conflicts.join(', '))}</div>` : ''}
<details${focus ? ' open' : ''}><summary>${!e.isOrganizer && !e.isCancelled ? `Respond or delete as ${esc(u.name)}` : 'Delete'}</summary>${actions}</details></div>`;
}

function calendarSection(u: SelectedUser, here: Here, ctx: RenderContext): string {
  const c = u.calendar;
  if (!c) return '';
  const showAs = ['busy', 'tentative', 'oof', 'workingElsewhere', 'free'].map((s) => `<option value="${s}">${esc(showAsLabels[s] ?? s)}</option>`).join('');
  const add = form(
    'add-event',
    ctx,
    { ...here, event: null, message: null },
    `<div class="form"><div class="row"><label>Subject <input name="subject" value="Hold" required></label><label>Start (${esc(u.iana)}) <input type="datetime-local" name="start" value="${esc(c.defaultStart)}" required></label><label>Minutes <input class="num" type="number" name="minutes" min="5" max="1440" value="60" required></label><label>Show as <select name="showAs">${showAs}</select></label></div><label>Attendees (optional: addresses separated by commas make it a meeting) <input name="attendees" placeholder="anton.weber@…"></label><div class="row"><button class="primary">Add event</button></div></div>`,
  );
  const days = c.days.map((d) => `<div class="day">${esc(d.label)}</div>${d.events.map((e) => eventCard(e, u, here, ctx)).join('')}`).join('');
  return `<p class="muted small">The next 14 days from the sandbox clock (${esc(c.from)} – ${esc(c.to)}), times in ${esc(u.iana)}.</p>
<details${c.days.length === 0 ? ' open' : ''}><summary>Add an event (a phantom hold that conflicts, or a meeting)</summary>${add}</details>
${days || '<p class="empty">Nothing in the calendar for the next 14 days.</p>'}`;
}

function composeSection(u: SelectedUser, here: Here, ctx: RenderContext): string {
  return form(
    'send',
    ctx,
    here,
    `<div class="form"><label>From <input value="${esc(`${u.name} <${u.upn}>`)}" disabled></label><label>To <input name="to" required placeholder="address, address"></label><label>Cc <input name="cc"></label><label>Subject <input name="subject"></label><label>Body <textarea name="body" rows="8"></textarea></label><div class="row"><button class="primary">Send</button></div></div>`,
  );
}

function mainPanel(m: PageModel, ctx: RenderContext): string {
  const u = m.selected;
  if (!u) {
    const note = m.unknownUser !== null ? `<div class="flash error" role="alert">No user “${esc(m.unknownUser)}” in this tenant.</div>` : '';
    return `<section class="panel">${note}<h1>Look inside the tenant</h1><p>Pick a user on the left to see their Inbox, Sent Items and calendar, and to act as them: reply to a mail, accept, decline or propose a new time, add a conflicting event, switch automatic replies.</p><p class="muted">Everything here happens in the sandbox's memory: Baton sees it through Graph, its change notifications and delta queries, as it would see Microsoft 365.</p></section>`;
  }
  const h = m.here;
  let content: string;
  if (h.view === 'calendar') content = calendarSection(u, h, ctx);
  else if (h.view === 'compose') content = composeSection(u, h, ctx);
  else content = messageTable(u, h) + messageView(u, h, ctx);
  return `<section class="panel">${userHead(u, h, ctx)}${tabs(u, h)}${content}</section>`;
}

// ---------------------------------------------------------------------------------------------------------------
// Documents

function documentOf(title: string, body: string, nonce: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin"><title>${esc(title)}</title><style nonce="${esc(nonce)}">${pageStyle}</style></head>
<body>${body}<script nonce="${esc(nonce)}">${pageScript}</script></body></html>`;
}

export function renderPage(m: PageModel, ctx: RenderContext): string {
  const title = m.selected ? `${m.selected.name} · ${folderLabels[m.here.view]} · Baton sandbox` : 'Baton sandbox';
  const body = `${header(m, ctx)}${flash(m.flash)}<div class="layout"><aside>${usersPanel(m)}${faultsPanel(m, ctx)}${subscriptionsPanel(m, ctx)}${requestsPanel(m, ctx)}</aside><main>${mainPanel(m, ctx)}</main></div>`;
  return documentOf(title, body, ctx.nonce);
}

export function renderErrorPage(title: string, message: string, nonce: string): string {
  return documentOf(title, `<div class="solo"><main><section class="panel"><h1>${esc(title)}</h1><p>${esc(message)}</p><p><a href="/sandbox/">Back to the sandbox page</a></p></section></main></div>`, nonce);
}
