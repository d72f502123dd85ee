// Imports leads for one SDR from a CSV stream: each row validated and checked against the rest of the file
// (./lead-rows, in a worker thread by default, ./lead-rows-in-worker), then against the database ("never pursue the
// same lead twice", judgeDuplicate), and written in batches: one transaction per batch for its leads and their audit
// lines (./lead-batch-writer: COPY on the embedded database). While this thread writes one batch, the worker reads
// the next ones. Imports: ./lead-rows-in-worker (./lead-rows for types), the domain, the store, the clock. No HTTP:
// the route and the CLI call it.
import type { Clock } from '../clock';
import { judgeDuplicate, type ExistingLeadMatch } from '../domain/duplicates';
import type { LeadFields, Result } from '../domain/lead';
import { embeddedInstanceOf, type Db } from '../store/database';
import { createLeadStore } from '../store/lead-store';
import { copyLeadBatch, insertLeadBatch, type BlobQueryable, type CopyLead } from './lead-batch-writer';
import type { CsvDelimiter, CsvEncoding, CsvFailure } from './lead-csv';
import type { OpenedRows, ReadOptions, RejectedRow, RowCandidate } from './lead-rows';
import { readLeadRowsInWorker } from './lead-rows-in-worker';

export type { RejectedRow } from './lead-rows';

/** Reads and checks a lead CSV's rows: readLeadRows or readLeadRowsInWorker. */
export type ReadRows = (source: AsyncIterable<unknown>, options: ReadOptions) => Promise<Result<OpenedRows, CsvFailure>>;

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
  /**
   * What reads and checks the rows: by default readLeadRowsInWorker, in a worker thread, so that parsing and
   * validating use another core while this thread writes (and this thread never loads the CSV parser and the
   * validators); readLeadRows (./lead-rows) reads them in this thread.
   */
  readRows?: ReadRows;
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
  const { owner, clock, onProgress } = options;
  const actorId = options.actorId ?? owner.sdrId;
  // On the embedded database the batches are written with COPY: nothing else can write between a batch's check and
  // its write (one connection, one transaction), so no row of a checked batch can clash.
  const copyTo = embeddedInstanceOf(db);
  const detailLimit = options.detailLimit ?? 1000;
  const read = options.readRows ?? readLeadRowsInWorker;
  const opened = await read(source, {
    form: copyTo ? 'copy' : 'fields',
    batchSize: options.batchSize ?? 1000,
    detailLimit,
    ...(options.maxRowBytes === undefined ? {} : { maxRowBytes: options.maxRowBytes }),
  });
  if (!opened.ok) return opened;
  const rows = opened.value;

  const report: ImportReport = {
    rows: 0,
    created: 0,
    skipped: 0,
    flaggedCount: 0,
    flagged: [],
    rejectedCount: 0,
    rejected: [],
    ignoredHeaders: opened.value.ignoredHeaders,
    encoding: opened.value.encoding,
    delimiter: opened.value.delimiter,
  };
  try {
    for await (const event of rows.events) {
      const { progress } = event;
      report.rows = progress.rows;
      report.rejectedCount = progress.rejectedCount;
      report.rejected.push(...progress.rejected);
      if (event.candidates.length > 0) {
        const outcome = await writeBatch(db, event.candidates, { owner, actorId, now: clock.now(), copyTo });
        report.created += outcome.created;
        report.skipped += outcome.skipped;
        report.flaggedCount += outcome.flagged.length;
        for (const row of outcome.flagged) if (report.flagged.length < detailLimit) report.flagged.push(row);
      }
      onProgress?.(progress.bytesRead, progress.rows);
    }
  } finally {
    rows.close();
  }
  return { ok: true, value: report };
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
  batch: readonly RowCandidate[],
  context: { owner: ImportOwner; actorId: string; now: Date; copyTo: BlobQueryable | undefined },
): Promise<BatchOutcome> {
  const { owner, actorId, now, copyTo } = context;
  return db.transaction().execute(async (trx) => {
    // PGlite is one connection: inside the transaction everything goes through `trx`.
    const store = createLeadStore(trx);
    const outcome: BatchOutcome = { created: 0, skipped: 0, flagged: [] };

    const judge = (candidates: readonly RowCandidate[], matches: readonly ExistingLeadMatch[]): RowCandidate[] => {
      const byEmail = groupBy(matches, (m) => m.email);
      const byDomain = groupBy(matches, (m) => m.webDomain);
      const fresh: RowCandidate[] = [];
      for (const c of candidates) {
        const relevant = [...(byEmail.get(c.email) ?? []), ...(c.webDomain === null ? [] : (byDomain.get(c.webDomain) ?? []))];
        const verdict = judgeDuplicate(c, owner.sdrId, relevant);
        if (verdict.kind === 'new') fresh.push(c);
        else if (verdict.kind === 'same_lead') outcome.skipped++;
        else outcome.flagged.push({ line: c.line, email: c.email, ...verdict.conflict });
      }
      return fresh;
    };

    // The embedded database never gathers statistics, so it plans each domain's lookup as a bitmap scan, which asks
    // the file system for the table's size on every probe (about two per row). A plain index scan reads the same.
    if (copyTo) await copyTo.query('set local enable_bitmapscan = off');
    const domains = [...new Set(batch.map((c) => c.webDomain).filter((d): d is string => d !== null))];
    const fresh = judge(batch, await store.findMatches(batch.map((c) => c.email), domains, { domainOwnerOtherThan: owner.sdrId }));
    if (fresh.length === 0) return outcome;

    const batchContext = { teamId: owner.teamId, sdrId: owner.sdrId, actorId, now, audit: importAuditReason };
    const inserted = copyTo
      ? await copyLeadBatch(copyTo, fresh.map(asCopyLead), batchContext)
      : await insertLeadBatch(trx, fresh.map(asFields), batchContext);
    outcome.created = inserted.length;
    // Someone created one of these emails since the check: judge those rows again, never duplicate them.
    if (inserted.length < fresh.length) {
      const done = new Set(inserted.map((r) => r.email));
      const raced = fresh.filter((c) => !done.has(c.email));
      const again = judge(raced, await store.findMatches(raced.map((c) => c.email), []));
      // A conflict on the email index always finds a lead with that email; this only guards the invariant.
      if (again.length > 0) throw new Error(`lead insert skipped ${again.length} rows without a matching lead`);
    }
    return outcome;
  });
}

/** A good row laid out for COPY, as copyLeadBatch takes it; throws if it was read as fields. */
export function asCopyLead(c: RowCandidate): CopyLead {
  if (c.form !== 'copy') throw new Error('the rows were not laid out for COPY');
  return { email: c.email, copyText: c.copyText };
}

function asFields(c: RowCandidate): LeadFields {
  if (c.form !== 'fields') throw new Error('the rows were laid out for COPY, not for an INSERT');
  return c.fields;
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
