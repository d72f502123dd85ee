// Imports leads for one SDR from a CSV stream: each row validated (validateLeadFields), checked against the rest of
// the file and against the database ("never pursue the same lead twice", judgeDuplicate), and written in batches:
// one transaction per batch for its leads and their audit lines (./lead-batch-writer: COPY on the embedded database).
// Imports: ./lead-csv, the domain, the store, the clock. No HTTP: the route and the CLI call importLeads.
import type { Clock } from '../clock';
import { judgeDuplicate, type ExistingLeadMatch } from '../domain/duplicates';
import type { LeadFieldName, LeadFields, Result } from '../domain/lead';
import { fieldLabels, validateLeadFields } from '../domain/lead-validation';
import { embeddedInstanceOf, type Db } from '../store/database';
import { createLeadStore } from '../store/lead-store';
import { insertLeadBatch, type BlobQueryable } from './lead-batch-writer';
import {
  defaultMaxRowBytes,
  leadInputFromCells,
  mapLeadHeaders,
  openLeadCsv,
  type CsvDelimiter,
  type CsvEncoding,
  type CsvFailure,
  type HeaderMapping,
} from './lead-csv';

export interface ImportOwner {
  teamId: string;
  /** The SDR who will own the imported leads (owner and SDR of each lead). */
  sdrId: string;
}

export interface ImportOptions {
  owner: ImportOwner;
  clock: Clock;
  /** Who is importing, for the audit trail; the owner by default. */
  actorId?: string;
  /** Called now and then with the bytes read from the source so far and the data rows read. */
  onProgress?: (bytesRead: number, rows: number) => void;
  /** Rows per transaction. */
  batchSize?: number;
  /** How many flagged and rejected entries the report lists (all are counted). */
  detailLimit?: number;
  /** A row longer than this (UTF-8 bytes) is rejected as too long. */
  maxRowBytes?: number;
}

/** A row not imported because someone else already pursues the lead. */
export interface FlaggedRow {
  line: number;
  email: string;
  matchedBy: 'email' | 'domain';
  ownerId: string;
  ownerName: string;
  leadId: string;
}

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

export interface ImportReport {
  /** Data rows read (blank lines not counted). */
  rows: number;
  created: number;
  /** Rows whose email is already a lead of this SDR (importing the same file again skips every row). */
  skipped: number;
  flaggedCount: number;
  /** The first `detailLimit` flagged rows. */
  flagged: FlaggedRow[];
  /** Rows rejected (each may have several entries in `rejected`). */
  rejectedCount: number;
  /** The first `detailLimit` problems, in file order. */
  rejected: RejectedRow[];
  /** Headers that feed no lead field (unknown, or a second column for a field that takes one). */
  ignoredHeaders: string[];
  encoding: CsvEncoding;
  delimiter: CsvDelimiter;
}

export type ImportFailure = CsvFailure;

/** Audit line of each imported lead: created in status `new`. */
export const importAuditReason = { code: 'created', text: 'imported from CSV' } as const;

interface Candidate {
  line: number;
  fields: LeadFields;
}

/**
 * Imports the CSV read from `source` (a Readable or any async iterable of bytes) for `options.owner`.
 * Expected failures (no header row, a required column missing) are returned and nothing is written; read and
 * database errors are thrown, leaving the batches already committed in place.
 */
export async function importLeads(
  db: Db,
  source: AsyncIterable<unknown>,
  options: ImportOptions,
): Promise<Result<ImportReport, ImportFailure>> {
  const batchSize = options.batchSize ?? 1000;
  const detailLimit = options.detailLimit ?? 1000;
  const maxRowBytes = options.maxRowBytes ?? defaultMaxRowBytes;
  const { owner, clock, onProgress } = options;
  const actorId = options.actorId ?? owner.sdrId;
  // On the embedded database the batches are written with COPY: nothing else can write between a batch's check and
  // its write (one connection, one transaction), so no row of a checked batch can clash.
  const copyTo = embeddedInstanceOf(db);

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

  const report: ImportReport = {
    rows: 0,
    created: 0,
    skipped: 0,
    flaggedCount: 0,
    flagged: [],
    rejectedCount: 0,
    rejected: [],
    ignoredHeaders: mapping.ignoredHeaders,
    encoding: csv.encoding,
    delimiter: csv.delimiter,
  };
  const reject = (line: number, problems: readonly Omit<RejectedRow, 'line'>[]) => {
    report.rejectedCount++;
    for (const p of problems) if (report.rejected.length < detailLimit) report.rejected.push({ line, ...p });
  };
  const flag = (row: FlaggedRow) => {
    report.flaggedCount++;
    if (report.flagged.length < detailLimit) report.flagged.push(row);
  };

  /** Email → line of its first valid row: a later row with the same email is a duplicate within the file. */
  const firstLineOfEmail = new Map<string, number>();
  let batch: Candidate[] = [];
  /**
   * The batch being written while the next one is read and validated: on a PostgreSQL server the two overlap.
   * One write at a time (PGlite is one connection, and each batch must see the leads of the one before).
   */
  let writing: Promise<void> | null = null;
  const flush = async () => {
    if (writing) await writing;
    writing = null;
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    writing = writeBatch(db, rows, { owner, actorId, now: clock.now(), copyTo }).then((outcome) => {
      report.created += outcome.created;
      report.skipped += outcome.skipped;
      outcome.flagged.forEach(flag);
    });
    // Handled when awaited by the next flush; this keeps Node from reporting it unhandled meanwhile.
    writing.catch(() => undefined);
  };
  const writeInFlight = () => writing;

  try {
    for await (const record of csv.records) {
      if (record.problem === null && record.cells.every((c) => c.trim() === '')) continue;
      report.rows++;
      if (onProgress && report.rows % batchSize === 0) onProgress(bytesRead, report.rows);

      const problem = recordProblem(record.problem, record.cells.length, record.cells.some((c) => c.includes('\u0000')), mapping, maxRowBytes);
      if (problem !== null) {
        reject(record.line, [problem]);
        continue;
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
        continue;
      }
      const fields = validated.value;
      const earlier = firstLineOfEmail.get(fields.email);
      if (earlier !== undefined) {
        reject(record.line, [
          {
            field: 'email',
            column: columnOf('email', mapping),
            code: 'duplicate_in_file',
            message: `${fields.email} already appears on line ${earlier}.`,
          },
        ]);
        continue;
      }
      firstLineOfEmail.set(fields.email, record.line);
      batch.push({ line: record.line, fields });
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    await writeInFlight();
  } finally {
    csv.close();
    // On an error, let a write in flight finish before the caller goes on (and perhaps closes the database).
    await writeInFlight()?.catch(() => undefined);
  }
  onProgress?.(bytesRead, report.rows);
  return { ok: true, value: report };
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

// ---------------------------------------------------------------------------------------------------------------
// One batch: ownership check and writes, in one transaction

interface BatchOutcome {
  created: number;
  skipped: number;
  flagged: FlaggedRow[];
}

async function writeBatch(
  db: Db,
  batch: readonly Candidate[],
  context: { owner: ImportOwner; actorId: string; now: Date; copyTo: BlobQueryable | undefined },
): Promise<BatchOutcome> {
  const { owner, actorId, now, copyTo } = context;
  return db.transaction().execute(async (trx) => {
    // PGlite is one connection: inside the transaction everything goes through `trx`.
    const store = createLeadStore(trx);
    const outcome: BatchOutcome = { created: 0, skipped: 0, flagged: [] };

    const judge = (candidates: readonly Candidate[], matches: readonly ExistingLeadMatch[]): Candidate[] => {
      const byEmail = groupBy(matches, (m) => m.email);
      const byDomain = groupBy(matches, (m) => m.webDomain);
      const fresh: Candidate[] = [];
      for (const c of candidates) {
        const relevant = [...(byEmail.get(c.fields.email) ?? []), ...(c.fields.webDomain === null ? [] : (byDomain.get(c.fields.webDomain) ?? []))];
        const verdict = judgeDuplicate(c.fields, owner.sdrId, relevant);
        if (verdict.kind === 'new') fresh.push(c);
        else if (verdict.kind === 'same_lead') outcome.skipped++;
        else outcome.flagged.push({ line: c.line, email: c.fields.email, ...verdict.conflict });
      }
      return fresh;
    };

    const domains = [...new Set(batch.map((c) => c.fields.webDomain).filter((d): d is string => d !== null))];
    const fresh = judge(batch, await store.findMatches(batch.map((c) => c.fields.email), domains, { domainOwnerOtherThan: owner.sdrId }));
    if (fresh.length === 0) return outcome;

    const inserted = await insertLeadBatch(
      trx,
      fresh.map((c) => c.fields),
      { teamId: owner.teamId, sdrId: owner.sdrId, actorId, now, audit: importAuditReason, ...(copyTo ? { copyTo } : {}) },
    );
    outcome.created = inserted.length;
    // Someone created one of these emails since the check: judge those rows again, never duplicate them.
    if (inserted.length < fresh.length) {
      const done = new Set(inserted.map((r) => r.email));
      const raced = fresh.filter((c) => !done.has(c.fields.email));
      const again = judge(raced, await store.findMatches(raced.map((c) => c.fields.email), []));
      // A conflict on the email index always finds a lead with that email; this only guards the invariant.
      if (again.length > 0) throw new Error(`lead insert skipped ${again.length} rows without a matching lead`);
    }
    return outcome;
  });
}

function groupBy<T>(items: readonly T[], key: (item: T) => string | null): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === null) continue;
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}
