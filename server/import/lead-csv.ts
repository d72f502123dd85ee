// Reads a lead CSV as a stream, never holding the file: encoding and delimiter sniffed from the head, csv-parse 7 for
// the fields, and a byte scanner in front of it that numbers the line each record starts on and cuts overlong rows.
// Maps the header row to lead fields through case- and punctuation-insensitive aliases.
// Imports: node:stream, csv-parse, ../domain (types and field names). No database, no HTTP.
import { Readable } from 'node:stream';
import { parse, type Parser } from 'csv-parse';
import type { LeadFieldName, Result } from '../domain/lead';

export type CsvEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';
export type CsvDelimiter = ',' | ';' | '\t';

/** One record of the file: its cells as text and the line of the file it starts on (1-based). */
export interface CsvRecord {
  line: number;
  cells: string[];
  /** Set when the scanner had to cut the record: its cells are then incomplete and must not be used. */
  problem: 'too_long' | 'unclosed_quote' | null;
}

export interface CsvFailure {
  code: 'empty_file' | 'header_too_long' | 'missing_header';
  message: string;
  /** For `missing_header`: the lead fields no column was found for. */
  missing?: RequiredColumn[];
}

export interface LeadCsvOptions {
  /** A record longer than this (in UTF-8 bytes) is cut and reported as too long; the import goes on. */
  maxRowBytes?: number;
  /** Called with the running count of bytes read from the source (before any transcoding). */
  onBytes?: (bytesRead: number) => void;
}

export interface LeadCsv {
  encoding: CsvEncoding;
  delimiter: CsvDelimiter;
  header: CsvRecord;
  /** The data records after the header, in file order (blank lines included: their cells are all empty). */
  records: AsyncIterableIterator<CsvRecord>;
  /** Stops reading and releases the source (when the consumer gives up early). */
  close(): void;
}

export const defaultMaxRowBytes = 1024 * 1024;
/** How far the header line may go before the file is judged not to be a CSV. */
const maxHeaderBytes = 1024 * 1024;
/** How much of a file without a BOM is checked to tell UTF-8 from Windows-1252 (what Excel writes as "CSV"). */
const sniffBytes = 64 * 1024;

const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;

// ---------------------------------------------------------------------------------------------------------------
// Bytes in: counted, then decoded to UTF-8 without a BOM

async function* countBytes(source: AsyncIterable<unknown>, onBytes: ((n: number) => void) | undefined): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of source) {
    const buf = toBuffer(chunk);
    total += buf.length;
    onBytes?.(total);
    if (buf.length > 0) yield buf;
  }
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError('a CSV source yields bytes or strings');
}

/** Pulls chunks until `enough(lastChunk, totalBytes)` or the end; the iterator is left open for the rest. */
async function pullUntil(
  source: AsyncIterator<Buffer>,
  enough: (last: Buffer, total: number) => boolean,
): Promise<{ head: Buffer; done: boolean }> {
  const parts: Buffer[] = [];
  let total = 0;
  for (;;) {
    const next = await source.next();
    if (next.done === true) return { head: Buffer.concat(parts), done: true };
    parts.push(next.value);
    total += next.value.length;
    if (enough(next.value, total)) return { head: Buffer.concat(parts), done: false };
  }
}

function sniffEncoding(head: Buffer, complete: boolean): { encoding: CsvEncoding; bomLength: number } {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bomLength: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  try {
    // `stream: !complete` lets a character cut at the end of the sample pass.
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: !complete });
    return { encoding: 'utf-8', bomLength: 0 };
  } catch {
    return { encoding: 'windows-1252', bomLength: 0 };
  }
}

async function* concatRest(first: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  if (first.length > 0) yield first;
  for (;;) {
    const next = await rest.next();
    if (next.done === true) return;
    yield next.value;
  }
}

async function* toUtf8(chunks: AsyncIterable<Buffer>, encoding: CsvEncoding): AsyncGenerator<Buffer> {
  if (encoding === 'utf-8') {
    yield* chunks;
    return;
  }
  const decoder = new TextDecoder(encoding);
  for await (const chunk of chunks) {
    const text = decoder.decode(chunk, { stream: true });
    if (text.length > 0) yield Buffer.from(text, 'utf8');
  }
  const tail = decoder.decode();
  if (tail.length > 0) yield Buffer.from(tail, 'utf8');
}

// ---------------------------------------------------------------------------------------------------------------
// The header line: delimiter and Excel's `sep=` line

/** Finds the end of the first line (a line break outside quotes) across chunks, without re-reading bytes. */
class FirstLineFinder {
  private quoted = false;
  private seen = 0;
  /** Bytes before the first line break, once found. */
  length = -1;
  feed(chunk: Buffer): boolean {
    if (this.length !== -1) return true;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === QUOTE) this.quoted = !this.quoted;
      else if (!this.quoted && (b === LF || b === CR)) {
        this.length = this.seen + i;
        return true;
      }
    }
    this.seen += chunk.length;
    return false;
  }
}

/** The delimiter most used outside quotes in the header line; a comma when there is none. */
export function detectDelimiter(headerLine: string): CsvDelimiter {
  const counts: Record<CsvDelimiter, number> = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === ',' || ch === ';' || ch === '\t')) counts[ch]++;
  }
  const order: CsvDelimiter[] = [',', ';', '\t'];
  return order.reduce((best, d) => (counts[d] > counts[best] ? d : best), ',');
}

const sepLine = /^sep=([,;\t])$/i;

// ---------------------------------------------------------------------------------------------------------------
// The record scanner: mirrors csv-parse's record boundaries (relax_quotes, any of \r\n, \n, \r ends a record)

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const QUOTE_IN_QUOTED = 3;

interface RecordMeta {
  line: number;
  problem: CsvRecord['problem'];
}

/** A FIFO of record starts: the scanner adds them as it forwards bytes, the reader takes them as csv-parse emits. */
class MetaQueue {
  private items: RecordMeta[] = [];
  private head = 0;
  push(m: RecordMeta): void {
    this.items.push(m);
  }
  shift(): RecordMeta | undefined {
    const m = this.items[this.head];
    if (m === undefined) return undefined;
    this.head++;
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return m;
  }
}

/**
 * Forwards the bytes to csv-parse and records, for every record, the line it starts on. A record over
 * `maxRowBytes` is not forwarded past the limit: at its end the scanner closes the open quote (if any), so
 * csv-parse sees a short, well-formed record that the reader rejects as too long. A quote still open at the end
 * of the file is closed the same way. csv-parse must run with `relax_quotes` and `record_delimiter` [\r\n, \n, \r]:
 * a quote opens a field only at its start, `""` inside quotes is a quote, any other quote is literal.
 */
async function* scanRecords(
  chunks: AsyncIterable<Buffer>,
  delimiter: number,
  maxRowBytes: number,
  queue: MetaQueue,
): AsyncGenerator<Buffer> {
  let state = FIELD_START;
  let line = 1;
  let prevCR = false;
  /** Swallow the `\n` of a `\r\n` record delimiter. */
  let skipLF = false;
  let current: RecordMeta | null = null;
  let recordBytes = 0;
  /** -1 while forwarding; else the scanner state csv-parse was left in when the record was cut. */
  let cutState = -1;

  for await (const buf of chunks) {
    /** Start of the slice still to forward, or -1 while a cut record is being skipped. */
    let from = cutState === -1 ? 0 : -1;
    const out: Buffer[] = [];
    for (let i = 0; i < buf.length; i++) {
      const b = buf[i] as number;
      const lineOfByte = line;
      if (b === LF) {
        if (!prevCR) line++;
        prevCR = false;
      } else if (b === CR) {
        line++;
        prevCR = true;
      } else prevCR = false;

      if (skipLF) {
        skipLF = false;
        if (b === LF) continue;
      }
      if (current === null) {
        current = { line: lineOfByte, problem: null };
        queue.push(current);
        recordBytes = 0;
      }
      const before = state;
      let ends = false;
      switch (state) {
        case FIELD_START:
          if (b === QUOTE) state = QUOTED;
          else if (b === CR || b === LF) ends = true;
          else if (b !== delimiter) state = UNQUOTED;
          break;
        case UNQUOTED:
          if (b === delimiter) state = FIELD_START;
          else if (b === CR || b === LF) ends = true;
          break;
        case QUOTED:
          if (b === QUOTE) state = QUOTE_IN_QUOTED;
          break;
        default: // QUOTE_IN_QUOTED: `""` is a quote; a delimiter or line break closes; anything else is literal
          if (b === QUOTE) state = QUOTED;
          else if (b === delimiter) state = FIELD_START;
          else if (b === CR || b === LF) ends = true;
          else state = UNQUOTED;
          break;
      }
      if (ends) {
        if (cutState !== -1) {
          // Close the quote csv-parse was left in, then forward from this line break on.
          if (cutState === QUOTED) out.push(closingQuote);
          cutState = -1;
          from = i;
        }
        state = FIELD_START;
        current = null;
        skipLF = b === CR;
      } else if (cutState === -1 && ++recordBytes > maxRowBytes) {
        current.problem = 'too_long';
        cutState = before;
        if (i > from) out.push(buf.subarray(from, i));
        from = -1;
      }
    }
    if (from !== -1 && from < buf.length) out.push(from === 0 ? buf : buf.subarray(from));
    for (const part of out) yield part;
  }
  if (current !== null) {
    const parserQuoted = cutState === -1 ? state === QUOTED : cutState === QUOTED;
    // A quote still open at the end swallowed the rest of the file: that is the problem to report.
    if (state === QUOTED) current.problem = 'unclosed_quote';
    if (parserQuoted) yield closingQuote;
  }
}

const closingQuote = Buffer.from('"');

// ---------------------------------------------------------------------------------------------------------------
// Opening a file

/** Opens a CSV stream: reads just enough to learn the encoding, the delimiter and the header row. */
export async function openLeadCsv(
  source: AsyncIterable<unknown>,
  options: LeadCsvOptions = {},
): Promise<Result<LeadCsv, CsvFailure>> {
  const maxRowBytes = options.maxRowBytes ?? defaultMaxRowBytes;
  const raw = countBytes(source, options.onBytes);
  const releaseSource = () => {
    void raw.return(undefined);
    if (source instanceof Readable) source.destroy();
  };

  const sniffed = await pullUntil(raw, (_last, total) => total >= sniffBytes);
  const { encoding, bomLength } = sniffEncoding(sniffed.head, sniffed.done);
  const utf8 = toUtf8(concatRest(sniffed.head.subarray(bomLength), raw), encoding)[Symbol.asyncIterator]();

  const finder = new FirstLineFinder();
  const pulled = await pullUntil(utf8, (last, total) => finder.feed(last) || total > maxHeaderBytes);
  if (finder.length === -1 && !pulled.done) {
    releaseSource();
    return { ok: false, error: { code: 'header_too_long', message: 'The first line is longer than 1 MB: this does not look like a CSV file.' } };
  }
  const firstLine = pulled.head.subarray(0, finder.length === -1 ? pulled.head.length : finder.length).toString('utf8');
  if (firstLine.trim() === '') {
    releaseSource();
    return { ok: false, error: { code: 'empty_file', message: 'The file has no header row: it is empty or starts with a blank line.' } };
  }
  // Excel's "sep=;" first line names the delimiter; the header row follows it.
  const sep = sepLine.exec(firstLine);
  const delimiter = sep ? (sep[1] as CsvDelimiter) : detectDelimiter(firstLine);

  const queue = new MetaQueue();
  const parser: Parser = parse({
    bom: true,
    delimiter,
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: false,
  });
  const input = Readable.from(scanRecords(concatRest(pulled.head, utf8), delimiter.charCodeAt(0), maxRowBytes, queue), {
    objectMode: false,
  });
  input.on('error', (err) => parser.destroy(err));
  input.pipe(parser);
  const close = () => {
    input.destroy();
    parser.destroy();
    releaseSource();
  };

  const records = readRecords(parser, queue);
  if (sep) await records.next();
  const header = await records.next();
  if (header.done === true || header.value.cells.every((c) => c.trim() === '')) {
    close();
    return { ok: false, error: { code: 'empty_file', message: 'The file has no header row.' } };
  }
  return { ok: true, value: { encoding, delimiter, header: header.value, records, close } };
}

async function* readRecords(parser: Parser, queue: MetaQueue): AsyncGenerator<CsvRecord> {
  for await (const cells of parser as AsyncIterable<string[]>) {
    const meta = queue.shift();
    if (meta === undefined) throw new Error('CSV scanner and parser disagree on the number of records');
    yield { line: meta.line, cells, problem: meta.problem };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Header row → lead fields

export type ColumnTarget = LeadFieldName | 'firstName' | 'lastName';
export type RequiredColumn = 'email' | 'companyName' | 'contactName';

/** Normalised alias (lower case, letters and digits only) → lead field. */
const aliases: Readonly<Record<string, ColumnTarget>> = buildAliases({
  contactName: ['Contact name', 'Full name', 'Name', 'Contact', 'Lead name', 'Person', 'Prospect', 'Prospect name', 'Lead'],
  firstName: ['First name', 'Firstname', 'Given name', 'Forename', 'First'],
  lastName: ['Last name', 'Lastname', 'Surname', 'Family name', 'Last'],
  email: ['Email', 'E-mail', 'Email address', 'E-mail address', 'Mail', 'Work email', 'Business email', 'Email 1'],
  companyName: ['Company', 'Company name', 'Account', 'Account name', 'Organization', 'Organisation', 'Organization name', 'Organisation name', 'Employer', 'Business name', 'Firm'],
  title: ['Title', 'Job title', 'Position', 'Role', 'Job role', 'Designation', 'Job'],
  phone: ['Phone', 'Phone number', 'Telephone', 'Telephone number', 'Tel', 'Mobile', 'Mobile phone', 'Mobile number', 'Cell', 'Direct phone', 'Direct dial', 'Work phone', 'Business phone'],
  website: ['Website', 'Web site', 'Company website', 'URL', 'Website URL', 'Homepage', 'Home page', 'Web', 'Site', 'Web address'],
  webDomain: ['Domain', 'Web domain', 'Company domain', 'Website domain'],
  employeeCount: ['Employees', 'Employee count', 'Number of employees', 'No. of employees', 'Num employees', '# Employees', 'Company size', 'Headcount', 'Size', 'Staff'],
  country: ['Country', 'Country/Region', 'Country or region', 'Country code', 'Nation'],
  timeZone: ['Time zone', 'Timezone', 'TZ'],
  decisionMaker: ['Decision maker', 'Is decision maker', 'Decision-maker?', 'DM'],
  needs: ['Needs', 'Pains', 'Needs and pains', 'Pain points', 'Pain', 'Needs/Pains', 'Pains/Needs', 'Challenges'],
  currentSolution: ['Current solution', 'Current tool', 'Current vendor', 'Current system', 'Incumbent', 'Existing solution'],
  competitors: ['Competitors', 'Competitor', 'Competitor products', 'Legacy products', 'Competitor or legacy products', 'Competitors/legacy'],
  budget: ['Budget', 'Budget range', 'Estimated budget'],
  productInterests: ['Product interest', 'Product interests', 'Products', 'Product', 'Interested in', 'Interests', 'Interest'],
  demoRequested: ['Demo requested', 'Demo', 'Demo request', 'Wants demo', 'Wants a demo', 'Requested demo'],
  sourceList: ['Source', 'Lead list', 'Source list', 'Lead source', 'List', 'Campaign', 'List name'],
  notes: ['Notes', 'Note', 'Comments', 'Comment', 'Remarks', 'Description'],
});

/** A leading word that only says whose field it is: "Contact Email", "Lead Phone", "Company Website". */
const qualifiers = ['lead', 'contact', 'prospect', 'person', 'primary', 'work', 'business', 'company', 'account', 'main'];

function buildAliases(table: Record<ColumnTarget, string[]>): Record<string, ColumnTarget> {
  const out: Record<string, ColumnTarget> = {};
  for (const [target, names] of Object.entries(table) as [ColumnTarget, string[]][]) {
    for (const name of names) out[normaliseHeader(name)] = target;
  }
  return out;
}

/** Case, accents, spaces and punctuation do not count: "E-mail", "e_mail" and "EMAIL" are the same header. */
export function normaliseHeader(header: string): string {
  return header.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^a-z0-9]+/g, '');
}

export function headerTarget(header: string): ColumnTarget | undefined {
  const key = normaliseHeader(header);
  const direct = aliases[key];
  if (direct !== undefined) return direct;
  for (const q of qualifiers) {
    if (key.startsWith(q) && key.length > q.length) {
      const target = aliases[key.slice(q.length)];
      if (target !== undefined) return target;
    }
  }
  return undefined;
}

/** Columns whose values are joined when a file has several of them ("Needs" and "Pains"); others: first wins. */
const joinWith: Partial<Record<ColumnTarget, string>> = {
  needs: '\n',
  notes: '\n',
  sourceList: ' / ',
  competitors: '; ',
  productInterests: '; ',
};

export interface HeaderMapping {
  /** For each column of the file: the field it feeds, or null when ignored. */
  columns: (ColumnTarget | null)[];
  /** The header text of the first column feeding each field (for messages). */
  labels: Partial<Record<LeadFieldName, string>>;
  ignoredHeaders: string[];
}

const requiredColumns: readonly { field: RequiredColumn; label: string; examples: string }[] = [
  { field: 'email', label: 'Email', examples: '"Email" or "E-mail"' },
  { field: 'companyName', label: 'Company name', examples: '"Company" or "Account"' },
  { field: 'contactName', label: 'Contact name', examples: '"Full name", "Contact", or "First name" and "Last name"' },
];

export function mapLeadHeaders(headers: readonly string[]): Result<HeaderMapping, CsvFailure> {
  const columns: (ColumnTarget | null)[] = [];
  const labels: Partial<Record<LeadFieldName, string>> = {};
  const ignoredHeaders: string[] = [];
  const seen = new Set<ColumnTarget>();
  headers.forEach((raw, index) => {
    const header = raw.trim();
    const target = header === '' ? undefined : headerTarget(header);
    if (target === undefined || (seen.has(target) && joinWith[target] === undefined)) {
      columns.push(null);
      if (header !== '') ignoredHeaders.push(header);
      else ignoredHeaders.push(`(column ${index + 1}, no header)`);
      return;
    }
    seen.add(target);
    columns.push(target);
    const field: LeadFieldName = target === 'firstName' || target === 'lastName' ? 'contactName' : target;
    if (labels[field] === undefined) labels[field] = header;
  });
  const missing = requiredColumns.filter((r) => labels[r.field] === undefined);
  if (missing.length > 0) {
    const list = missing.map((m) => `${m.label} (a header such as ${m.examples})`).join('; ');
    const found = headers.filter((h) => h.trim() !== '').map((h) => `"${h.trim()}"`).join(', ');
    return {
      ok: false,
      error: {
        code: 'missing_header',
        message: `The file has no ${missing.length === 1 ? 'column' : 'columns'} for ${list}. Headers found: ${found === '' ? 'none' : found}.`,
        missing: missing.map((m) => m.field),
      },
    };
  }
  return { ok: true, value: { columns, labels, ignoredHeaders } };
}

/**
 * A record's cells as the raw input of validateLeadFields: only the mapped fields, strings as found (the
 * validation trims and parses them). First and last name make the contact name when no full name is given.
 */
export function leadInputFromCells(cells: readonly string[], mapping: HeaderMapping): Partial<Record<LeadFieldName, string>> {
  const input: Partial<Record<LeadFieldName, string>> = {};
  let first = '';
  let last = '';
  const { columns } = mapping;
  for (let i = 0; i < columns.length; i++) {
    const target = columns[i];
    if (target === null || target === undefined) continue;
    const value = cells[i] ?? '';
    if (target === 'firstName') first = value.trim();
    else if (target === 'lastName') last = value.trim();
    else {
      const before = input[target];
      const glue = joinWith[target];
      if (before === undefined || glue === undefined) input[target] = value;
      else if (value.trim() !== '') input[target] = before.trim() === '' ? value : `${before.trim()}${glue}${value.trim()}`;
    }
  }
  if ((input.contactName === undefined || input.contactName.trim() === '') && (first !== '' || last !== '')) {
    input.contactName = `${first} ${last}`.trim();
  }
  return input;
}
