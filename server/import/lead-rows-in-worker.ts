// readLeadRows in a worker thread (./lead-row-worker): this thread reads the source and passes its chunks on, at most
// `aheadChunks` ahead of the worker; the worker parses, validates and lays out the rows, and passes batches back, at
// most `aheadBatches` ahead of the batch being written, so neither side holds more than a few batches. Same results as
// readLeadRows in this thread; an error of the source is thrown as it was raised. Imports: node:*, ./lead-rows types.
import path from 'node:path';
import { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { Result } from '../domain/lead';
import type { CsvFailure } from './lead-csv';
import type { OpenedRows, ReadEvent, ReadOptions } from './lead-rows';

/** How many batches the worker may read ahead of the one being written. */
const aheadBatches = 4;
/** How many chunks of the source (64 KB from a file) may wait for the worker. */
const aheadChunks = 16;

/** Messages from the worker. */
export type FromWorker =
  | { type: 'took' }
  | { type: 'opened'; value: Omit<OpenedRows, 'events' | 'close'> }
  | { type: 'failed'; error: CsvFailure }
  | { type: 'event'; event: ReadEvent }
  | { type: 'error'; message: string };

/** Messages to the worker. */
export type ToWorker = { type: 'chunk'; data: unknown } | { type: 'end' } | { type: 'source-error'; message: string } | { type: 'ack' };

export interface WorkerStart {
  options: ReadOptions;
  aheadBatches: number;
}

export async function readLeadRowsInWorker(source: AsyncIterable<unknown>, options: ReadOptions): Promise<Result<OpenedRows, CsvFailure>> {
  const worker = startWorker({ options, aheadBatches });
  const inbox = new Inbox();
  const chunks = source[Symbol.asyncIterator]();
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    void worker.terminate();
    void chunks.return?.();
    if (source instanceof Readable) source.destroy();
  };
  // The source is read ahead of the worker, up to `aheadChunks` chunks not yet taken: this thread is busy writing for
  // tens of milliseconds at a time, and the worker must not run dry meanwhile.
  let untaken = 0;
  let pumping = false;
  let ended = false;
  const pump = async () => {
    if (pumping) return;
    pumping = true;
    try {
      while (!closed && !ended && untaken < aheadChunks) {
        const next = await chunks.next();
        // Closed meanwhile (tsc cannot see that the await lets `close` run).
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
        if (closed) return;
        if (next.done === true) {
          ended = true;
          worker.postMessage({ type: 'end' } satisfies ToWorker);
        } else {
          untaken++;
          worker.postMessage({ type: 'chunk', data: next.value } satisfies ToWorker);
        }
      }
    } catch (error) {
      // The worker stops reading; the importer sees the source's own error.
      ended = true;
      if (!closed) worker.postMessage({ type: 'source-error', message: String(error) } satisfies ToWorker);
      inbox.fail(error);
    } finally {
      pumping = false;
    }
  };
  worker.on('message', (message: FromWorker) => {
    if (message.type === 'took') {
      untaken--;
      void pump();
    } else inbox.push(message);
  });
  worker.on('error', (error) => { inbox.fail(error); });
  worker.on('exit', (code) => {
    if (!closed) inbox.fail(new Error(`the CSV reader stopped unexpectedly (exit code ${String(code)})`));
  });
  void pump();

  let first: FromWorker;
  try {
    first = await inbox.next();
  } catch (error) {
    close();
    throw error;
  }
  if (first.type === 'failed') {
    close();
    return { ok: false, error: first.error };
  }
  if (first.type !== 'opened') {
    close();
    throw new Error(first.type === 'error' ? first.message : `the CSV reader sent ${first.type} before opening the file`);
  }

  async function* events(): AsyncGenerator<ReadEvent, void, undefined> {
    try {
      for (;;) {
        const message = await inbox.next();
        if (message.type === 'error') throw new Error(message.message);
        if (message.type !== 'event') throw new Error(`the CSV reader sent ${message.type} while reading rows`);
        yield message.event;
        if (message.event.done) return;
        // The batch is written: the worker may read one more.
        worker.postMessage({ type: 'ack' } satisfies ToWorker);
      }
    } finally {
      close();
    }
  }
  return { ok: true, value: { ...first.value, events: events(), close } };
}

function startWorker(start: WorkerStart): Worker {
  const extension = path.extname(__filename);
  const entry = path.join(__dirname, `lead-row-worker${extension}`);
  if (extension !== '.ts') return new Worker(entry, { workerData: start });
  // Run from the TypeScript sources (development, tests): the worker compiles them as this process does.
  return new Worker(`require('tsx/cjs'); require(${JSON.stringify(entry)});`, { eval: true, workerData: start });
}

/** The worker's messages in arrival order, or the first failure. */
class Inbox {
  private readonly queue: FromWorker[] = [];
  private waiting: { resolve: (m: FromWorker) => void; reject: (e: unknown) => void } | null = null;
  private failure: { error: unknown } | null = null;

  push(message: FromWorker): void {
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = null;
      resolve(message);
    } else this.queue.push(message);
  }

  fail(error: unknown): void {
    if (this.failure) return;
    this.failure = { error };
    if (this.waiting) {
      const { reject } = this.waiting;
      this.waiting = null;
      reject(error);
    }
  }

  next(): Promise<FromWorker> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the source's own error, as raised
    if (this.failure) return Promise.reject(this.failure.error);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }
}
