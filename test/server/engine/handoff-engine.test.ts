// The hand-off engine end to end in the sandbox: the SDR's intro seen sent books the invite on both calendars (and
// the AE's private prep block before a demo), the lead becomes suspect and two SLA obligations open; the AE's reply
// and acceptance meet them; an AE who does nothing is reminded, then their manager gets the breach mail with the SDR
// in copy, exactly once; a decline reaches the SDR at once.
import { startWatchHarness, type WatchHarness } from './watch-harness';

let h: WatchHarness;
beforeAll(async () => {
  // Monday 2026-11-23 08:00 UTC = 09:00 in Berlin.
  h = await startWatchHarness({ engine: true });
}, 60_000);
afterAll(() => h.close());
beforeEach(async () => {
  h.running.sandbox.faults.reset();
  await h.settle();
});

const user = (key: string) => {
  const u = h.people[key];
  if (u === undefined) throw new Error(key);
  return u;
};

async function sendIntro(handoffId: string): Promise<void> {
  const lead = await h.tdb.db.selectFrom('handoffs').innerJoin('leads', 'leads.id', 'handoffs.lead_id').select(['leads.email', 'leads.contact_name']).where('handoffs.id', '=', handoffId).executeTakeFirstOrThrow();
  await h.gateway.sendMail(user('sdr_emea_1').entraOid, {
    to: [{ address: lead.email, name: lead.contact_name }],
    cc: [{ address: user('ae_emea_1').email }],
    subject: `Introduction ${handoffId.slice(0, 8)}`,
    html: '<p>Meet Anton.</p>',
    headers: { 'x-baton-handoff': handoffId },
  });
}

async function inbox(key: string): Promise<{ id: string; subject: string; ccRecipients: { emailAddress: { address: string } }[] }[]> {
  const page = (await h.connection.call((c) => c.api(`/users/${user(key).entraOid}/mailFolders/inbox/messages`).select('id,subject,ccRecipients').top(999).get())) as {
    value: { id: string; subject: string; ccRecipients: { emailAddress: { address: string } }[] }[];
  };
  return page.value;
}

async function aeMessage(key: string, messageId: string | undefined): Promise<{ webLink: string; body: { content: string } }> {
  if (messageId === undefined) throw new Error('message not delivered');
  return (await h.connection.call((c) => c.api(`/users/${user(key).entraOid}/messages/${messageId}`).select('webLink,body').get())) as { webLink: string; body: { content: string } };
}

const unescapeHtml = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

async function handoff(id: string) {
  return h.tdb.db.selectFrom('handoffs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}
async function obligations(id: string) {
  return h.tdb.db.selectFrom('obligations').selectAll().where('handoff_id', '=', id).orderBy('kind').execute();
}

describe('hand-off engine', () => {
  it('books the invite and the prep block once the intro is sent, and counts the AE’s reply and acceptance', async () => {
    const id = await h.newHandoff('sdr_emea_1', 'ae_emea_1');
    await h.tdb.db
      .updateTable('handoffs')
      .set({ demo_requested: true, slot_start: new Date('2026-11-25T13:00:00Z'), slot_end: new Date('2026-11-25T13:30:00Z') })
      .where('id', '=', id)
      .execute();
    await sendIntro(id);
    await h.settle();

    const row = await handoff(id);
    expect(row.stage).toBe('invite_sent');
    expect(row.meeting_start?.toISOString()).toBe('2026-11-25T13:00:00.000Z');
    const lead = await h.tdb.db.selectFrom('leads').select(['status', 'ae_id']).where('id', '=', row.lead_id).executeTakeFirstOrThrow();
    expect(lead).toEqual({ status: 'suspect', ae_id: user('ae_emea_1').id });
    expect((await obligations(id)).map((o) => [o.kind, o.status])).toEqual([
      ['ae_accept', 'open'],
      ['ae_reply', 'open'],
    ]);
    // The due time: 8 working hours of Anton (Berlin, Mon–Fri 09:00–18:00 in his mailbox settings) after the intro
    // sent Monday just after 09:00: Monday just after 17:00 in Berlin.
    const introAt = row.intro_sent_at?.getTime() ?? 0;
    expect(introAt - new Date('2026-11-23T08:00:00Z').getTime()).toBeLessThan(60_000);
    expect((await obligations(id))[0]?.due_at.getTime()).toBe(introAt + 8 * 3600_000);

    const window = { start: new Date('2026-11-25T00:00:00Z'), end: new Date('2026-11-26T00:00:00Z') };
    const anton = await h.gateway.calendarView(user('ae_emea_1').entraOid, window);
    const meeting = anton.find((e) => e.iCalUId === row.meeting_ical_uid);
    expect(meeting?.joinUrl).toMatch(/^https:\/\//);
    const prep = anton.find((e) => e.id === row.prep_event_id);
    expect(prep).toMatchObject({ sensitivity: 'private', showAs: 'busy', start: new Date('2026-11-25T12:30:00Z'), end: new Date('2026-11-25T13:00:00Z') });
    expect((await h.gateway.calendarView(user('sdr_emea_1').entraOid, window)).filter((e) => e.transactionId === id)).toHaveLength(1);

    // Anton replies to the intro and accepts the invite an hour later.
    h.clock.advance(3600_000);
    const intro = (await inbox('ae_emea_1')).find((m) => m.subject === `Introduction ${id.slice(0, 8)}`);
    if (intro === undefined) throw new Error('intro not delivered');
    await h.connection.call((c) => c.api(`/users/${user('ae_emea_1').entraOid}/messages/${intro.id}/reply`).post({ comment: 'Looking forward to it.' }));
    if (meeting === undefined) throw new Error('no meeting copy');
    await h.connection.call((c) => c.api(`/users/${user('ae_emea_1').entraOid}/events/${meeting.id}/accept`).post({ sendResponse: true }));
    await h.settle();
    const met = await obligations(id);
    expect(met.map((o) => [o.kind, o.status, o.met_within_sla])).toEqual([
      ['ae_accept', 'met', true],
      ['ae_reply', 'met', true],
    ]);
    // An hour of working time (plus the seconds the sandbox clock ran meanwhile).
    expect(Number(met[1]?.time_to_respond_ms)).toBeGreaterThanOrEqual(3600_000);
    expect(Number(met[1]?.time_to_respond_ms)).toBeLessThan(3600_000 + 60_000);
    expect((await handoff(id)).stage).toBe('accepted');
  });

  it('reminds the AE, then sends the breach mail to the manager with the SDR in copy, exactly once', async () => {
    const id = await h.newHandoff('sdr_emea_1', 'ae_emea_1');
    const company = (await h.tdb.db.selectFrom('handoffs').innerJoin('leads', 'leads.id', 'handoffs.lead_id').select('leads.company_name').where('handoffs.id', '=', id).executeTakeFirstOrThrow()).company_name;
    const about = (m: { subject: string }) => new RegExp(`${company}\\b`).test(m.subject);
    await sendIntro(id);
    await h.settle();
    // Half of the 8 working hours: the reminder.
    const [first] = await obligations(id);
    if (first === undefined) throw new Error('no obligation');
    expect(first.remind_at.getTime()).toBeLessThan(first.due_at.getTime());
    h.clock.set(new Date(first.remind_at.getTime() + 60_000));
    await h.settle();
    const reminders = (await inbox('ae_emea_1')).filter((m) => about(m) && m.subject.startsWith('Reminder'));
    expect(reminders).toHaveLength(2);
    expect((await obligations(id)).map((o) => o.status)).toEqual(['reminded', 'reminded']);
    // Each reminder opens Anton's own copy of the intro (the SDR's sent copy would not open for him).
    const copy = await aeMessage('ae_emea_1', (await inbox('ae_emea_1')).find((m) => m.subject === `Introduction ${id.slice(0, 8)}`)?.id);
    expect(copy.webLink).toMatch(/^https:\/\/.+ItemID=/);
    for (const r of reminders) {
      const html = (await aeMessage('ae_emea_1', r.id)).body.content;
      const open = /<a [^>]*href="([^"]+)"[^>]*>(?:(?!<\/a>)[\s\S])*Open the intro/.exec(html);
      expect(unescapeHtml(open?.[1] ?? '')).toBe(copy.webLink);
    }
    // Past the deadline: one breach mail per missed obligation, to Megan, Sofia in copy.
    h.clock.set(new Date(first.due_at.getTime() + 60_000));
    await h.settle();
    await h.settle();
    const breaches = (await inbox('mgr_emea')).filter(about);
    expect(breaches).toHaveLength(2);
    for (const b of breaches) expect(b.ccRecipients.map((r) => r.emailAddress.address)).toEqual([user('sdr_emea_1').email]);
    expect((await obligations(id)).map((o) => o.status)).toEqual(['breached', 'breached']);
    const outbox = await h.tdb.db.selectFrom('outbox').select(['idempotency_key', 'status']).where('handoff_id', '=', id).where('kind', '=', 'mail').execute();
    expect(outbox.filter((o) => o.idempotency_key.endsWith(':breach'))).toHaveLength(2);
    expect(outbox.every((o) => o.status === 'done')).toBe(true);
  });

  it('tells the SDR at once when the AE declines the invite', async () => {
    const id = await h.newHandoff('sdr_emea_1', 'ae_emea_1');
    await sendIntro(id);
    await h.settle();
    const row = await handoff(id);
    const copy = (await h.gateway.calendarView(user('ae_emea_1').entraOid, { start: h.clock.now(), end: new Date(h.clock.now().getTime() + 14 * 86_400_000) })).find(
      (e) => e.iCalUId === row.meeting_ical_uid,
    );
    if (copy === undefined) throw new Error('no AE copy');
    const sofiaBefore = (await inbox('sdr_emea_1')).length;
    await h.connection.call((c) => c.api(`/users/${user('ae_emea_1').entraOid}/events/${copy.id}/decline`).post({ sendResponse: true, comment: 'Travelling' }));
    await h.settle();
    expect((await handoff(id)).stage).toBe('declined');
    const findings = await h.tdb.db.selectFrom('handoff_findings').select('kind').where('handoff_id', '=', id).execute();
    expect(findings.map((f) => f.kind)).toContain('declined');
    const sofia = await inbox('sdr_emea_1');
    expect(sofia.length).toBeGreaterThan(sofiaBefore);
    expect(sofia.some((m) => /declin/i.test(m.subject))).toBe(true);
  });
});

describe('a new time proposed', () => {
  it('reaches the SDR at once when the AE answers the invite with a new time, and is kept as a finding', async () => {
    const id = await h.newHandoff('sdr_emea_1', 'ae_emea_1');
    await sendIntro(id);
    await h.settle();
    const row = await handoff(id);
    if (row.meeting_start === null) throw new Error('no meeting booked');
    const window = { start: new Date(row.meeting_start.getTime() - 3600_000), end: new Date(row.meeting_start.getTime() + 3600_000) };
    const copy = (await h.gateway.calendarView(user('ae_emea_1').entraOid, window)).find((e) => e.iCalUId === row.meeting_ical_uid);
    if (copy === undefined) throw new Error('no AE copy');
    const proposed = { start: new Date(row.meeting_start.getTime() + 86_400_000), end: new Date(row.meeting_start.getTime() + 86_400_000 + 30 * 60_000) };
    const zoned = (d: Date) => ({ dateTime: d.toISOString().replace('Z', ''), timeZone: 'UTC' });
    await h.connection.call((c) =>
      c.api(`/users/${user('ae_emea_1').entraOid}/events/${copy.id}/tentativelyAccept`).post({ sendResponse: true, comment: 'Thursday suits me better.', proposedNewTime: { start: zoned(proposed.start), end: zoned(proposed.end) } }),
    );
    await h.settle();
    const findings = await h.tdb.db.selectFrom('handoff_findings').select(['kind', 'details']).where('handoff_id', '=', id).execute();
    expect(findings.map((f) => f.kind)).toContain('time_proposed');
    const company = (await h.tdb.db.selectFrom('leads').select('company_name').where('id', '=', row.lead_id).executeTakeFirstOrThrow()).company_name;
    // Outlook's own response message arrives too; Baton's notice is the one with the proposed time spelled out.
    const notices = (await inbox('sdr_emea_1')).filter((m) => m.subject.startsWith('New time proposed: ') && m.subject.includes(company));
    expect(notices).toHaveLength(1);
  });
});

describe('calendar hygiene', () => {
  it('tells the SDR and the AE of an event overlapping the meeting, with new free times, and keeps the finding', async () => {
    const id = await h.newHandoff('sdr_emea_1', 'ae_emea_1');
    await sendIntro(id);
    await h.settle();
    const row = await handoff(id);
    if (row.meeting_start === null || row.meeting_end === null) throw new Error('no meeting booked');
    const company = (await h.tdb.db.selectFrom('leads').select('company_name').where('id', '=', row.lead_id).executeTakeFirstOrThrow()).company_name;
    await h.gateway.createEvent(user('ae_emea_1').entraOid, {
      subject: 'Board review',
      html: '',
      start: new Date(row.meeting_start.getTime() + 10 * 60_000),
      end: new Date(row.meeting_end.getTime() + 60 * 60_000),
      timeZone: 'Europe/Berlin',
      attendees: [],
      showAs: 'busy',
      transactionId: `board-${id}`,
    });
    await h.settle();
    const findings = await h.tdb.db.selectFrom('handoff_findings').select('kind').where('handoff_id', '=', id).execute();
    expect(findings.map((f) => f.kind)).toEqual(['conflict']);
    for (const key of ['sdr_emea_1', 'ae_emea_1']) {
      const notices = (await inbox(key)).filter((m) => m.subject.startsWith('Calendar check') && m.subject.includes(`${company} `));
      expect(notices).toHaveLength(1);
      const body = (await h.connection.call((c) => c.api(`/users/${user(key).entraOid}/messages/${notices[0]?.id ?? ''}`).select('body').get())) as { body: { content: string } };
      expect(body.body.content).toContain('Board review');
      expect(body.body.content).toContain('Times that are free now');
    }
  });
});

describe('the AE’s prep block', () => {
  it('tells the SDR and the AE when an event lands on the prep block, then when the prep block is deleted, and keeps both findings', async () => {
    const id = await h.newHandoff('sdr_emea_1', 'ae_emea_1');
    await h.tdb.db.updateTable('handoffs').set({ demo_requested: true }).where('id', '=', id).execute();
    await sendIntro(id);
    await h.settle();
    const row = await handoff(id);
    if (row.prep_event_id === null || row.prep_start === null || row.prep_end === null || row.meeting_start === null) throw new Error('no prep block booked');
    expect(row.prep_end.getTime()).toBe(row.meeting_start.getTime());
    const company = (await h.tdb.db.selectFrom('leads').select('company_name').where('id', '=', row.lead_id).executeTakeFirstOrThrow()).company_name;
    const notices = async (key: string) => (await inbox(key)).filter((m) => m.subject.startsWith('Calendar check') && m.subject.includes(`${company} `));

    // A call booked over the prep time only (not the meeting).
    await h.gateway.createEvent(user('ae_emea_1').entraOid, {
      subject: 'Pipeline call',
      html: '',
      start: new Date(row.prep_start.getTime() + 5 * 60_000),
      end: new Date(row.prep_start.getTime() + 20 * 60_000),
      timeZone: 'Europe/Berlin',
      attendees: [],
      showAs: 'busy',
      transactionId: `pipeline-${id}`,
    });
    await h.settle();
    const kinds = async () => (await h.tdb.db.selectFrom('handoff_findings').select('kind').where('handoff_id', '=', id).orderBy('at').execute()).map((f) => f.kind);
    expect(await kinds()).toEqual(['prep_block_overlapped']);
    for (const key of ['sdr_emea_1', 'ae_emea_1']) {
      const [notice] = await notices(key);
      const body = (await h.connection.call((c) => c.api(`/users/${user(key).entraOid}/messages/${notice?.id ?? ''}`).select('body').get())) as { body: { content: string } };
      expect(body.body.content).toContain('Pipeline call');
    }

    // The AE deletes the prep block.
    await h.connection.call((c) => c.api(`/users/${user('ae_emea_1').entraOid}/events/${row.prep_event_id ?? ''}`).delete());
    await h.settle();
    expect(await kinds()).toEqual(['prep_block_overlapped', 'prep_block_deleted']);
    expect((await handoff(id)).prep_event_id).toBeNull();
    for (const key of ['sdr_emea_1', 'ae_emea_1']) expect(await notices(key)).toHaveLength(2);
  });
});

describe('the SDR asks for the invite', () => {
  it('books it at the chosen time before the intro, once; the intro then counts it as sent', async () => {
    const id = await h.newHandoff('sdr_emea_1', 'ae_emea_1');
    const engine = h.runtime.engine;
    if (engine === null) throw new Error('engine off');
    // Whole minutes: Graph keeps event times to the second.
    const at = Math.floor(h.clock.now().getTime() / 60_000) * 60_000 + 3 * 86_400_000;
    const slot = { start: new Date(at), end: new Date(at + 1_800_000) };
    expect(await engine.handoffs.requestInvite(id, slot)).toBe('booked');
    expect(await engine.handoffs.requestInvite(id, null)).toBe('already_booked');
    await h.settle();
    const row = await handoff(id);
    expect(row.meeting_start?.getTime()).toBe(slot.start.getTime());
    await sendIntro(id);
    await h.settle();
    expect((await handoff(id)).stage).toBe('invite_sent');
    const window = { start: slot.start, end: slot.end };
    expect((await h.gateway.calendarView(user('sdr_emea_1').entraOid, window)).filter((e) => e.transactionId === id)).toHaveLength(1);
    expect((await obligations(id)).map((o) => o.kind)).toEqual(['ae_accept', 'ae_reply']);
  });
});

describe('follow-ups', () => {
  it('tells each owner once a day which handed-off leads have no future follow-up, and stops once one is planned', async () => {
    const id = await h.newHandoff('sdr_emea_1', 'ae_emea_1');
    const lead = await h.tdb.db.selectFrom('handoffs').innerJoin('leads', 'leads.id', 'handoffs.lead_id').select(['leads.id', 'leads.company_name']).where('handoffs.id', '=', id).executeTakeFirstOrThrow();
    const isNote = (m: { subject: string }) => /need(s)? a follow-up$/.test(m.subject);
    const seen = new Set((await inbox('sdr_emea_1')).filter(isNote).map((m) => m.id));
    const newNotes = async () => (await inbox('sdr_emea_1')).filter((m) => isNote(m) && !seen.has(m.id));
    const bodyOf = async (id: string) =>
      ((await h.connection.call((c) => c.api(`/users/${user('sdr_emea_1').entraOid}/messages/${id}`).select('body').get())) as { body: { content: string } }).body.content;
    // The next day, 08:30 in Berlin (the earlier tests already moved the clock to later weekdays).
    const next = new Date(h.clock.now().getTime() + 86_400_000);
    h.clock.set(new Date(Date.UTC(next.getUTCFullYear(), next.getUTCMonth(), next.getUTCDate(), 7, 30)));
    await h.settle();
    const today = await newNotes();
    expect(today).toHaveLength(1);
    expect(await bodyOf(today[0]?.id ?? '')).toContain(lead.company_name);
    for (const m of today) seen.add(m.id);
    // Again the same day: nothing new.
    h.clock.advance(3600_000);
    await h.settle();
    expect(await newNotes()).toHaveLength(0);
    // A follow-up planned for this lead: the next day's note no longer lists it.
    await h.tdb.db.insertInto('followups').values({ lead_id: lead.id, owner_id: user('sdr_emea_1').id, due_at: new Date(h.clock.now().getTime() + 7 * 86_400_000), note: 'Call back', created_at: h.clock.now() }).execute();
    h.clock.advance(86_400_000);
    await h.settle();
    for (const m of await newNotes()) expect(await bodyOf(m.id)).not.toContain(lead.company_name);
  });
});
