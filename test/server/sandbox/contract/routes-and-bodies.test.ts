// Held to Microsoft's contract (issue 3): every /v1.0 route the sandbox registers resolves in Graph's v1.0 CSDL, a
// scenario exercises every one of them (under /users/{id} with an app-only token and under /me with a user token),
// and every body answered, inner `$batch` answers and delivered change notifications included, has only property
// names and enum values of its CSDL type. Known deviations are listed by name; the tests hold the lists exact.
import { checkBody, loadCsdl, resolveGraphPath, type CsdlModel } from '../csdl';
import { demoUsers, startSandboxHarness, type GraphAnswer, type SandboxHarness } from '../harness';
import { startReceiver, type Receiver } from '../subscriptions-receiver';
import { documentedBodyExemptions, documentedRouteExemptions, documentedRouteOf, exchangeFindings, findingKey, knownBodyDeviations, knownRouteDeviations } from './deviations';
import { checkExchange, recordExchanges, registeredGraphRoutes, type GraphCall, type Recorder } from './recorder';

const model: CsdlModel = loadCsdl();
let h: SandboxHarness;
let rx: Receiver;
let rec: Recorder;

beforeAll(async () => {
  rx = await startReceiver();
  h = await startSandboxHarness({ fetch: rx.fetch, subscriptionTimings: { validationTimeoutMs: 1000, deliveryTimeoutMs: 800, retryDelaysMs: [30], sweepIntervalMs: 50 } });
  rec = recordExchanges(h);
  await runScenario();
}, 20_000);
afterAll(async () => {
  await h.close();
  await rx.close();
});

function findings(): Map<string, string[]> {
  const out = exchangeFindings(model, rec.exchanges);
  for (const post of rx.posts) {
    for (const p of checkBody(model, post.json, { type: 'microsoft.graph.changeNotificationCollection', collection: false })) {
      const key = findingKey(p);
      out.set(key, [...(out.get(key) ?? []), `notification POST ${post.path} at ${p.at}: ${p.detail}`]);
    }
  }
  return out;
}

describe('the sandbox held to the Graph v1.0 CSDL', () => {
  it('serves only routes that resolve in the CSDL (documented exceptions named)', async () => {
    const routes = await registeredGraphRoutes();
    expect(routes.length).toBeGreaterThan(50);
    const unresolved: string[] = [];
    const staleExemptions: string[] = [];
    for (const r of routes) {
      const name = `${r.method} ${r.url}`;
      const res = resolveGraphPath(model, r.url);
      if (res.ok && documentedRouteExemptions[name] !== undefined) staleExemptions.push(name);
      if (!res.ok && documentedRouteExemptions[name] === undefined) unresolved.push(`${name} (segment '${res.segment}': ${res.reason})`);
    }
    expect(staleExemptions).toEqual([]);
    expect(unresolved.sort()).toEqual([...knownRouteDeviations].sort());
  });

  it('exercises every registered /v1.0 route in the scenario', async () => {
    const routes = await registeredGraphRoutes();
    const hit = new Set(h.sb.requestLog.entries().map((e) => `${e.method} ${(e.route ?? '').toLowerCase()}`));
    const missed = routes.map((r) => `${r.method} ${r.url}`).filter((n) => !hit.has(`${n.split(' ')[0] ?? ''} ${(n.split(' ')[1] ?? '').toLowerCase()}`));
    expect(missed).toEqual([]);
  });

  it('resolves every URL the scenario called, in the form Graph clients send it', () => {
    const unresolved = rec.exchanges
      .filter((e) => !e.url.toLowerCase().startsWith('/v1.0/$batch'))
      .flatMap((e) => {
        const r = resolveGraphPath(model, e.url);
        return r.ok || documentedRouteOf(e.method, e.url) !== undefined ? [] : [`${e.method} ${e.url} (segment '${r.segment}': ${r.reason})`];
      });
    expect(unresolved).toEqual([]);
  });

  it('answers only property names and enum values of the CSDL types (known deviations listed exactly)', () => {
    expect(rec.exchanges.length).toBeGreaterThan(80);
    expect(rx.posts.length).toBeGreaterThan(0);
    const all = findings();
    const undocumented = [...all.keys()].filter((k) => documentedBodyExemptions[k] === undefined).sort();
    // Where each new finding was seen, for the failure message.
    const detail = undocumented
      .filter((k) => !knownBodyDeviations.includes(k))
      .map((k) => `${k}\n    e.g. ${(all.get(k) ?? []).slice(0, 2).join('\n    e.g. ')}`)
      .join('\n');
    expect({ findings: undocumented, detail }).toEqual({ findings: [...knownBodyDeviations].sort(), detail: '' });
  });

  it('checked the bodies of every kind of Graph object the sandbox answers', () => {
    const checked = new Set<string>();
    for (const e of rec.exchanges) {
      const x = checkExchange(model, e).expected;
      if (x.kind === 'type') checked.add(`${x.ref.collection ? 'Collection of ' : ''}${x.ref.type}`);
      if (x.kind === 'error') checked.add('error');
    }
    expect([...checked].sort()).toEqual(
      [
        'Collection of microsoft.graph.attachment',
        'Collection of microsoft.graph.calendar',
        'Collection of microsoft.graph.event',
        'Collection of microsoft.graph.mailFolder',
        'Collection of microsoft.graph.message',
        'Collection of microsoft.graph.scheduleInformation',
        'Collection of microsoft.graph.subscription',
        'Collection of microsoft.graph.user',
        'error',
        'microsoft.graph.calendar',
        'microsoft.graph.directoryObject',
        'microsoft.graph.event',
        'microsoft.graph.mailFolder',
        'microsoft.graph.mailboxSettings',
        'microsoft.graph.message',
        'microsoft.graph.subscription',
        'microsoft.graph.user',
        // GET /mailboxSettings/{property}: complex ones as objects, primitive and enum ones as `value`.
        'Edm.String',
        'microsoft.graph.automaticRepliesSetting',
        'microsoft.graph.delegateMeetingMessageDeliveryOptions',
        'microsoft.graph.localeInfo',
        'microsoft.graph.userPurpose',
        'microsoft.graph.workingHours',
      ].sort(),
    );
  });

  it('keeps the documented exemptions in use (an exemption nothing needs any more is removed)', () => {
    const all = findings();
    const unused = Object.keys(documentedBodyExemptions).filter((k) => !all.has(k));
    expect(unused).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The scenario: an SDR mails an AE, they reply, the SDR books a meeting the AE answers, a subscription follows the
// AE's inbox, and a batch reads a little of everything; once under /users/{id} (app-only), once under /me.

interface Actor {
  call: GraphCall;
  base: string;
  id: string;
}

const windowQuery = 'startDateTime=2026-11-23T00:00:00Z&endDateTime=2026-12-07T00:00:00Z';

async function runScenario(): Promise<void> {
  const asApp = (id: string): Actor => ({ call: rec.app, base: `/v1.0/users/${id}`, id });
  const asMe = async (id: string): Promise<Actor> => ({ call: await rec.asUser(id), base: '/v1.0/me', id });
  await conversation(asApp(demoUsers.sofiaSdr), asApp(demoUsers.antonAe), 'app');
  await conversation(await asMe(demoUsers.liamSdr), await asMe(demoUsers.jordanAe), 'me');
  await subscriptions();
  await batch();
}

async function ok(p: Promise<GraphAnswer>, status: number): Promise<GraphAnswer['body']> {
  const r = await p;
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body).slice(0, 400)}`);
  return r.body;
}

async function conversation(sdr: Actor, ae: Actor, tag: string): Promise<void> {
  const aeMail = (await ok(rec.app('GET', `/v1.0/users/${ae.id}`), 200)).mail as string;
  const sdrMail = (await ok(rec.app('GET', `/v1.0/users/${sdr.id}`), 200)).mail as string;

  // ----- directory
  await ok(sdr.call('GET', sdr.base), 200);
  await ok(sdr.call('GET', '/v1.0/users?$top=5'), 200);
  await ok(sdr.call('GET', `${sdr.base}/manager`), 200);
  await ok(ae.call('GET', `${ae.base}/mailboxSettings`), 200);
  await ok(ae.call('GET', `${ae.base}/mailboxSettings?$select=workingHours,timeZone`), 200);
  for (const property of ['archiveFolder', 'automaticRepliesSetting', 'dateFormat', 'delegateMeetingMessageDeliveryOptions', 'language', 'timeFormat', 'timeZone', 'userPurpose', 'workingHours']) {
    await ok(ae.call('GET', `${ae.base}/mailboxSettings/${property}`), 200);
  }
  if (tag === 'me') await ok(ae.call('PATCH', `${ae.base}/mailboxSettings`, { automaticRepliesSetting: { status: 'disabled' } }), 200);
  else {
    // Baton's server app may only read mailbox settings: the AE's own delegated token changes them.
    const own = await rec.asUser(ae.id);
    await ok(own('PATCH', `/v1.0/users/${ae.id}/mailboxSettings`, { automaticRepliesSetting: { status: 'disabled' } }), 200);
  }

  // ----- mail: send, read, reply
  const subject = `Intro ${tag}: Contoso lead`;
  await ok(
    sdr.call('POST', `${sdr.base}/sendMail`, {
      message: {
        subject,
        body: { contentType: 'HTML', content: '<p>Meet the lead.</p>' },
        toRecipients: [{ emailAddress: { address: aeMail } }],
        ccRecipients: [{ emailAddress: { address: 'lead@fabrikam.example' } }],
        internetMessageHeaders: [{ name: 'x-baton-lead', value: `lead-${tag}` }],
        attachments: [{ '@odata.type': '#microsoft.graph.fileAttachment', name: 'notes.txt', contentType: 'text/plain', contentBytes: 'SGVsbG8=' }],
      },
    }),
    202,
  );
  const inbox = await ok(ae.call('GET', `${ae.base}/mailFolders/inbox/messages?$top=5&$filter=${encodeURIComponent(`subject eq '${subject}'`)}`), 200);
  const received = inbox.value[0];
  if (!received) throw new Error('the intro did not arrive');
  const msg = `${ae.base}/messages/${encodeURIComponent(received.id as string)}`;
  await ok(ae.call('GET', msg), 200);
  await ok(ae.call('GET', `${msg}?$select=internetMessageHeaders,subject,uniqueBody`), 200);
  await ok(ae.call('GET', `${msg}?$expand=attachments`), 200);
  await ok(ae.call('GET', `${ae.base}/mailFolders/inbox/messages/${encodeURIComponent(received.id as string)}`), 200);
  const mime = await ae.call('GET', `${msg}/$value`);
  if (mime.status !== 200) throw new Error(`$value: ${mime.status}`);
  await ok(ae.call('GET', `${msg}/attachments`), 200);
  await ok(ae.call('PATCH', msg, { isRead: true, categories: ['Baton'], flag: { flagStatus: 'flagged' } }), 200);
  await ok(ae.call('GET', `${ae.base}/messages?$top=3&$orderby=receivedDateTime desc&$count=true`), 200);
  await ok(ae.call('GET', `${ae.base}/messages?$select=sender,subject`), 200);
  await ok(ae.call('POST', `${msg}/reply`, { comment: 'Thanks, I take it from here.' }), 202);
  await ok(ae.call('POST', `${msg}/replyAll`, { comment: 'Adding everyone.' }), 202);
  const draftReply = await ok(ae.call('POST', `${msg}/createReply`, { comment: 'Draft reply' }), 201);
  await ok(ae.call('POST', `${ae.base}/messages/${encodeURIComponent(draftReply.id as string)}/send`), 202);
  const draftAll = await ok(ae.call('POST', `${msg}/createReplyAll`), 201);
  await ok(ae.call('DELETE', `${ae.base}/messages/${encodeURIComponent(draftAll.id as string)}`), 204);

  // ----- mail: drafts, folders, move, delta
  const draft = await ok(sdr.call('POST', `${sdr.base}/messages`, { subject: `Draft ${tag}`, importance: 'Low', toRecipients: [{ emailAddress: { address: aeMail } }] }), 201);
  await ok(sdr.call('PATCH', `${sdr.base}/messages/${encodeURIComponent(draft.id as string)}`, { subject: `Draft ${tag} (edited)` }), 200);
  await ok(sdr.call('POST', `${sdr.base}/messages/${encodeURIComponent(draft.id as string)}/send`), 202);
  const folderDraft = await ok(sdr.call('POST', `${sdr.base}/mailFolders/drafts/messages`, { subject: `Folder draft ${tag}`, body: { contentType: 'text', content: 'x' } }), 201);
  const moved = await ok(sdr.call('POST', `${sdr.base}/messages/${encodeURIComponent(folderDraft.id as string)}/move`, { destinationId: 'deleteditems' }), 201);
  await ok(sdr.call('DELETE', `${sdr.base}/messages/${encodeURIComponent(moved.id as string)}`), 204);
  await ok(sdr.call('GET', `${sdr.base}/mailFolders`), 200);
  await ok(sdr.call('GET', `${sdr.base}/mailFolders/sentitems`), 200);
  await ok(sdr.call('GET', `${sdr.base}/mailFolders/sentitems/messages?$top=2`), 200);
  const first = await ok(sdr.call('GET', `${sdr.base}/mailFolders/inbox/messages/delta`, undefined, { Prefer: 'odata.maxpagesize=2' }), 200);
  let link: string | undefined = first['@odata.nextLink'] ?? first['@odata.deltaLink'];
  for (let i = 0; link !== undefined && i < 5 && first['@odata.deltaLink'] === undefined; i++) {
    const page = await ok(sdr.call('GET', new URL(link).pathname + new URL(link).search, undefined, { Prefer: 'odata.maxpagesize=2' }), 200);
    link = page['@odata.nextLink'];
    if (page['@odata.deltaLink']) {
      link = page['@odata.deltaLink'];
      break;
    }
  }
  await ok(ae.call('POST', `${msg}/reply`, { comment: 'One more thing.' }), 202);
  if (link) await ok(sdr.call('GET', new URL(link).pathname + new URL(link).search), 200);

  // ----- calendar: a meeting the AE answers
  const created = await ok(
    sdr.call(
      'POST',
      `${sdr.base}/events`,
      {
        subject: `Hand-off ${tag}`,
        body: { contentType: 'HTML', content: 'Hand-off call' },
        start: { dateTime: '2026-11-25T10:00:00', timeZone: 'W. Europe Standard Time' },
        end: { dateTime: '2026-11-25T10:30:00', timeZone: 'W. Europe Standard Time' },
        location: { displayName: 'Teams' },
        attendees: [
          { emailAddress: { address: aeMail, name: 'AE' }, type: 'required' },
          { emailAddress: { address: 'lead@fabrikam.example', name: 'Lead' }, type: 'optional' },
        ],
        isOnlineMeeting: true,
        onlineMeetingProvider: 'teamsForBusiness',
        allowNewTimeProposals: true,
        transactionId: `handoff-${tag}`,
      },
      { Prefer: 'outlook.timezone="W. Europe Standard Time"' },
    ),
    201,
  );
  const ev = `${sdr.base}/events/${encodeURIComponent(created.id as string)}`;
  await ok(sdr.call('GET', ev), 200);
  await ok(sdr.call('GET', `${ev}?$select=subject,attendees,start,end,onlineMeeting`, undefined, { Prefer: 'outlook.timezone="Pacific Standard Time"' }), 200);
  await ok(sdr.call('GET', `${sdr.base}/events?$top=5&$orderby=start/dateTime`), 200);
  await ok(sdr.call('GET', `${sdr.base}/calendar/events?$top=1`), 200);
  const calendar = await ok(sdr.call('GET', `${sdr.base}/calendar`), 200);
  await ok(sdr.call('GET', `${sdr.base}/calendars?$select=name,isDefaultCalendar`), 200);
  await ok(sdr.call('GET', `${sdr.base}/calendars/${encodeURIComponent(calendar.id as string)}`), 200);
  const view = await ok(sdr.call('GET', `${sdr.base}/calendarView?${windowQuery}`), 200);
  await ok(sdr.call('GET', `${sdr.base}/calendarView/${encodeURIComponent(view.value[0].id as string)}`), 200);
  const round = await ok(sdr.call('GET', `${sdr.base}/calendarView/delta?${windowQuery}`, undefined, { Prefer: 'odata.maxpagesize=1' }), 200);
  let deltaLink: string | undefined = round['@odata.deltaLink'];
  for (let next = round['@odata.nextLink'] as string | undefined; next !== undefined && deltaLink === undefined; ) {
    const page = await ok(sdr.call('GET', new URL(next).pathname + new URL(next).search), 200);
    next = page['@odata.nextLink'];
    deltaLink = page['@odata.deltaLink'];
  }
  await ok(sdr.call('PATCH', ev, { subject: `Hand-off ${tag} (moved)`, importance: 'high', showAs: 'busy', categories: ['Baton'] }), 200);

  const copies = await ok(ae.call('GET', `${ae.base}/events?$filter=${encodeURIComponent(`iCalUId eq '${String(created.iCalUId)}'`)}`), 200);
  const copy = copies.value[0];
  if (!copy) throw new Error('no attendee copy');
  const aeEv = `${ae.base}/events/${encodeURIComponent(copy.id as string)}`;
  await ok(ae.call('POST', `${aeEv}/tentativelyAccept`, { comment: 'Maybe', sendResponse: true, proposedNewTime: { start: { dateTime: '2026-11-25T11:00:00', timeZone: 'UTC' }, end: { dateTime: '2026-11-25T11:30:00', timeZone: 'UTC' } } }), 202);
  await ok(ae.call('POST', `${aeEv}/decline`, { comment: 'No', sendResponse: false }), 202);
  await ok(ae.call('POST', `${aeEv}/accept`, { comment: 'Yes', sendResponse: true }), 202);
  await ok(sdr.call('GET', ev), 200);
  // The meeting request and the responses are eventMessages.
  const requests = await ok(ae.call('GET', `${ae.base}/messages?$filter=${encodeURIComponent(`subject eq 'Hand-off ${tag}'`)}&$expand=microsoft.graph.eventMessage/event`), 200);
  if (requests.value[0]) await ok(ae.call('GET', `${ae.base}/messages/${encodeURIComponent(requests.value[0].id as string)}?$expand=microsoft.graph.eventMessage/event`), 200);
  await ok(sdr.call('GET', `${sdr.base}/mailFolders/inbox/messages?$top=5`), 200);
  if (deltaLink) await ok(sdr.call('GET', new URL(deltaLink).pathname + new URL(deltaLink).search), 200);

  await ok(
    sdr.call('POST', `${sdr.base}/calendar/getSchedule`, {
      schedules: [aeMail, sdrMail, 'lead@fabrikam.example'],
      startTime: { dateTime: '2026-11-25T08:00:00', timeZone: 'UTC' },
      endTime: { dateTime: '2026-11-25T18:00:00', timeZone: 'UTC' },
      availabilityViewInterval: 60,
    }),
    200,
  );
  await ok(sdr.call('POST', `${ev}/cancel`, { comment: 'Cancelled' }), 202);
  // ----- calendar: a weekly series, its instances, one occurrence changed (an exception)
  const series = await ok(
    sdr.call('POST', `${sdr.base}/events`, {
      subject: `Weekly sync ${tag}`,
      start: { dateTime: '2026-11-24T12:30:00', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2026-11-24T13:00:00', timeZone: 'Europe/Berlin' },
      attendees: [{ emailAddress: { address: aeMail }, type: 'required' }],
      recurrence: { pattern: { type: 'weekly', interval: 1, daysOfWeek: ['tuesday'], firstDayOfWeek: 'monday' }, range: { type: 'noEnd', startDate: '2026-11-24', recurrenceTimeZone: 'Europe/Berlin' } },
      transactionId: `sync-${tag}`,
    }),
    201,
  );
  const occurrences = await ok(sdr.call('GET', `${sdr.base}/events/${encodeURIComponent(series.id as string)}/instances?${windowQuery}&$select=id,start,end,type,seriesMasterId`), 200);
  if (occurrences.value[0]) await ok(sdr.call('PATCH', `${sdr.base}/events/${encodeURIComponent(occurrences.value[0].id as string)}`, { body: { contentType: 'HTML', content: '<p>Agenda</p>' } }), 200);
  await ok(sdr.call('POST', `${sdr.base}/events/${encodeURIComponent(series.id as string)}/cancel`, { comment: 'Pair ended' }), 202);
  const other = await ok(sdr.call('POST', `${sdr.base}/events`, { subject: `Prep ${tag}`, start: { dateTime: '2026-11-26T09:00:00', timeZone: 'UTC' }, end: { dateTime: '2026-11-26T09:30:00', timeZone: 'UTC' } }), 201);
  await ok(sdr.call('DELETE', `${sdr.base}/events/${encodeURIComponent(other.id as string)}`), 204);
  if (deltaLink) await ok(sdr.call('GET', new URL(deltaLink).pathname + new URL(deltaLink).search), 200);

  // ----- errors in Graph's shape
  await sdr.call('GET', `${sdr.base}/messages/AAMkAGnotthere=`);
  await sdr.call('GET', `${sdr.base}/events/not-an-id`);
}

async function subscriptions(): Promise<void> {
  const expires = (minutes: number) => new Date(h.sb.clock.now().getTime() + minutes * 60_000).toISOString();
  const sub = await ok(
    rec.app('POST', '/v1.0/subscriptions', {
      changeType: 'created,updated,deleted',
      notificationUrl: rx.url('/notify'),
      lifecycleNotificationUrl: rx.url('/lifecycle'),
      resource: `users/${demoUsers.antonAe}/messages`,
      expirationDateTime: expires(60),
      clientState: 'secretClientValue',
    }),
    201,
  );
  const events = await ok(
    rec.app('POST', '/v1.0/subscriptions', { changeType: 'created', notificationUrl: rx.url('/notify'), resource: `users/${demoUsers.antonAe}/events`, expirationDateTime: expires(60) }),
    201,
  );
  await ok(rec.app('GET', '/v1.0/subscriptions'), 200);
  await ok(rec.app('GET', `/v1.0/subscriptions/${String(sub.id)}`), 200);
  await ok(rec.app('PATCH', `/v1.0/subscriptions/${String(sub.id)}`, { expirationDateTime: expires(120) }), 200);
  const reauth = await rec.app('POST', `/v1.0/subscriptions/${String(sub.id)}/reauthorize`);
  if (reauth.status >= 300) throw new Error(`reauthorize: ${reauth.status}`);
  // A change to notify, and lifecycle notifications.
  await ok(rec.app('POST', `/v1.0/users/${demoUsers.sofiaSdr}/sendMail`, { message: { subject: 'Ping', toRecipients: [{ emailAddress: { address: 'anton.weber@contoso-sales.example' } }] } }), 202);
  await ok(rec.app('POST', `/v1.0/users/${demoUsers.antonAe}/events`, { subject: 'Notified', start: { dateTime: '2026-11-27T09:00:00', timeZone: 'UTC' }, end: { dateTime: '2026-11-27T10:00:00', timeZone: 'UTC' } }), 201);
  await h.sb.subscriptions.sendLifecycle(String(sub.id), 'reauthorizationRequired');
  await h.sb.subscriptions.sendLifecycle(String(sub.id), 'missed');
  await h.sb.subscriptions.idle();
  await rx.waitFor(() => rx.postsTo('/notify').length > 0 && rx.postsTo('/lifecycle').length > 1);
  await ok(rec.app('DELETE', `/v1.0/subscriptions/${String(sub.id)}`), 204);
  await ok(rec.app('DELETE', `/v1.0/subscriptions/${String(events.id)}`), 204);
  await rec.app('GET', `/v1.0/subscriptions/${String(sub.id)}`);
}

async function batch(): Promise<void> {
  await ok(
    rec.app('POST', '/v1.0/$batch', {
      requests: [
        { id: '1', method: 'GET', url: `/users/${demoUsers.elenaAe}?$select=displayName,mail` },
        { id: '2', method: 'GET', url: `/users/${demoUsers.elenaAe}/mailboxSettings` },
        { id: '3', method: 'GET', url: `/users/${demoUsers.antonAe}/calendarView?${windowQuery}&$top=2` },
        { id: '4', method: 'GET', url: `/users/${demoUsers.antonAe}/messages?$top=2`, dependsOn: ['3'] },
        {
          id: '5',
          method: 'POST',
          url: `/users/${demoUsers.antonAe}/calendar/getSchedule`,
          headers: { 'Content-Type': 'application/json' },
          body: { schedules: ['elena.rossi@contoso-sales.example'], startTime: { dateTime: '2026-11-25T08:00:00', timeZone: 'UTC' }, endTime: { dateTime: '2026-11-25T12:00:00', timeZone: 'UTC' } },
        },
        { id: '6', method: 'GET', url: `/users/${demoUsers.antonAe}/messages/AAMkAGmissing=` },
        { id: '7', method: 'GET', url: `/users/${demoUsers.antonAe}/manager`, dependsOn: ['6'] },
      ],
    }),
    200,
  );
}
