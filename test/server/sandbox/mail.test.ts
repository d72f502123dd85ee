// The sandbox's Graph mail as a Graph client sees it: sendMail delivery to tenant inboxes and Sent Items, drafts,
// replies and createReply with threading headers, mail folders, list queries, the MailService API the calendar
// uses, change-feed entries, and Graph's errors for bad input.
 
import fs from 'node:fs';
import path from 'node:path';
import type { Change } from '../../../server/sandbox/change-feed';
import { graphAudience } from '../../../server/sandbox/identity';
import type { JsonObject } from '../../../server/sandbox/odata';
import { demoUsers, startSandboxHarness, type GraphAnswer, type SandboxHarness } from './harness';

const domain = 'contoso-sales.example';
const addr = { sofia: `sofia.keller@${domain}`, anton: `anton.weber@${domain}`, elena: `elena.rossi@${domain}`, jordan: `jordan.price@${domain}`, megan: `megan.bauer@${domain}`, priya: `priya.shah@${domain}` };
const to = (...addresses: string[]) => addresses.map((address) => ({ emailAddress: { address } }));
const examplesDir = path.resolve(__dirname, '../../../../shared/graph/examples');
const example = (name: string): { request: { body: unknown }; response: { status: number; body: any } } => // eslint-disable-line @typescript-eslint/no-explicit-any -- Graph JSON
  JSON.parse(fs.readFileSync(path.join(examplesDir, `${name}.json`), 'utf8'));

let h: SandboxHarness;
let feed: Change[] = [];
beforeAll(async () => {
  h = await startSandboxHarness();
  h.sb.changes.subscribe((c) => feed.push(c));
});
afterAll(() => h.close());

const users = (id: string) => `/v1.0/users/${id}`;
async function list(user: string, query = ''): Promise<GraphAnswer> {
  return h.graph('GET', `${users(user)}/messages${query}`);
}
async function inbox(user: string, query = ''): Promise<any[]> { // eslint-disable-line @typescript-eslint/no-explicit-any -- Graph JSON
  const r = await h.graph('GET', `${users(user)}/mailFolders/inbox/messages${query}`);
  expect(r.status).toBe(200);
  return r.body.value;
}
async function sendMail(from: string, message: unknown, saveToSentItems?: unknown): Promise<GraphAnswer> {
  return h.graph('POST', `${users(from)}/sendMail`, saveToSentItems === undefined ? { message } : { message, saveToSentItems });
}
const uniqueSubject = (() => {
  let n = 0;
  return (label: string) => `${label} n${++n}`;
})();

describe('sendMail', () => {
  it('answers 202 with no body and delivers a copy to each tenant recipient and to Sent Items', async () => {
    const subject = uniqueSubject('Intro: Fabrikam');
    feed = [];
    const r = await sendMail(demoUsers.sofiaSdr, {
      subject,
      body: { contentType: 'HTML', content: '<p>Anton, meet <b>Pat</b> from Fabrikam.</p>' },
      toRecipients: to(addr.anton, 'pat@fabrikam.example'),
      ccRecipients: to(addr.elena),
      bccRecipients: to(addr.jordan),
      internetMessageHeaders: [{ name: 'x-baton-lead', value: 'L-42' }],
    });
    expect(r.status).toBe(202);
    expect(r.body).toBeNull();

    const [sent] = (await h.graph('GET', `${users(demoUsers.sofiaSdr)}/mailFolders/sentitems/messages?$filter=${encodeURIComponent(`subject eq '${subject}'`)}`)).body.value;
    const [received] = (await inbox(demoUsers.antonAe)).filter((m) => m.subject === subject);
    const [cc] = (await inbox(demoUsers.elenaAe)).filter((m) => m.subject === subject);
    const [bcc] = (await inbox(demoUsers.jordanAe)).filter((m) => m.subject === subject);
    for (const copy of [sent, received, cc, bcc]) {
      expect(copy).toMatchObject({
        subject,
        isDraft: false,
        hasAttachments: false,
        importance: 'normal',
        inferenceClassification: 'focused',
        categories: [],
        flag: { flagStatus: 'notFlagged' },
        from: { emailAddress: { name: 'Sofia Keller', address: addr.sofia } },
        sender: { emailAddress: { name: 'Sofia Keller', address: addr.sofia } },
        body: { contentType: 'html', content: expect.stringContaining('<p>Anton, meet <b>Pat</b> from Fabrikam.</p>') },
        bodyPreview: 'Anton, meet Pat from Fabrikam.',
        internetMessageId: sent.internetMessageId,
        conversationId: sent.conversationId,
        conversationIndex: sent.conversationIndex,
        sentDateTime: sent.sentDateTime,
      });
      expect(copy['@odata.etag']).toBe(`W/"${copy.changeKey}"`);
      expect(copy.webLink).toMatch(/^https:\/\/sandbox\.test\/sandbox\/\?ItemID=/);
      expect(copy.internetMessageHeaders).toBeUndefined();
    }
    expect(sent.sentDateTime).toMatch(/^2026-11-23T08:00:\d{2}Z$/);
    expect(sent.internetMessageId).toMatch(new RegExp(`^<[0-9A-F]+@${domain.replace('.', '\\.')}>$`));
    expect(new Set([sent.id, received.id, cc.id, bcc.id]).size).toBe(4);
    expect(sent.isRead).toBe(true);
    expect(received.isRead).toBe(false);
    expect(sent.bccRecipients).toEqual([{ emailAddress: { name: 'Jordan Price', address: addr.jordan } }]);
    expect(received.bccRecipients).toEqual([]);
    expect(received.toRecipients).toEqual([
      { emailAddress: { name: 'Anton Weber', address: addr.anton } },
      { emailAddress: { name: 'pat@fabrikam.example', address: 'pat@fabrikam.example' } },
    ]);
    const antonInbox = await h.graph('GET', `${users(demoUsers.antonAe)}/mailFolders/inbox`);
    expect(received.parentFolderId).toBe(antonInbox.body.id);

    // One change per stored copy, each naming the copy's folder.
    expect(feed.map((c) => [c.userId, c.changeType, c.kind])).toEqual([
      [demoUsers.sofiaSdr, 'created', 'message'],
      [demoUsers.antonAe, 'created', 'message'],
      [demoUsers.elenaAe, 'created', 'message'],
      [demoUsers.jordanAe, 'created', 'message'],
    ]);
    expect(feed[1]).toMatchObject({ itemId: received.id, folderId: antonInbox.body.id });
  });

  it('keeps custom x- headers and sets Message-ID in internetMessageHeaders, only when selected', async () => {
    const subject = uniqueSubject('Headers');
    const { message } = example('user-sendmail.2').request.body as { message: JsonObject };
    await sendMail(demoUsers.sofiaSdr, { ...message, subject, toRecipients: to(addr.anton) });
    const [m] = (await inbox(demoUsers.antonAe)).filter((x) => x.subject === subject);
    const r = await h.graph('GET', `${users(demoUsers.antonAe)}/messages/${m.id}?$select=internetMessageHeaders`);
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(['@odata.context', '@odata.etag', 'id', 'internetMessageHeaders']);
    expect(r.body['@odata.context']).toBe(`https://sandbox.test/v1.0/$metadata#users('${demoUsers.antonAe}')/messages(internetMessageHeaders)/$entity`);
    const headers = Object.fromEntries(r.body.internetMessageHeaders.map((x: { name: string; value: string }) => [x.name, x.value]));
    expect(headers).toMatchObject({
      'x-custom-header-group-name': 'Nevada',
      'x-custom-header-group-id': 'NV001',
      'Message-ID': m.internetMessageId,
      Subject: subject,
      'MIME-Version': '1.0',
      'Content-Type': 'text/html; charset="utf-8"',
    });
    expect(headers['In-Reply-To']).toBeUndefined();
  });

  it('saves nothing in Sent Items when saveToSentItems is false (also the string "false" of Graph\'s example)', async () => {
    for (const flag of [false, 'false']) {
      const subject = uniqueSubject('No copy');
      expect((await sendMail(demoUsers.sofiaSdr, { subject, toRecipients: to(addr.anton) }, flag)).status).toBe(202);
      const sent = await h.graph('GET', `${users(demoUsers.sofiaSdr)}/mailFolders/sentitems/messages?$filter=${encodeURIComponent(`subject eq '${subject}'`)}`);
      expect(sent.body.value).toEqual([]);
      expect((await inbox(demoUsers.antonAe)).some((m) => m.subject === subject)).toBe(true);
    }
  });

  it('keeps mail to people outside the tenant only in Sent Items', async () => {
    const subject = uniqueSubject('External');
    expect((await sendMail(demoUsers.sofiaSdr, { subject, toRecipients: to('lead@fabrikam.example') })).status).toBe(202);
    const sent = await h.graph('GET', `${users(demoUsers.sofiaSdr)}/mailFolders/sentitems/messages?$filter=${encodeURIComponent(`subject eq '${subject}'`)}&$select=toRecipients`);
    expect(sent.body.value).toHaveLength(1);
    for (const user of Object.values(demoUsers)) expect((await inbox(user)).some((m) => m.subject === subject)).toBe(false);
  });

  it.each(['user-sendmail.1', 'user-sendmail.2', 'user-sendmail.3'])('accepts Graph\'s example %s (202)', async (name) => {
    const r = await h.graph('POST', `${users(demoUsers.liamSdr)}/sendMail`, example(name).request.body);
    expect(r.status).toBe(202);
    expect(r.body).toBeNull();
  });

  it('marks a message sent with a file attachment (Graph example 3) as having attachments', async () => {
    const body = example('user-sendmail.3').request.body as { message: JsonObject };
    const subject = uniqueSubject('With attachment');
    await sendMail(demoUsers.liamSdr, { ...body.message, subject, toRecipients: to(addr.anton) });
    const [m] = (await inbox(demoUsers.antonAe)).filter((x) => x.subject === subject);
    expect(m.hasAttachments).toBe(true);
    const att = await h.graph('GET', `${users(demoUsers.antonAe)}/messages/${m.id}/attachments`);
    expect(att.body.value).toEqual([expect.objectContaining({ '@odata.type': '#microsoft.graph.fileAttachment', name: 'attachment.txt', contentBytes: 'SGVsbG8gV29ybGQh', size: 12 })]);
  });

  it('sends a base64 MIME message (text/plain), as Graph example 4 does', async () => {
    const subject = uniqueSubject('MIME');
    const mime = [`From: Liam Novak <liam.novak@${domain}>`, `To: Anton Weber <${addr.anton}>`, `Subject: ${subject}`, 'X-Baton-Lead: L-7', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset="utf-8"', '', 'Hello from MIME.', ''].join('\r\n');
    const r = await h.app.inject({
      method: 'POST',
      url: `${users(demoUsers.liamSdr)}/sendMail`,
      headers: { authorization: `Bearer ${h.appToken}`, 'content-type': 'text/plain' },
      payload: Buffer.from(mime).toString('base64'),
    });
    expect(r.statusCode).toBe(202);
    const [m] = (await inbox(demoUsers.antonAe, '?$select=subject,body,internetMessageHeaders')).filter((x) => x.subject === subject);
    expect(m.body).toEqual({ contentType: 'text', content: 'Hello from MIME.' });
    expect(m.internetMessageHeaders).toContainEqual({ name: 'X-Baton-Lead', value: 'L-7' });
    const bad = await h.app.inject({ method: 'POST', url: `${users(demoUsers.liamSdr)}/sendMail`, headers: { authorization: `Bearer ${h.appToken}`, 'content-type': 'text/plain' }, payload: '!!not base64!!' });
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body).error.code).toBe('ErrorMimeContentInvalidBase64String');
  });
});

describe('drafts', () => {
  it('creates a draft (Graph example 1) with the example\'s shape, in Drafts', async () => {
    const ex = example('user-post-messages.1');
    const r = await h.graph('POST', `${users(demoUsers.sofiaSdr)}/messages`, ex.request.body);
    expect(r.status).toBe(201);
    expect(r.headers['location']).toBe(`https://sandbox.test/v1.0/users('${demoUsers.sofiaSdr}')/messages('${encodeURIComponent(r.body.id)}')`);
    const expected = ex.response.body ?? {};
    // Graph's example omits `flag`, which its example 2 (and Graph) answers for every message.
    expect(Object.keys(r.body).filter((k) => k !== 'flag')).toEqual(Object.keys(expected));
    expect(r.body).toMatchObject({
      '@odata.context': `https://sandbox.test/v1.0/$metadata#users('${demoUsers.sofiaSdr}')/messages/$entity`,
      subject: "Did you see last night's game?",
      importance: 'low',
      isDraft: true,
      isRead: true,
      bodyPreview: 'They were awesome!',
      body: { contentType: 'html' },
      toRecipients: [{ emailAddress: { name: 'AdeleV@contoso.onmicrosoft.com', address: 'AdeleV@contoso.onmicrosoft.com' } }],
      ccRecipients: [],
      bccRecipients: [],
      replyTo: [],
    });
    const drafts = await h.graph('GET', `${users(demoUsers.sofiaSdr)}/mailFolders/drafts`);
    expect(r.body.parentFolderId).toBe(drafts.body.id);
  });

  it('accepts only x- custom headers on a draft (Graph example 2), and 400 for any other name', async () => {
    const ok = await h.graph('POST', `${users(demoUsers.sofiaSdr)}/messages`, example('user-post-messages.2').request.body);
    expect(ok.status).toBe(201);
    expect(ok.body.flag).toEqual({ flagStatus: 'notFlagged' });
    const headers = await h.graph('GET', `${users(demoUsers.sofiaSdr)}/messages/${ok.body.id}?$select=internetMessageHeaders`);
    expect(headers.body.internetMessageHeaders).toEqual([
      { name: 'x-custom-header-group-name', value: 'Washington' },
      { name: 'x-custom-header-group-id', value: 'WA001' },
    ]);
    const bad = await h.graph('POST', `${users(demoUsers.sofiaSdr)}/messages`, { subject: 'x', internetMessageHeaders: [{ name: 'Reply-To', value: 'a@b.example' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('InvalidInternetMessageHeader');
    expect(bad.body.error.message).toMatch(/'Reply-To'/);
  });

  it('updates a draft (new changeKey), sends it (202): it moves to Sent Items and is delivered', async () => {
    const subject = uniqueSubject('Draft');
    const created = await h.graph('POST', `${users(demoUsers.danaSdr)}/messages`, { subject: 'placeholder', body: { contentType: 'Text', content: 'Hi' } });
    h.sb.clock.advance(60_000);
    const patched = await h.graph('PATCH', `${users(demoUsers.danaSdr)}/messages/${created.body.id}`, { subject, toRecipients: to(addr.priya) });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ subject, isDraft: true, toRecipients: [{ emailAddress: { name: 'Priya Shah', address: addr.priya } }] });
    expect(patched.body.changeKey).not.toBe(created.body.changeKey);
    expect(patched.body.lastModifiedDateTime).not.toBe(created.body.lastModifiedDateTime);

    feed = [];
    const sent = await h.graph('POST', `${users(demoUsers.danaSdr)}/messages/${created.body.id}/send`);
    expect(sent.status).toBe(202);
    expect(sent.body).toBeNull();
    const drafts = await h.graph('GET', `${users(demoUsers.danaSdr)}/mailFolders/drafts/messages?$filter=${encodeURIComponent(`subject eq '${subject}'`)}`);
    expect(drafts.body.value).toEqual([]);
    const inSent = await h.graph('GET', `${users(demoUsers.danaSdr)}/mailFolders/sentitems/messages/${created.body.id}`);
    expect(inSent.status).toBe(200);
    expect(inSent.body).toMatchObject({ isDraft: false, subject, from: { emailAddress: { address: `dana.whit@${domain}` } } });
    const [received] = (await inbox(demoUsers.priyaAe)).filter((m) => m.subject === subject);
    expect(inSent.body.internetMessageId).toBe(created.body.internetMessageId);
    expect(received).toMatchObject({ internetMessageId: inSent.body.internetMessageId, conversationId: created.body.conversationId, body: { contentType: 'text', content: 'Hi' } });
    const draftsId = (await h.graph('GET', `${users(demoUsers.danaSdr)}/mailFolders/drafts`)).body.id;
    expect(feed.map((c) => [c.changeType, c.folderId === draftsId])).toEqual([
      ['deleted', true],
      ['created', false],
      ['created', false],
    ]);
  });

  it('refuses to change the recipients of a sent message, and to send it again', async () => {
    const [m] = await inbox(demoUsers.antonAe, '?$top=1');
    const r = await h.graph('PATCH', `${users(demoUsers.antonAe)}/messages/${m.id}`, { toRecipients: to(addr.megan) });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('ErrorInvalidPropertyUpdateSentMessage');
    const read = await h.graph('PATCH', `${users(demoUsers.antonAe)}/messages/${m.id}`, { isRead: true, categories: ['Baton'], flag: { flagStatus: 'flagged' } });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ isRead: true, categories: ['Baton'], flag: { flagStatus: 'flagged' } });
    const again = await h.graph('POST', `${users(demoUsers.antonAe)}/messages/${m.id}/send`);
    expect(again.status).toBe(400);
  });

  it('deletes a message (204); it is then gone (404)', async () => {
    const created = await h.graph('POST', `${users(demoUsers.sofiaSdr)}/messages`, { subject: 'to delete' });
    const del = await h.graph('DELETE', `${users(demoUsers.sofiaSdr)}/messages/${created.body.id}`);
    expect(del.status).toBe(204);
    const get = await h.graph('GET', `${users(demoUsers.sofiaSdr)}/messages/${created.body.id}`);
    expect(get.status).toBe(404);
    expect(get.body.error.code).toBe('ErrorItemNotFound');
  });
});

describe('replies', () => {
  async function thread(): Promise<{ subject: string; original: any; antonCopy: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- Graph JSON
    const subject = uniqueSubject('Hand-off');
    await sendMail(demoUsers.sofiaSdr, { subject, body: { contentType: 'text', content: 'Over to you.' }, toRecipients: to(addr.anton), ccRecipients: to(addr.megan, 'pat@fabrikam.example') });
    const [original] = (await h.graph('GET', `${users(demoUsers.sofiaSdr)}/mailFolders/sentitems/messages?$filter=${encodeURIComponent(`subject eq '${subject}'`)}`)).body.value;
    const [antonCopy] = (await inbox(demoUsers.antonAe)).filter((m) => m.subject === subject);
    h.sb.clock.advance(5 * 60_000);
    return { subject, original, antonCopy };
  }
  const headerMap = (m: { internetMessageHeaders: Array<{ name: string; value: string }> }) => Object.fromEntries(m.internetMessageHeaders.map((x) => [x.name, x.value]));

  it('reply (202) reaches the sender in the same conversation with In-Reply-To and References', async () => {
    const { subject, original, antonCopy } = await thread();
    const r = await h.graph('POST', `${users(demoUsers.antonAe)}/messages/${antonCopy.id}/reply`, { comment: 'Thanks, Sofia. I will call Pat today.' });
    expect(r.status).toBe(202);
    expect(r.body).toBeNull();
    const [reply] = (await inbox(demoUsers.sofiaSdr, '?$select=subject,conversationId,conversationIndex,toRecipients,ccRecipients,internetMessageHeaders,body,from')).filter((m) => m.subject === `RE: ${subject}`);
    expect(reply).toMatchObject({ conversationId: original.conversationId, from: { emailAddress: { address: addr.anton } }, toRecipients: [{ emailAddress: { address: addr.sofia } }], ccRecipients: [] });
    expect(reply.body.content).toContain('Thanks, Sofia. I will call Pat today.');
    expect(reply.body.content).toContain('Over to you.');
    expect(reply.conversationIndex.startsWith(original.conversationIndex.slice(0, 28))).toBe(true);
    expect(Buffer.from(reply.conversationIndex, 'base64')).toHaveLength(27);
    const headers = headerMap(reply);
    expect(headers['In-Reply-To']).toBe(original.internetMessageId);
    expect(headers['References']).toBe(original.internetMessageId);
    expect((await inbox(demoUsers.meganManager)).filter((m) => m.subject === `RE: ${subject}`)).toHaveLength(0);
    // The replier keeps a copy in Sent Items.
    const sent = await h.graph('GET', `${users(demoUsers.antonAe)}/mailFolders/sentitems/messages?$filter=${encodeURIComponent(`subject eq 'RE: ${subject}'`)}`);
    expect(sent.body.value).toHaveLength(1);
  });

  it('replyAll reaches the sender and the other recipients (To and Cc), not the replier', async () => {
    const { subject, antonCopy } = await thread();
    const r = await h.graph('POST', `${users(demoUsers.antonAe)}/messages/${antonCopy.id}/replyAll`, { comment: 'Looping everyone.' });
    expect(r.status).toBe(202);
    expect((await inbox(demoUsers.sofiaSdr)).filter((m) => m.subject === `RE: ${subject}`)).toHaveLength(1);
    const [megans] = (await inbox(demoUsers.meganManager)).filter((m) => m.subject === `RE: ${subject}`);
    expect(megans.toRecipients.map((x: { emailAddress: { address: string } }) => x.emailAddress.address)).toEqual([addr.sofia]);
    expect(megans.ccRecipients.map((x: { emailAddress: { address: string } }) => x.emailAddress.address)).toEqual([addr.megan, 'pat@fabrikam.example']);
    expect((await inbox(demoUsers.antonAe)).filter((m) => m.subject === `RE: ${subject}`)).toHaveLength(0);
  });

  it('reply with a message (Graph example 1) sends to the recipients given', async () => {
    const { subject, antonCopy } = await thread();
    const body = example('message-reply.1').request.body as { message: JsonObject; comment: string };
    const r = await h.graph('POST', `${users(demoUsers.antonAe)}/messages/${antonCopy.id}/reply`, { ...body, message: { toRecipients: to(addr.elena) } });
    expect(r.status).toBe(202);
    const [m] = (await inbox(demoUsers.elenaAe)).filter((x) => x.subject === `RE: ${subject}`);
    expect(m.body.content).toContain('Samantha, Randi, would you name the group please?');
    const ex = await h.graph('POST', `${users(demoUsers.antonAe)}/messages/${antonCopy.id}/reply`, body);
    expect(ex.status).toBe(202);
  });

  it('createReply (201) makes a draft reply with RE:, recipients and threading headers; sending it threads', async () => {
    const { subject, original, antonCopy } = await thread();
    const r = await h.graph('POST', `${users(demoUsers.antonAe)}/messages/${antonCopy.id}/createReply`);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      '@odata.context': `https://sandbox.test/v1.0/$metadata#users('${demoUsers.antonAe}')/messages/$entity`,
      subject: `RE: ${subject}`,
      isDraft: true,
      conversationId: original.conversationId,
      toRecipients: [{ emailAddress: { name: 'Sofia Keller', address: addr.sofia } }],
      ccRecipients: [],
    });
    const draftHeaders = await h.graph('GET', `${users(demoUsers.antonAe)}/messages/${r.body.id}?$select=internetMessageHeaders`);
    expect(headerMap(draftHeaders.body)).toEqual({ 'In-Reply-To': original.internetMessageId, References: original.internetMessageId });
    await h.graph('PATCH', `${users(demoUsers.antonAe)}/messages/${r.body.id}`, { body: { contentType: 'text', content: 'Booked for Tuesday.' } });
    expect((await h.graph('POST', `${users(demoUsers.antonAe)}/messages/${r.body.id}/send`)).status).toBe(202);
    const [m] = (await inbox(demoUsers.sofiaSdr, '?$select=subject,body,internetMessageHeaders,conversationId')).filter((x) => x.subject === `RE: ${subject}`);
    expect(m.body.content).toBe('Booked for Tuesday.');
    expect(headerMap(m)['In-Reply-To']).toBe(original.internetMessageId);
    expect(m.conversationId).toBe(original.conversationId);

    // A reply to the reply keeps the chain of References.
    await h.graph('POST', `${users(demoUsers.sofiaSdr)}/messages/${m.id}/reply`, { comment: 'Great.' });
    const [second] = (await inbox(demoUsers.antonAe, '?$select=subject,internetMessageHeaders,conversationId&$top=50')).filter((x) => x.subject === `RE: ${subject}`);
    const replyId = (await h.graph('GET', `${users(demoUsers.sofiaSdr)}/messages/${m.id}`)).body.internetMessageId;
    expect(headerMap(second)['References']).toBe(`${original.internetMessageId} ${replyId}`);
    expect(second.conversationId).toBe(original.conversationId);
  });

  it('createReplyAll addresses everyone but the replier', async () => {
    const { antonCopy } = await thread();
    const r = await h.graph('POST', `${users(demoUsers.antonAe)}/messages/${antonCopy.id}/createReplyAll`, { comment: 'All:' });
    expect(r.status).toBe(201);
    expect(r.body.toRecipients.map((x: { emailAddress: { address: string } }) => x.emailAddress.address)).toEqual([addr.sofia]);
    expect(r.body.ccRecipients.map((x: { emailAddress: { address: string } }) => x.emailAddress.address)).toEqual([addr.megan, 'pat@fabrikam.example']);
  });
});

describe('reading mail', () => {
  let mailbox: string;
  let since = '';
  beforeAll(async () => {
    // Marcus gets 12 messages from three senders, one minute apart.
    mailbox = demoUsers.marcusManager;
    const senders = [demoUsers.sofiaSdr, demoUsers.liamSdr, demoUsers.danaSdr];
    for (let i = 0; i < 12; i++) {
      h.sb.clock.advance(60_000);
      if (i === 10) since = h.sb.clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
      const from = senders[i % 3] ?? demoUsers.sofiaSdr;
      await sendMail(from, {
        subject: `Report ${String(i).padStart(2, '0')}`,
        importance: i % 4 === 0 ? 'high' : 'normal',
        toRecipients: to(`marcus.reed@${domain}`, ...(i % 2 === 0 ? ['lead@fabrikam.example'] : [])),
        internetMessageHeaders: i === 5 ? [{ name: 'x-baton-handoff', value: 'H-5' }] : [],
      });
    }
  });

  it('lists newest first, 10 per page, with @odata.nextLink paging ($skip)', async () => {
    const first = await list(mailbox);
    expect(first.status).toBe(200);
    expect(first.body['@odata.context']).toBe(`https://sandbox.test/v1.0/$metadata#users('${mailbox}')/messages`);
    expect(first.body.value).toHaveLength(10);
    expect(first.body.value[0].subject).toBe('Report 11');
    expect(first.body['@odata.nextLink']).toBe(`https://sandbox.test/v1.0/users/${mailbox}/messages?%24skip=10`);
    const next = await h.graph('GET', first.body['@odata.nextLink'].replace('https://sandbox.test', ''));
    const preferred = await list(mailbox, '?$select=subject');
    expect(preferred.body.value).toHaveLength(10);
    const small = await h.graph('GET', `${users(mailbox)}/messages?$select=subject`, undefined, { prefer: 'odata.maxpagesize=4' });
    expect(small.headers['preference-applied']).toBe('odata.maxpagesize=4');
    expect(small.body.value).toHaveLength(4);
    expect(next.body.value.map((m: { subject: string }) => m.subject)).toEqual(['Report 01', 'Report 00']);
    expect(next.body['@odata.nextLink']).toBeUndefined();
  });

  it('answers $select (Graph example: sender,subject) with only those properties', async () => {
    const r = await list(mailbox, '?$select=sender,subject&$top=1');
    expect(r.body['@odata.context']).toBe(`https://sandbox.test/v1.0/$metadata#users('${mailbox}')/messages(sender,subject)`);
    expect(Object.keys(r.body.value[0])).toEqual(Object.keys(example('user-list-messages.1').response.body?.['value']?.[0] ?? {}));
  });

  it.each([
    ["from/emailAddress/address eq 'liam.novak@contoso-sales.example'", ['Report 10', 'Report 07', 'Report 04', 'Report 01']],
    ["importance eq 'high'", ['Report 08', 'Report 04', 'Report 00']],
    ["startswith(subject,'Report 1')", ['Report 11', 'Report 10']],
    ["toRecipients/any(r: r/emailAddress/address eq 'lead@fabrikam.example') and importance eq 'normal'", ['Report 10', 'Report 06', 'Report 02']],
    ["internetMessageHeaders/any(h: h/name eq 'x-baton-handoff' and h/value eq 'H-5')", ['Report 05']],
    ['receivedDateTime ge {since} and isRead eq false', ['Report 11', 'Report 10']],
  ])('filters with %s', async (filter, subjects) => {
    const r = await list(mailbox, `?$filter=${encodeURIComponent(filter.replace('{since}', since))}&$select=subject`);
    expect(r.status).toBe(200);
    expect(r.body.value.map((m: { subject: string }) => m.subject).filter((s: string) => s.startsWith('Report'))).toEqual(subjects);
  });

  it('orders, counts and pages with $orderby, $count, $top and $skip', async () => {
    const r = await list(mailbox, '?$orderby=subject asc&$top=5&$count=true&$select=subject');
    expect(r.body['@odata.count']).toBe(12);
    expect(r.body.value.map((m: { subject: string }) => m.subject)).toEqual(['Report 00', 'Report 01', 'Report 02', 'Report 03', 'Report 04']);
    expect(r.body['@odata.nextLink']).toContain('%24skip=5');
    const last = await list(mailbox, '?$orderby=subject asc&$top=5&$skip=10&$select=subject');
    expect(last.body.value.map((m: { subject: string }) => m.subject)).toEqual(['Report 10', 'Report 11']);
    expect(last.body['@odata.nextLink']).toBeUndefined();
  });

  it('converts bodies on Prefer: outlook.body-content-type="text"', async () => {
    const subject = uniqueSubject('Html body');
    await sendMail(demoUsers.sofiaSdr, { subject, body: { contentType: 'html', content: '<p>Line one</p><p>Line &amp; two</p>' }, toRecipients: to(addr.anton) });
    const [m] = (await inbox(demoUsers.antonAe)).filter((x) => x.subject === subject);
    const r = await h.graph('GET', `${users(demoUsers.antonAe)}/messages/${m.id}?$select=body`, undefined, { prefer: 'outlook.body-content-type="text"' });
    expect(r.headers['preference-applied']).toBe('outlook.body-content-type="text"');
    expect(r.body.body).toEqual({ contentType: 'text', content: 'Line one\r\nLine & two' });
  });

  it('answers a message\'s MIME content at $value (Graph example 4)', async () => {
    const [m] = await inbox(mailbox, '?$top=1');
    const r = await h.app.inject({ method: 'GET', url: `${users(mailbox)}/messages/${m.id}/$value`, headers: { authorization: `Bearer ${h.appToken}` } });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain/);
    expect(r.body).toContain(`Message-ID: ${m.internetMessageId}`);
    expect(r.body).toContain('Subject: Report 11');
    expect(r.body).toMatch(/\r\n\r\n/);
  });

  it('gives mail folders by well-known name and by id, with counts', async () => {
    const folders = await h.graph('GET', `${users(mailbox)}/mailFolders`);
    expect(folders.status).toBe(200);
    expect(folders.body.value.map((f: { displayName: string }) => f.displayName)).toEqual(['Inbox', 'Sent Items', 'Drafts', 'Deleted Items']);
    const inboxFolder = folders.body.value[0];
    expect(inboxFolder).toEqual({ id: expect.any(String), displayName: 'Inbox', parentFolderId: expect.any(String), childFolderCount: 0, unreadItemCount: 12, totalItemCount: 12, isHidden: false });
    const byName = await h.graph('GET', `${users(mailbox)}/mailFolders('Inbox')`);
    expect(byName.body).toMatchObject({ '@odata.context': `https://sandbox.test/v1.0/$metadata#users('${mailbox}')/mailFolders/$entity`, id: inboxFolder.id });
    const byId = await h.graph('GET', `${users(mailbox)}/mailFolders/${inboxFolder.id}/messages?$top=2&$select=subject`);
    expect(byId.body.value.map((m: { subject: string }) => m.subject)).toEqual(['Report 11', 'Report 10']);
    const sent = await h.graph('GET', `${users(mailbox)}/mailFolders/sentitems/messages`);
    expect(sent.body.value).toEqual([]);
  });

  it('works the same under /me for a delegated token, and keeps other mailboxes out (403)', async () => {
    const token = (await h.sb.identity.issueUserToken(mailbox, { audience: graphAudience, scopes: ['Mail.Read'], clientId: h.sb.tenant.apps.addin.clientId })).accessToken;
    const me = await h.graph('GET', '/v1.0/me/messages?$top=1&$select=subject', undefined, { authorization: `Bearer ${token}` });
    expect(me.status).toBe(200);
    expect(me.body.value[0].subject).toBe('Report 11');
    const other = await h.graph('GET', `${users(demoUsers.antonAe)}/messages`, undefined, { authorization: `Bearer ${token}` });
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('ErrorAccessDenied');
  });
});

describe('MailService for other sandbox parts', () => {
  it('deliver keeps an eventMessage as given and fills in the rest', async () => {
    const delivered = h.sb.mail.deliver(demoUsers.antonAe, 'inbox', {
      '@odata.type': '#microsoft.graph.eventMessageRequest',
      subject: 'Discovery call: Fabrikam',
      body: { contentType: 'html', content: '<p>Let us talk.</p>' },
      from: { emailAddress: { name: 'Sofia Keller', address: addr.sofia } },
      toRecipients: to(addr.anton),
      meetingMessageType: 'meetingRequest',
      startDateTime: { dateTime: '2026-11-25T10:00:00.0000000', timeZone: 'UTC' },
      endDateTime: { dateTime: '2026-11-25T10:30:00.0000000', timeZone: 'UTC' },
      isOutOfDate: false,
      isAllDay: false,
      isDelegated: false,
      responseRequested: true,
      'event@odata.navigationLink': `https://sandbox.test/v1.0/users('${demoUsers.antonAe}')/events('AAMkAevent=')`,
    });
    const deliveredId = delivered['id'] as string;
    expect(delivered).toMatchObject({ '@odata.type': '#microsoft.graph.eventMessageRequest', isRead: false, isDraft: false, subject: 'Discovery call: Fabrikam', bodyPreview: 'Let us talk.', sender: { emailAddress: { address: addr.sofia } } });
    const r = await h.graph('GET', `${users(demoUsers.antonAe)}/messages/${deliveredId}`);
    expect(r.body).toMatchObject({ '@odata.type': '#microsoft.graph.eventMessageRequest', meetingMessageType: 'meetingRequest', responseRequested: true, startDateTime: { dateTime: '2026-11-25T10:00:00.0000000', timeZone: 'UTC' } });
    expect(Object.keys(r.body).slice(0, 3)).toEqual(['@odata.context', '@odata.type', '@odata.etag']);
    expect(h.sb.mail.get(demoUsers.antonAe, deliveredId)['internetMessageHeaders']).toEqual(expect.arrayContaining([{ name: 'Subject', value: 'Discovery call: Fabrikam' }]));

    // $expand=microsoft.graph.eventMessage/event through the resolver the calendar registers.
    h.sb.mail.setEventResolver((_user, message) => ({ id: 'AAMkAevent=', subject: message['subject'] as string }));
    const expanded = await h.graph('GET', `${users(demoUsers.antonAe)}/messages/${deliveredId}?$expand=microsoft.graph.eventMessage/event`);
    expect(expanded.body.event).toEqual({ id: 'AAMkAevent=', subject: 'Discovery call: Fabrikam' });
    h.sb.mail.setEventResolver(null);
  });

  it('send and list serve the sandbox page (reply as a user)', () => {
    const result = h.sb.mail.send(demoUsers.priyaAe, { subject: 'From the page', toRecipients: to(addr.sofia) }, true);
    expect(result.delivered.map((d) => d.userId)).toEqual([demoUsers.sofiaSdr]);
    expect(result.sentItem?.['internetMessageId']).toBe(result.internetMessageId);
    const [latest] = h.sb.mail.list(demoUsers.sofiaSdr, 'inbox');
    expect(latest?.['subject']).toBe('From the page');
    const replied = h.sb.mail.reply(demoUsers.sofiaSdr, latest?.['id'] as string, { comment: 'Got it' });
    expect(replied.delivered[0]?.message['subject']).toBe('RE: From the page');
  });
});

describe('bad input', () => {
  const sofia = users(demoUsers.sofiaSdr);
  let known: string;
  beforeAll(async () => {
    known = (await h.graph('POST', `${sofia}/messages`, { subject: 'mine' })).body.id;
  });

  it.each<[string, 'GET' | 'POST' | 'PATCH' | 'DELETE', () => string, unknown, number, string, RegExp | null]>([
    ['malformed JSON', 'POST', () => `${sofia}/sendMail`, '{"message": {', 400, 'BadRequest', /JSON/],
    ['sendMail without message', 'POST', () => `${sofia}/sendMail`, { saveToSentItems: true }, 400, 'BadRequest', /Message/],
    ['sendMail with an empty body', 'POST', () => `${sofia}/sendMail`, undefined, 400, 'BadRequest', null],
    ["sendMail with the message's properties at the top level", 'POST', () => `${sofia}/sendMail`, { subject: 'x', toRecipients: to(addr.anton) }, 400, 'RequestBodyRead', /parameter 'subject'/],
    ['sendMail without recipients', 'POST', () => `${sofia}/sendMail`, { message: { subject: 'x' } }, 400, 'ErrorInvalidRecipients', /no recipients/],
    ['sendMail to an unresolvable address', 'POST', () => `${sofia}/sendMail`, { message: { toRecipients: to('not-an-address') } }, 400, 'ErrorInvalidRecipients', /not-an-address/],
    ['an unknown property', 'POST', () => `${sofia}/sendMail`, { message: { subject: 'x', foo: 1, toRecipients: to(addr.anton) } }, 400, 'RequestBodyRead', /The property 'foo' does not exist on type 'microsoft.graph.message'/],
    ['an unknown nested property', 'POST', () => `${sofia}/messages`, { toRecipients: [{ emailAddress: { address: addr.anton, mail: 'x' } }] }, 400, 'RequestBodyRead', /'mail' does not exist on type 'microsoft.graph.emailAddress'/],
    ['a bad enum value', 'POST', () => `${sofia}/messages`, { importance: 'urgent' }, 400, 'RequestBodyRead', /'urgent'/],
    ['a wrong type', 'POST', () => `${sofia}/messages`, { subject: 42 }, 400, 'RequestBodyRead', null],
    ['saveToSentItems not a boolean', 'POST', () => `${sofia}/sendMail`, { message: { toRecipients: to(addr.anton) }, saveToSentItems: 'maybe' }, 400, 'RequestBodyRead', null],
    ['a malformed message id', 'GET', () => `${sofia}/messages/123`, undefined, 400, 'ErrorInvalidIdMalformed', /Id is malformed/],
    ['an unknown message id', 'GET', () => `${sofia}/messages/AAMkAGI2TAAA=`, undefined, 404, 'ErrorItemNotFound', null],
    ["another mailbox's message id", 'GET', () => `${users(demoUsers.antonAe)}/messages/${known}`, undefined, 404, 'ErrorItemNotFound', null],
    ['replying to an unknown message', 'POST', () => `${sofia}/messages/AAMkAGI2TAAA=/reply`, { comment: 'x' }, 404, 'ErrorItemNotFound', null],
    ['an unknown reply parameter', 'POST', () => `${sofia}/messages/${known}/reply`, { note: 'x' }, 400, 'RequestBodyRead', /parameter 'note'/],
    ['an unknown folder name', 'GET', () => `${sofia}/mailFolders/outbox-ish`, undefined, 400, 'ErrorInvalidIdMalformed', null],
    ['an unknown folder id', 'GET', () => `${sofia}/mailFolders/AQMkADAwATM3ZmYAAA==/messages`, undefined, 404, 'ErrorItemNotFound', null],
    ['an unknown user', 'GET', () => '/v1.0/users/nobody@contoso-sales.example/messages', undefined, 404, 'ErrorInvalidUser', null],
    ['a malformed $filter', 'GET', () => `${sofia}/messages?$filter=${encodeURIComponent("subject eq 'x")}`, undefined, 400, 'BadRequest', /Invalid filter clause/],
    ['an unsupported $filter', 'GET', () => `${sofia}/messages?$filter=${encodeURIComponent("subject in ('a')")}`, undefined, 400, 'ErrorInvalidUrlQueryFilter', null],
    ['a $filter on an unknown property', 'GET', () => `${sofia}/messages?$filter=${encodeURIComponent("colour eq 'red'")}`, undefined, 400, 'BadRequest', /property named 'colour'/],
    ['an unknown $select property', 'GET', () => `${sofia}/messages?$select=subject,colour`, undefined, 400, 'BadRequest', /property named 'colour' on type 'microsoft.graph.message'/],
    ['an unknown $orderby property', 'GET', () => `${sofia}/messages?$orderby=colour desc`, undefined, 400, 'BadRequest', /colour/],
    ['a bad $top', 'GET', () => `${sofia}/messages?$top=ten`, undefined, 400, 'BadRequest', null],
    ['patching with no body', 'PATCH', () => `${sofia}/messages/${known}`, undefined, 400, 'BadRequest', null],
  ])('%s → %d %s', async (_label, method, url, body, status, code, message) => {
    const r = await h.graph(method, url(), body);
    expect(r.status).toBe(status);
    expect(r.body.error.code).toBe(code);
    if (message) expect(r.body.error.message).toMatch(message);
    expect(r.body.error.innerError['request-id']).toBe(r.headers['request-id']);
  });
});
