// importLeads against a real database (embedded, or PostgreSQL when DATABASE_URL is set): fixtures with a BOM,
// semicolons, quoted line breaks and formula-like cells; aliases; duplicates within the file, across imports and
// against another SDR's leads; a 50 MB field; batching and the report's caps.
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fixedClock } from '../../../server/clock';
import type { AuditEntry } from '../../../server/domain/lead';
import { importLeads, type ImportOptions, type ImportReport } from '../../../server/import/lead-import';
import { readLeadRows } from '../../../server/import/lead-rows';
import { createLeadStore, type LeadStore } from '../../../server/store/lead-store';
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import { leadFields } from '../helpers/leads';
import { seedPeople, type TestPeople } from '../helpers/people';

const fixture = (name: string) => path.join(__dirname, '..', '..', 'fixtures', 'csv', name);
const now = new Date('2026-11-24T09:30:00Z');

let tdb: TestDatabase;
let store: LeadStore;
let p: TestPeople;
beforeAll(async () => {
  tdb = await openTestDatabase();
  store = createLeadStore(tdb.db);
}, 60_000);
afterAll(() => tdb.close());
beforeEach(async () => {
  await tdb.reset();
  p = await seedPeople(tdb.db);
});

function options(extra: Partial<ImportOptions> = {}): ImportOptions {
  return { owner: { teamId: 'north', sdrId: p.sdr1.id }, clock: fixedClock(now), ...extra };
}

async function importFile(name: string, extra: Partial<ImportOptions> = {}): Promise<ImportReport> {
  const result = await importLeads(tdb.db, fs.createReadStream(fixture(name)), options(extra));
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

async function leadByEmail(email: string) {
  const { items } = await store.search({ scope: { kind: 'all' }, prefix: email, limit: 2, offset: 0 });
  expect(items).toHaveLength(1);
  return items[0];
}

async function count(table: 'leads' | 'audit_log'): Promise<number> {
  const row = await tdb.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('importLeads', () => {
  it('reads a UTF-8 BOM, semicolons and quoted line breaks; bad rows are reported on the line they start', async () => {
    const report = await importFile('bom-semicolon.csv');
    expect(report).toMatchObject({ rows: 5, created: 3, skipped: 0, flaggedCount: 0, rejectedCount: 2, ignoredHeaders: [], delimiter: ';', encoding: 'utf-8' });
    expect(report.rejected).toEqual([
      { line: 5, field: 'email', column: 'E-mail', code: 'invalid_email', message: expect.stringContaining('not-an-email') as string },
      { line: 9, field: 'country', column: 'Country/Region', code: 'invalid_country', message: expect.stringContaining('Atlantis') as string },
    ]);

    const ada = await leadByEmail('ada@analytical-engines.co.uk');
    expect(ada).toMatchObject({
      contactName: 'Ada Lovelace',
      companyName: 'Analytical Engines Ltd',
      phone: '+442079460018',
      country: 'GB',
      timeZone: 'Europe/London',
      employeeCount: 1200,
      demoRequested: true,
      competitors: ['Babbage Co', 'Difference Inc'],
      notes: 'Met at the expo.\r\nWants a demo in May.\r\nCall after 3pm',
      status: 'new',
      ownerId: p.sdr1.id,
      sdrId: p.sdr1.id,
      teamId: 'north',
      webDomain: 'analytical-engines.co.uk',
    });
    expect(ada?.createdAt).toEqual(now);
    const trail = await store.auditTrail('lead', ada?.id ?? '');
    expect(trail).toEqual<AuditEntry[]>([
      { entity: 'lead', entityId: ada?.id ?? '', actorId: p.sdr1.id, at: now, from: null, to: 'new', reasonCode: 'created', reasonText: 'imported from CSV' },
    ]);
  });

  it('stores cells starting with =, +, - and @ as plain text', async () => {
    await importFile('bom-semicolon.csv');
    expect(await leadByEmail('grace@cobol-inc.com')).toMatchObject({
      companyName: '=HYPERLINK("http://evil.example")',
      title: '@admiral',
      notes: '+1 to the plan',
    });
    expect(await leadByEmail('linus@kernel-team.fi')).toMatchObject({ companyName: '-Kernel Team', title: '-', notes: '=1+2' });
  });

  it('maps header aliases, joins needs and sources, reports unknown headers and a repeated email', async () => {
    const report = await importFile('aliases-duplicates.csv');
    expect(report).toMatchObject({ rows: 4, created: 3, rejectedCount: 1, ignoredHeaders: ['Favourite colour'], delimiter: ',' });
    expect(report.rejected).toEqual([
      { line: 4, field: 'email', column: 'Email Address', code: 'duplicate_in_file', message: 'joan@clarke-bletchley.co.uk already appears on line 2.' },
    ]);
    expect(await leadByEmail('joan@clarke-bletchley.co.uk')).toMatchObject({
      companyName: 'Clarke, Bletchley & Co',
      contactName: 'Joan Clarke',
      title: 'Cryptanalyst',
      website: 'https://www.clarke-bletchley.co.uk',
      webDomain: 'clarke-bletchley.co.uk',
      employeeCount: 45,
      country: 'GB',
      timeZone: 'Europe/London',
      budget: '€20,000',
      needs: 'Manual hand-offs\nFaster intros',
      currentSolution: 'Spreadsheets',
      productInterests: ['Core', 'Analytics'],
      decisionMaker: true,
      sourceList: 'Webinar / Q3 expo',
    });
  });

  it('imports the same file twice without duplicates: the second run skips every row', async () => {
    const first = await importFile('aliases-duplicates.csv');
    const leads = await count('leads');
    const audit = await count('audit_log');
    const second = await importFile('aliases-duplicates.csv');
    expect(second).toMatchObject({ rows: first.rows, created: 0, skipped: first.created, flaggedCount: 0, rejectedCount: 1 });
    expect([await count('leads'), await count('audit_log')]).toEqual([leads, audit]);
  });

  it("flags a lead another SDR owns, by email and by company domain, with the owner's name; free mail never conflicts", async () => {
    const create = (sdrId: string, email: string, webDomain: string | null) =>
      store.create(
        { teamId: 'north', ownerId: sdrId, sdrId, fields: leadFields({ email, webDomain, website: null }) },
        { entity: 'lead', actorId: sdrId, at: now, from: null, to: 'new', reasonCode: null, reasonText: null },
      );
    const owned = await create(p.sdr2.id, 'owned@rival-corp.com', 'rival-corp.com');
    await create(p.sdr2.id, 'bob@gmail.com', null);
    await create(p.sdr1.id, 'mine.already@own-company.com', 'own-company.com');

    const report = await importFile('ownership.csv');
    expect(report).toMatchObject({ rows: 6, created: 3, skipped: 1, flaggedCount: 2, rejectedCount: 0 });
    expect(report.flagged).toEqual([
      { line: 2, email: 'owned@rival-corp.com', matchedBy: 'email', ownerId: p.sdr2.id, ownerName: 'Sid', leadId: owned.id },
      { line: 3, email: 'someone.else@rival-corp.com', matchedBy: 'domain', ownerId: p.sdr2.id, ownerName: 'Sid', leadId: owned.id },
    ]);
    expect(await leadByEmail('alice.private@gmail.com')).toMatchObject({ ownerId: p.sdr1.id, webDomain: null });
    expect(await leadByEmail('new.person@own-company.com')).toMatchObject({ ownerId: p.sdr1.id });
    expect(await leadByEmail('fresh@fresh-inc.com')).toMatchObject({ webDomain: 'fresh-inc.com' });
    expect(await leadByEmail('owned@rival-corp.com')).toMatchObject({ ownerId: p.sdr2.id, id: owned.id });
  });

  it('stops at a missing required header with one error naming it, and imports nothing', async () => {
    const result = await importLeads(tdb.db, fs.createReadStream(fixture('missing-company.csv')), options());
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('missing_header');
    expect(result.error.message).toMatch(/no column for Company name/);
    expect(await count('leads')).toBe(0);
  });

  it('rejects a row with a 50 MB field as too long and goes on with the rows after it', async () => {
    const big = 50 * 1024 * 1024;
    function* file() {
      yield Buffer.from('Email,Company,Name,Notes\nbefore@one.example.com,One,Before,fine\nhuge@two.example.com,Two,Huge,"');
      const chunk = Buffer.alloc(1024 * 1024, 'x');
      chunk.write('\n', 1000); // a line break in every megabyte: 50 inside the huge quoted value
      for (let sent = 0; sent < big; sent += chunk.length) yield chunk.subarray(0, Math.min(chunk.length, big - sent));
      yield Buffer.from('"\nafter@three.example.com,Three,After,fine\nbad-email,Four,Bad,\nlast@five.example.com,Five,Last,""\n');
    }
    const progress: [number, number][] = [];
    const result = await importLeads(tdb.db, Readable.from(file()), options({ onProgress: (bytes, rows) => progress.push([bytes, rows]) }));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toMatchObject({ rows: 5, created: 3, rejectedCount: 2 });
    expect(result.value.rejected.map((r) => [r.line, r.code])).toEqual([
      [3, 'row_too_long'],
      [55, 'invalid_email'], // 3 + 50 line breaks + 2
    ]);
    expect((await leadByEmail('after@three.example.com'))?.contactName).toBe('After');
    expect(progress.at(-1)?.[0]).toBeGreaterThan(big);
    // Memory is measured by the import benchmark (peak RSS), not asserted here: heap size depends on GC timing.
  }, 60_000);

  it('commits in batches, calls onProgress, and caps the listed problems while counting them all', async () => {
    const rows = ['Email,Company,Name'];
    for (let i = 0; i < 25; i++) rows.push(i % 5 === 0 ? `bad${i},Co ${i},Name ${i}` : `ok${i}@co${i}.example.com,Co ${i},Name ${i}`);
    const progress: number[] = [];
    const result = await importLeads(tdb.db, Readable.from([rows.join('\n')]), options({ batchSize: 4, detailLimit: 2, onProgress: (_b, n) => progress.push(n) }));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toMatchObject({ rows: 25, created: 20, rejectedCount: 5 });
    expect(result.value.rejected.map((r) => r.line)).toEqual([2, 7]);
    expect(progress).toEqual([4, 8, 12, 16, 20, 24, 25]);
    expect(await count('leads')).toBe(20);
    expect(await count('audit_log')).toBe(20);
  });

  it('rejects rows with more cells than the header, and rows with a NUL character', async () => {
    const text = 'Email,Company,Name\na@a.example.com,Acme, Inc,Ann\nb@b.example.com,Beta,B\u0000b\nc@c.example.com,Gamma,Cy\n';
    const result = await importLeads(tdb.db, Readable.from([text]), options());
    expect(result.ok && result.value.rejected.map((r) => [r.line, r.code])).toEqual([
      [2, 'too_many_cells'],
      [3, 'invalid_character'],
    ]);
    expect(await count('leads')).toBe(1);
  });

  it('throws a read error of the source, leaving whole batches (each lead with its audit line) behind', async () => {
    const failure = new Error('disk gone');
    function* broken() {
      yield Buffer.from('Email,Company,Name\na@a-co.com,A,Ann\nb@b-co.com,B,Bea\nc@c-co.com,C,Cy\n');
      throw failure;
    }
    // The very error the source raised (the import route tells "too large" from other failures by it).
    await expect(importLeads(tdb.db, Readable.from(broken()), options({ batchSize: 2 }))).rejects.toBe(failure);
    expect([0, 2]).toContain(await count('leads'));
    expect(await count('audit_log')).toBe(await count('leads'));
  });

  it('reads, checks and reports the same whether the rows are read in a worker thread or in this one', async () => {
    const lines = ['E-mail;Company Name;Name;Country;Employees'];
    for (let i = 0; i < 30; i++) {
      const bad = i % 7 === 3;
      lines.push(`${bad ? 'not-an-email' : `p${i}@co${i % 9}.example.com`};"Co ${i % 9}\nLtd";Person ${i};${i % 11 === 5 ? 'Atlantis' : 'DE'};${i}`);
    }
    lines.push('p1@co1.example.com;Again;Twice;DE;1');
    const text = `\ufeff${lines.join('\r\n')}\r\n`;
    const run = async (reader: 'thread' | 'worker') => {
      await tdb.reset();
      p = await seedPeople(tdb.db);
      const progress: number[] = [];
      const result = await importLeads(tdb.db, Readable.from([Buffer.from(text)]), options({ ...(reader === 'thread' ? { readRows: readLeadRows } : {}), batchSize: 4, detailLimit: 5, onProgress: (_b, n) => progress.push(n) }));
      if (!result.ok) throw new Error(result.error.message);
      const leads = await tdb.db.selectFrom('leads').select(['email', 'company_name', 'contact_name', 'country', 'employee_count', 'web_domain']).orderBy('email').execute();
      return { report: result.value, progress, leads };
    };
    const inThread = await run('thread');
    const inWorker = await run('worker');
    expect(inWorker).toEqual(inThread);
    expect(inThread.report).toMatchObject({ rows: 31, created: 23, rejectedCount: 8, delimiter: ';', encoding: 'utf-8' });
    expect(inThread.report.rejected).toHaveLength(5);
    expect(inThread.leads[0]).toMatchObject({ company_name: 'Co 0\nLtd' });
  });

  it('reads the source only a few chunks ahead of the rows being written, so a large upload is never held whole', async () => {
    // 200 chunks of 20 rows (about 1 KB each, as a network upload comes in).
    let pulled = 0;
    async function* upload() {
      yield Buffer.from('Email,Company,Name\n');
      for (let c = 0; c < 200; c++) {
        pulled++;
        let chunk = '';
        for (let r = 0; r < 20; r++) chunk += `r${c}-${r}@c${c}-r${r}.example.com,Co ${c},Name ${r}\n`;
        yield Buffer.from(chunk);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    const pulledAtProgress: number[] = [];
    const result = await importLeads(tdb.db, upload(), options({ batchSize: 100, onProgress: () => pulledAtProgress.push(pulled) }));
    expect(result.ok && result.value.created).toBe(4000);
    // When the first batch is written, the reader holds a few batches, a few chunks and its stream buffers: not the
    // whole upload.
    expect(pulledAtProgress[0]).toBeLessThan(120);
    expect(pulled).toBe(200);
  });
});
