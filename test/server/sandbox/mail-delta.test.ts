// Message delta per mail folder as a sync client sees it: the initial round in pages (Prefer: odata.maxpagesize or
// $top), a deltaLink, then only what changed in that folder (created, updated, @removed for deleted or moved-out
// items), the changeType option, and 410 / 400 for expired or garbled tokens.
 
import { demoUsers, startSandboxHarness, type GraphAnswer, type SandboxHarness } from './harness';

const domain = 'contoso-sales.example';
const anton = demoUsers.antonAe;
const base = `/v1.0/users/${anton}`;
const local = (link: string) => link.replace('https://sandbox.test', '');

let h: SandboxHarness;
beforeAll(async () => {
  h = await startSandboxHarness();
});
afterAll(() => h.close());

async function mailToAnton(subject: string): Promise<void> {
  const r = await h.graph('POST', `/v1.0/users/${demoUsers.sofiaSdr}/sendMail`, { message: { subject, toRecipients: [{ emailAddress: { address: `anton.weber@${domain}` } }] } });
  expect(r.status).toBe(202);
  h.sb.clock.advance(1000);
}

/** Follows nextLinks to the deltaLink; returns every entry and the deltaLink. */
async function sync(url: string, headers: Record<string, string> = {}): Promise<{ entries: any[]; deltaLink: string; pages: GraphAnswer[] }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- Graph JSON
  const pages: GraphAnswer[] = [];
  let next: string | undefined = url;
  while (next !== undefined) {
    const page = await h.graph('GET', next, undefined, headers);
    expect(page.status).toBe(200);
    pages.push(page);
    next = page.body['@odata.nextLink'] === undefined ? undefined : local(page.body['@odata.nextLink']);
    if (next === undefined) expect(page.body['@odata.deltaLink']).toEqual(expect.any(String));
  }
  const last = pages[pages.length - 1];
  return { entries: pages.flatMap((p) => p.body.value), deltaLink: local(String(last?.body['@odata.deltaLink'])), pages };
}

describe('mailFolders/{id}/messages/delta', () => {
  let deltaLink = '';
  let ids: Record<string, string> = {};

  it('returns every message of the folder in pages of odata.maxpagesize, then a deltaLink', async () => {
    for (const s of ['one', 'two', 'three']) await mailToAnton(s);
    const { entries, deltaLink: link, pages } = await sync(`${base}/mailFolders/inbox/messages/delta`, { prefer: 'odata.maxpagesize=2' });
    expect(pages).toHaveLength(2);
    expect(pages[0]?.headers['preference-applied']).toBe('odata.maxpagesize=2');
    expect(pages[0]?.body['@odata.context']).toBe('https://sandbox.test/v1.0/$metadata#Collection(message)');
    expect(pages[0]?.body['@odata.nextLink']).toMatch(new RegExp(`^https://sandbox\\.test/v1\\.0/users/${anton}/mailFolders/inbox/messages/delta\\?\\$skiptoken=`));
    expect(pages[0]?.body.value).toHaveLength(2);
    expect(entries.map((m) => m.subject).sort()).toEqual(['one', 'three', 'two']);
    expect(entries[0]).toMatchObject({ isRead: false, from: { emailAddress: { address: `sofia.keller@${domain}` } } });
    expect(entries[0].internetMessageHeaders).toBeUndefined();
    expect(link).toMatch(/\$deltatoken=/);
    deltaLink = link;
    ids = Object.fromEntries(entries.map((m) => [m.subject, m.id]));
  });

  it('then answers only what changed in that folder: created, updated and @removed', async () => {
    await mailToAnton('four');
    await h.graph('PATCH', `${base}/messages/${ids['one']}`, { isRead: true });
    await h.graph('DELETE', `${base}/messages/${ids['two']}`);
    const moved = await h.graph('POST', `${base}/messages/${ids['three']}/move`, { destinationId: 'deleteditems' });
    expect(moved.status).toBe(201);
    // Changes elsewhere (Anton's Sent Items, other mailboxes) stay out.
    await h.graph('POST', `${base}/sendMail`, { message: { subject: 'from anton', toRecipients: [{ emailAddress: { address: `megan.bauer@${domain}` } }] } });

    const { entries, deltaLink: next } = await sync(deltaLink);
    const bySubject = (s: string) => entries.find((e) => e.subject === s);
    expect(entries).toHaveLength(4);
    expect(bySubject('four')).toMatchObject({ isRead: false });
    expect(bySubject('one')).toMatchObject({ id: ids['one'], isRead: true });
    expect(entries.filter((e) => e['@removed'] !== undefined)).toEqual([
      { '@odata.type': '#microsoft.graph.message', id: ids['two'], '@removed': { reason: 'deleted' } },
      { '@odata.type': '#microsoft.graph.message', id: ids['three'], '@removed': { reason: 'deleted' } },
    ]);

    // Nothing changed since: an empty page with a new deltaLink.
    const quiet = await h.graph('GET', next);
    expect(quiet.body.value).toEqual([]);
    expect(quiet.body['@odata.deltaLink']).toEqual(expect.any(String));

    // The moved message shows up in the destination folder's own delta.
    const deleted = await sync(`${base}/mailFolders/deleteditems/messages/delta?$select=subject`);
    expect(deleted.entries).toEqual([{ '@odata.etag': expect.any(String), id: ids['three'], subject: 'three' }]);
    deltaLink = next;
  });

  it('keeps $select in its links, and filters with changeType', async () => {
    const first = await sync(`${base}/mailFolders/inbox/messages/delta?$select=subject,isRead&$top=1`);
    expect(first.pages.length).toBeGreaterThan(1);
    for (const e of first.entries) expect(Object.keys(e).sort()).toEqual(['@odata.etag', 'id', 'isRead', 'subject']);

    await mailToAnton('five');
    const four = first.entries.find((e) => e.subject === 'four');
    await h.graph('PATCH', `${base}/messages/${String(four?.id)}`, { isRead: true });
    const created = await sync(`${first.deltaLink}&changeType=created`);
    expect(created.entries.map((e) => e.subject)).toEqual(['five']);
    expect(Object.keys(created.entries[0]).sort()).toEqual(['@odata.etag', 'id', 'isRead', 'subject']);
    const updated = await sync(`${first.deltaLink}&changeType=updated`);
    expect(updated.entries.map((e) => e.subject)).toEqual(['four']);
    const bad = await h.graph('GET', `${first.deltaLink}&changeType=moved`);
    expect(bad.status).toBe(400);
  });

  it('takes $filter=receivedDateTime ge {value} and refuses other filters and orders as Graph does', async () => {
    const since = h.sb.clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    await mailToAnton('six');
    const r = await sync(`${base}/mailFolders/inbox/messages/delta?$filter=${encodeURIComponent(`receivedDateTime ge ${since}`)}`);
    expect(r.entries.map((e) => e.subject)).toEqual(['six']);
    const other = await h.graph('GET', `${base}/mailFolders/inbox/messages/delta?$filter=${encodeURIComponent("subject eq 'six'")}`);
    expect(other.status).toBe(400);
    expect(other.body.error.code).toBe('ErrorInvalidUrlQuery');
    const order = await h.graph('GET', `${base}/mailFolders/inbox/messages/delta?$orderby=subject`);
    expect(order.status).toBe(400);
  });

  it('answers 410 SyncStateNotFound for a token older than the change feed keeps, 400 for a garbled one', async () => {
    const token = new URL(deltaLink, 'https://sandbox.test').searchParams.get('$deltatoken') ?? '';
    h.sb.changes.truncate(h.sb.changes.head());
    const expired = await h.graph('GET', deltaLink);
    expect(expired.status).toBe(410);
    expect(expired.body.error.code).toBe('SyncStateNotFound');
    for (const garbled of ['garbage', `${token.slice(0, -6)}xx`]) {
      const r = await h.graph('GET', `${base}/mailFolders/inbox/messages/delta?$deltatoken=${garbled}`);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('ErrorInvalidSyncStateData');
    }
    // A token of another folder or mailbox is refused too.
    const otherFolder = await h.graph('GET', deltaLink.replace('/inbox/', '/sentitems/'));
    expect(otherFolder.status).toBe(400);
    // A fresh sync starts over.
    const fresh = await sync(`${base}/mailFolders/inbox/messages/delta`);
    expect(fresh.entries.map((e) => e.subject).sort()).toEqual(['five', 'four', 'one', 'six']);
  });
});
