// The CSV plumbing without a database: encodings, delimiters, line numbers across quoted line breaks and chunk
// boundaries, overlong and unterminated records, and the header aliases.
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  detectDelimiter,
  headerTarget,
  leadInputFromCells,
  mapLeadHeaders,
  openLeadCsv,
  type CsvRecord,
  type LeadCsv,
  type LeadCsvOptions,
} from '../../../server/import/lead-csv';

const fixture = (name: string) => path.join(__dirname, '..', '..', 'fixtures', 'csv', name);

async function open(source: Buffer | string | Buffer[], options?: LeadCsvOptions): Promise<LeadCsv> {
  const chunks = Array.isArray(source) ? source : [typeof source === 'string' ? Buffer.from(source) : source];
  const opened = await openLeadCsv(Readable.from(chunks), options);
  if (!opened.ok) throw new Error(opened.error.message);
  return opened.value;
}

async function all(csv: LeadCsv): Promise<CsvRecord[]> {
  const out: CsvRecord[] = [];
  for await (const r of csv.records) out.push(r);
  return out;
}

/** Every `size` bytes a new chunk, so that quotes, CRLF and UTF-8 sequences are split across chunks. */
function chunked(buf: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

describe('detectDelimiter', () => {
  test.each([
    ['Email,Company,Name', ','],
    ['Email;Company;Name', ';'],
    ['Email\tCompany\tName', '\t'],
    ['"Company, Inc";Email;Name', ';'],
    ['"a;b;c",Email,Name', ','],
    ['Email', ','],
  ])('%j → %j', (line, expected) => {
    expect(detectDelimiter(line)).toBe(expected);
  });
});

describe('headerTarget', () => {
  test.each([
    ['E-mail', 'email'],
    ['Email Address', 'email'],
    ['EMAIL_ADDRESS', 'email'],
    ['Contact Email', 'email'],
    ['Company Name', 'companyName'],
    ['Company', 'companyName'],
    ['Account', 'companyName'],
    ['Account Name', 'companyName'],
    ['Full name', 'contactName'],
    ['Contact', 'contactName'],
    ['First name', 'firstName'],
    ['Last Name', 'lastName'],
    ['Job title', 'title'],
    ['Phone number', 'phone'],
    ['Website', 'website'],
    ['Company Website', 'website'],
    ['Employees', 'employeeCount'],
    ['Company size', 'employeeCount'],
    ['Country/Region', 'country'],
    ['Time zone', 'timeZone'],
    ['Budget', 'budget'],
    ['Competitors', 'competitors'],
    ['Pains', 'needs'],
    ['Needs', 'needs'],
    ['Current solution', 'currentSolution'],
    ['Product interest', 'productInterests'],
    ['Demo requested', 'demoRequested'],
    ['Decision maker', 'decisionMaker'],
    ['Source', 'sourceList'],
    ['Lead list', 'sourceList'],
    ['Notes', 'notes'],
    ['Pays', undefined],
    ['Favourite colour', undefined],
  ])('%j → %s', (header, target) => {
    expect(headerTarget(header)).toBe(target);
  });
});

describe('mapLeadHeaders', () => {
  test('a missing required column is one error naming it, with the headers found', () => {
    const mapped = mapLeadHeaders(['Email', 'Full name', 'Title']);
    expect(mapped.ok).toBe(false);
    if (mapped.ok) return;
    expect(mapped.error.code).toBe('missing_header');
    expect(mapped.error.missing).toEqual(['companyName']);
    expect(mapped.error.message).toContain('Company name');
    expect(mapped.error.message).toContain('"Email", "Full name", "Title"');
  });

  test('first and last name stand in for the contact name; unknown and blank headers are reported', () => {
    const mapped = mapLeadHeaders(['E-mail', 'Account', 'First name', 'Last name', 'Shoe size', '']);
    expect(mapped.ok).toBe(true);
    if (!mapped.ok) return;
    expect(mapped.value.ignoredHeaders).toEqual(['Shoe size', '(column 6, no header)']);
    expect(leadInputFromCells(['a@b.example', 'Acme', ' Ada ', 'Lovelace', '38', ''], mapped.value)).toEqual({
      email: 'a@b.example',
      companyName: 'Acme',
      contactName: 'Ada Lovelace',
    });
  });

  test('a second column for a one-value field is ignored; several needs, notes and sources are joined', () => {
    const mapped = mapLeadHeaders(['Email', 'Company', 'Name', 'E-mail', 'Pains', 'Needs', 'Source', 'Lead list']);
    expect(mapped.ok).toBe(true);
    if (!mapped.ok) return;
    expect(mapped.value.ignoredHeaders).toEqual(['E-mail']);
    expect(leadInputFromCells(['a@b.example', 'Acme', 'Ada', 'x@y.example', 'Slow', 'Speed', 'Webinar', ''], mapped.value)).toMatchObject({
      email: 'a@b.example',
      needs: 'Slow\nSpeed',
      sourceList: 'Webinar',
    });
  });
});

describe('openLeadCsv', () => {
  test('UTF-8 BOM, semicolons, CRLF: the line of each record is where it starts, after quoted line breaks', async () => {
    const csv = await open(fs.readFileSync(fixture('bom-semicolon.csv')));
    expect(csv.delimiter).toBe(';');
    expect(csv.encoding).toBe('utf-8');
    expect(csv.header.cells[0]).toBe('E-mail');
    const records = await all(csv);
    expect(records.map((r) => [r.line, r.cells[0]])).toEqual([
      [2, 'ada@analytical-engines.co.uk'],
      [5, 'not-an-email'],
      [6, 'grace@cobol-inc.com'],
      [7, 'linus@kernel-team.fi'],
      [8, ''],
      [9, 'margaret@apollo-guidance.com'],
    ]);
    expect(records[0]?.cells[11]).toBe('Met at the expo.\r\nWants a demo in May.\r\nCall after 3pm');
    expect(records[2]?.cells[1]).toBe('=HYPERLINK("http://evil.example")');
  });

  test('the same records and lines however the bytes are chunked', async () => {
    const bytes = fs.readFileSync(fixture('bom-semicolon.csv'));
    const whole = await all(await open(bytes));
    for (const size of [1, 2, 3, 7]) {
      expect(await all(await open(chunked(bytes, size)))).toEqual(whole);
    }
  });

  test("Excel's sep= line names the delimiter", async () => {
    const csv = await open('sep=;\nEmail;Company;Name\na@b.example;Acme, Inc;Ada\n');
    expect(csv.delimiter).toBe(';');
    expect(csv.header.cells).toEqual(['Email', 'Company', 'Name']);
    expect((await all(csv)).map((r) => [r.line, r.cells])).toEqual([[3, ['a@b.example', 'Acme, Inc', 'Ada']]]);
  });

  test('UTF-16 LE with a BOM and tabs (Excel "Unicode text")', async () => {
    const text = 'Email\tCompany\tName\r\nzoe@muller.example\tMüller & Söhne\tZoë Müller\r\n';
    const csv = await open(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    expect([csv.encoding, csv.delimiter]).toEqual(['utf-16le', '\t']);
    expect((await all(csv))[0]?.cells).toEqual(['zoe@muller.example', 'Müller & Söhne', 'Zoë Müller']);
  });

  test('Windows-1252 without a BOM (Excel "CSV" on Windows) is read as such', async () => {
    const csv = await open(Buffer.from('Email,Company,Name\nzoe@muller.example,M\xfcller,Zo\xeb\n', 'latin1'));
    expect(csv.encoding).toBe('windows-1252');
    expect((await all(csv))[0]?.cells).toEqual(['zoe@muller.example', 'Müller', 'Zoë']);
  });

  test('an overlong record is cut and flagged; the records after it are read, with their lines', async () => {
    const long = `"${'x'.repeat(50)}\n${'y'.repeat(50)}\n""quoted"" ${'z'.repeat(50)}"`;
    const text = `Email,Notes\na@b.example,short\nc@d.example,${long}\ne@f.example,"after\nit"\ng@h.example,last\n`;
    for (const size of [1, 5, 4096]) {
      const records = await all(await open(chunked(Buffer.from(text), size), { maxRowBytes: 40 }));
      expect(records.map((r) => [r.line, r.cells[0], r.problem])).toEqual([
        [2, 'a@b.example', null],
        [3, 'c@d.example', 'too_long'],
        [6, 'e@f.example', null],
        [8, 'g@h.example', null],
      ]);
      expect(records[2]?.cells[1]).toBe('after\nit');
    }
  });

  test('a quote never closed is reported on the line it opens', async () => {
    const records = await all(await open('Email,Notes\na@b.example,ok\nc@d.example,"never closed\nx@y.example,lost\n'));
    expect(records.map((r) => [r.line, r.problem])).toEqual([
      [2, null],
      [3, 'unclosed_quote'],
    ]);
  });

  test('stray quotes inside unquoted values are kept as text', async () => {
    const records = await all(await open('Email,Title\na@b.example,5" display\nc@d.example,"said ""hi"" twice"\n'));
    expect(records.map((r) => r.cells[1])).toEqual(['5" display', 'said "hi" twice']);
  });

  test.each([
    ['', 'empty_file'],
    ['\n\nEmail,Company\n', 'empty_file'],
    [`Email,${'x'.repeat(1024 * 1024 + 10)}`, 'header_too_long'],
  ])('no usable header row: %#', async (text, code) => {
    const opened = await openLeadCsv(Readable.from([Buffer.from(text)]));
    expect(opened.ok ? 'ok' : opened.error.code).toBe(code);
  });
});
