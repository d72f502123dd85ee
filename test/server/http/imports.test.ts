// POST /api/imports: a CSV upload imported for the calling SDR, with every bad row reported by line; a missing
// required column refuses the file; managers import for an SDR of their team; bodies over the limit get 413.
import { call, errorOf, startHarness, type Harness, type Org } from './harness';

let h: Harness;
let org: Org;
beforeAll(async () => {
  h = await startHarness();
}, 60_000);
afterAll(() => h.close());
beforeEach(async () => {
  org = await h.reset();
});

async function upload(as: Org[keyof Org], csv: string, query = '') {
  const token = await h.idp.sign(as.entraOid);
  const res = await h.app.inject({ method: 'POST', url: `/api/imports${query}`, headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' }, payload: csv });
  return { status: res.statusCode, data: JSON.parse(res.body) as Record<string, unknown> };
}

const csv = [
  'E-mail;Company Name;Full name;Job title;Employees',
  'ada@lovelace-labs.com;Lovelace Labs;Ada Lovelace;CEO;120',
  'not-an-email;Broken Co;Bad Row;CTO;10',
  '"=cmd@evil-formulas.com";"=HYPERLINK(""x"")";"@Mallory";-CFO;5',
].join('\r\n');

describe('POST /api/imports', () => {
  it("imports the caller's leads, reports bad rows by line, and stores formula-like cells as text", async () => {
    const r = await upload(org.emeaSdr, csv);
    expect(r.status).toBe(200);
    expect(r.data).toMatchObject({ rows: 3, created: 2, rejectedCount: 1, delimiter: ';' });
    expect(r.data['rejected']).toEqual([expect.objectContaining({ line: 3, field: 'email' })]);
    const found = await call(h, org.emeaSdr, 'GET', '/api/leads?q=%3Dhyper');
    const items = (found.data as { items: Array<{ companyName: string; contactName: string; ownerId: string }> }).items;
    expect(items).toEqual([expect.objectContaining({ companyName: '=HYPERLINK("x")', contactName: '@Mallory', ownerId: org.emeaSdr.id })]);
    const again = await upload(org.emeaSdr, csv);
    expect(again.data).toMatchObject({ created: 0, skipped: 2 });
  });

  it('refuses a file without a required column and writes nothing', async () => {
    const r = await upload(org.emeaSdr, 'Email,Full name\nx@y-corp.com,X Y\n');
    expect(r.status).toBe(400);
    expect(r.data['error']).toMatchObject({ code: 'missing_header', field: 'companyName' });
    const all = await call(h, org.emeaSdr, 'GET', '/api/leads');
    expect((all.data as { items: unknown[] }).items).toEqual([]);
  });

  it('flags rows another SDR already pursues, naming the owner', async () => {
    await upload(org.emeaSdr, csv);
    const r = await upload(org.emeaSdr2, 'Email,Company,Contact\nbob@lovelace-labs.com,Lovelace Labs,Bob\n');
    expect(r.data).toMatchObject({ created: 0, flaggedCount: 1 });
    expect(r.data['flagged']).toEqual([expect.objectContaining({ line: 2, matchedBy: 'domain', ownerName: 'Sam Sdr' })]);
  });

  it('lets a manager import for an SDR of their team only, and refuses AEs', async () => {
    const ok = await upload(org.emeaManager, csv, `?ownerId=${org.emeaSdr2.id}`);
    expect(ok.status).toBe(200);
    const other = await upload(org.emeaManager, csv, `?ownerId=${org.amerSdr.id}`);
    expect(other.status).toBe(400);
    expect((other.data['error'] as { code: string }).code).toBe('invalid_owner');
    const ae = await upload(org.emeaAe, csv);
    expect(ae.status).toBe(403);
  });

  it('refuses an upload over the import limit with 413, and another content type with 415', async () => {
    const big = await h.app.inject({
      method: 'POST',
      url: '/api/imports',
      headers: { authorization: `Bearer ${await h.idp.sign(org.emeaSdr.entraOid)}`, 'content-type': 'text/csv', 'content-length': String(200 * 1024 * 1024) },
      payload: 'Email,Company,Contact\n',
    });
    expect(big.statusCode).toBe(413);
    const xml = await h.app.inject({ method: 'POST', url: '/api/imports', headers: { authorization: `Bearer ${await h.idp.sign(org.emeaSdr.entraOid)}`, 'content-type': 'application/xml' }, payload: '<a/>' });
    expect(xml.statusCode).toBe(415);
    expect(errorOf(Object.assign(xml, { data: JSON.parse(xml.body) as unknown })).code).toBe('unsupported_media_type');
  });
});
