// The reading half of a lead import, which needs no database: the CSV opened and its header mapped (./lead-csv),
// each row checked (validateLeadFields) and compared with the file's earlier rows, and the good rows handed on in
// batches, each already laid out as COPY text when the import writes with COPY. Runs in the importing thread or in a
// worker thread (./lead-rows-in-worker), with the same results. Imports: ./lead-csv, ./lead-copy-text, the domain.
import type { LeadFieldName, LeadFields, Result } from '../domain/lead';
import { fieldLabels, validateLeadFields } from '../domain/lead-validation';
import { leadCopyText } from './lead-copy-text';
import {
  defaultMaxRowBytes,
  leadInputFromCells,
  mapLeadHeaders,
  openLeadCsv,
  type CsvDelimiter,
  type CsvEncoding,
  type CsvFailure,
  type CsvRecord,
  type HeaderMapping,
} from './lead-csv';

/** One problem with one row. A row with several bad fields has several entries (same line). */
export interface RejectedRow {
  line: number;
  /** The lead field at fault, or null when the row as a whole is (too long, misaligned). */
  field: LeadFieldName | null;
  /** The file's header for that field, else its label; null with `field`. */
  column: string | null;
  code: string;
  message: string;
}

/** How good rows are handed on: as fields (for an INSERT) or as COPY text (leadCopyText) beside their email. */
export type RowForm = 'fields' | 'copy';

/** A good row, not yet compared with the database. */
export type RowCandidate = { line: number; email: string; webDomain: string | null } & (
  | { form: 'fields'; fields: LeadFields }
  | { form: 'copy'; copyText: string }
);

export interface ReadOptions {
  form: RowForm;
  /** Rows read per batch (a batch holds the good ones among them). */
  batchSize: number;
  /** How many problems are listed (all rejected rows are counted). */
  detailLimit: number;
  /** A row longer than this (UTF-8 bytes) is rejected as too long. */
  maxRowBytes?: number;
}

/** Where the reading stands: running totals, and the problems found since the last event. */
export interface ReadProgress {
  /** Data rows read (blank lines not counted). */
  rows: number;
  bytesRead: number;
  rejectedCount: number;
  /** New problem entries, while fewer than `detailLimit` have been listed. */
  rejected: RejectedRow[];
}

/** A batch of good rows and where the reading stands after it; the last one (`done`) may hold no rows. */
export interface ReadEvent {
  candidates: RowCandidate[];
  progress: ReadProgress;
  done: boolean;
}

export interface OpenedRows {
  encoding: CsvEncoding;
  delimiter: CsvDelimiter;
  /** Headers that feed no lead field (unknown, or a second column for a field that takes one). */
  ignoredHeaders: string[];
  /** The batches in file order, the last one `done`. */
  events: AsyncGenerator<ReadEvent, void, undefined>;
  /** Stops reading and releases the source (when the consumer gives up early). */
  close(): void;
}

/**
 * Opens the CSV read from `source` (a Readable or any async iterable of bytes). Expected failures (no header row, a
 * required column missing) are returned; read errors are thrown by `events`.
 */
export async function readLeadRows(source: AsyncIterable<unknown>, options: ReadOptions): Promise<Result<OpenedRows, CsvFailure>> {
  const maxRowBytes = options.maxRowBytes ?? defaultMaxRowBytes;
  let bytesRead = 0;
  const opened = await openLeadCsv(source, {
    maxRowBytes,
    onBytes: (n) => {
      bytesRead = n;
    },
  });
  if (!opened.ok) return opened;
  const csv = opened.value;
  const mapped = mapLeadHeaders(csv.header.cells);
  if (!mapped.ok) {
    csv.close();
    return mapped;
  }
  const mapping = mapped.value;
  const { form, batchSize, detailLimit } = options;

  async function* events(): AsyncGenerator<ReadEvent, void, undefined> {
    let rows = 0;
    let rejectedCount = 0;
    let listed = 0;
    let rejected: RejectedRow[] = [];
    const reject = (line: number, problems: readonly Omit<RejectedRow, 'line'>[]) => {
      rejectedCount++;
      for (const p of problems) {
        if (listed >= detailLimit) break;
        listed++;
        rejected.push({ line, ...p });
      }
    };
    const progress = (): ReadProgress => {
      const p = { rows, bytesRead, rejectedCount, rejected };
      rejected = [];
      return p;
    };
    /** Email → line of its first good row: a later row with the same email is a duplicate within the file. */
    const firstLineOfEmail = new Map<string, number>();
    let batch: RowCandidate[] = [];
    /** The record as a good row, or null after rejecting it. */
    const take = (record: CsvRecord): RowCandidate | null => {
      const problem = recordProblem(record.problem, record.cells.length, record.cells.some((c) => c.includes('\u0000')), mapping, maxRowBytes);
      if (problem !== null) {
        reject(record.line, [problem]);
        return null;
      }
      const validated = validateLeadFields(leadInputFromCells(record.cells, mapping));
      if (!validated.ok) {
        reject(
          record.line,
          validated.error.map((e) => {
            const field = e.field as LeadFieldName;
            return { field, column: columnOf(field, mapping), code: e.code, message: e.message };
          }),
        );
        return null;
      }
      const fields = validated.value;
      const earlier = firstLineOfEmail.get(fields.email);
      if (earlier !== undefined) {
        reject(record.line, [
          { field: 'email', column: columnOf('email', mapping), code: 'duplicate_in_file', message: `${fields.email} already appears on line ${earlier}.` },
        ]);
        return null;
      }
      firstLineOfEmail.set(fields.email, record.line);
      const { line } = record;
      return form === 'copy'
        ? { line, email: fields.email, webDomain: fields.webDomain, form, copyText: leadCopyText(fields) }
        : { line, email: fields.email, webDomain: fields.webDomain, form, fields };
    };
    try {
      for await (const record of csv.records) {
        if (record.problem === null && record.cells.every((c) => c.trim() === '')) continue;
        rows++;
        const candidate = take(record);
        if (candidate !== null) batch.push(candidate);
        // One event per `batchSize` rows read, good or not, so progress moves through a file of bad rows too.
        if (rows % batchSize === 0) {
          const candidates = batch;
          batch = [];
          yield { candidates, progress: progress(), done: false };
        }
      }
      yield { candidates: batch, progress: progress(), done: true };
    } finally {
      csv.close();
    }
  }

  return {
    ok: true,
    value: { encoding: csv.encoding, delimiter: csv.delimiter, ignoredHeaders: mapping.ignoredHeaders, events: events(), close: () => { csv.close(); } },
  };
}

function recordProblem(
  problem: 'too_long' | 'unclosed_quote' | null,
  cellCount: number,
  hasNul: boolean,
  mapping: HeaderMapping,
  maxRowBytes: number,
): Omit<RejectedRow, 'line'> | null {
  if (problem === 'unclosed_quote') {
    return {
      field: null,
      column: null,
      code: 'unclosed_quote',
      message: 'A quoted value that starts in this row is never closed: the rest of the file was read as part of it.',
    };
  }
  if (problem === 'too_long') {
    return { field: null, column: null, code: 'row_too_long', message: `The row is longer than ${formatBytes(maxRowBytes)}.` };
  }
  if (hasNul) {
    // PostgreSQL text cannot hold U+0000: such a row would fail its whole batch.
    return { field: null, column: null, code: 'invalid_character', message: 'The row contains a NUL character (U+0000).' };
  }
  if (cellCount > mapping.columns.length) {
    return {
      field: null,
      column: null,
      code: 'too_many_cells',
      message: `The row has ${cellCount} cells but the header has ${mapping.columns.length}: is a delimiter inside an unquoted value?`,
    };
  }
  return null;
}

function columnOf(field: LeadFieldName, mapping: HeaderMapping): string {
  return mapping.labels[field] ?? fieldLabels[field];
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round((n / (1024 * 1024)) * 10) / 10} MB` : `${Math.round(n / 1024)} KB`;
}
