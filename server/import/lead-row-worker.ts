// The worker thread of ./lead-rows-in-worker: reads the CSV from the chunks the importing thread passes on (saying
// when it takes each, so more can come), runs readLeadRows, and passes its batches back, waiting for an acknowledgement once `aheadBatches` are
// unacknowledged. Imports: node:worker_threads, ./lead-rows.
import { parentPort, workerData } from 'node:worker_threads';
import { readLeadRows } from './lead-rows';
import type { FromWorker, ToWorker, WorkerStart } from './lead-rows-in-worker';

/** Thrown into the reader when the source failed in the importing thread, which reports that error itself. */
class SourceFailed extends Error {}

function run(port: NonNullable<typeof parentPort>, start: WorkerStart): void {
  const send = (message: FromWorker) => { port.postMessage(message); };
  /** Chunks (and the end, or the source's failure) passed on by the importing thread, not yet read. */
  const inbox: ToWorker[] = [];
  let onInput: (() => void) | null = null;
  let acks = 0;
  let onAck: (() => void) | null = null;
  port.on('message', (message: ToWorker) => {
    if (message.type === 'ack') {
      acks++;
      onAck?.();
    } else {
      inbox.push(message);
      onInput?.();
    }
  });
  const nextInput = async (): Promise<ToWorker> => {
    while (inbox.length === 0) {
      await new Promise<void>((resolve) => {
        onInput = () => {
          onInput = null;
          resolve();
        };
      });
    }
    const message = inbox.shift() as ToWorker;
    if (message.type === 'chunk') send({ type: 'took' });
    return message;
  };
  async function* chunks(): AsyncGenerator {
    for (;;) {
      const message = await nextInput();
      if (message.type === 'end') return;
      if (message.type === 'source-error') throw new SourceFailed(message.message);
      if (message.type === 'chunk') yield message.data;
    }
  }
  const ackedUpTo = (sent: number) =>
    new Promise<void>((resolve) => {
      if (sent - acks < start.aheadBatches) { resolve(); return; }
      onAck = () => {
        if (sent - acks < start.aheadBatches) {
          onAck = null;
          resolve();
        }
      };
    });

  void (async () => {
    try {
      const opened = await readLeadRows(chunks(), start.options);
      if (!opened.ok) { send({ type: 'failed', error: opened.error }); return; }
      const { encoding, delimiter, ignoredHeaders, events } = opened.value;
      send({ type: 'opened', value: { encoding, delimiter, ignoredHeaders } });
      let sent = 0;
      for await (const event of events) {
        send({ type: 'event', event });
        if (!event.done) await ackedUpTo(++sent);
      }
    } catch (error) {
      if (!(error instanceof SourceFailed)) send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    }
  })();
}

if (parentPort === null) throw new Error('lead-row-worker runs only as a worker thread');
run(parentPort, workerData as WorkerStart);
