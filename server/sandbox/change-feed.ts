// Every change to a mailbox item (message or event) in the sandbox, in order: the source of change notifications
// and of delta queries. Each change gets a sequence number; delta tokens are positions in this feed.

export type ChangeType = 'created' | 'updated' | 'deleted';
export type ItemKind = 'message' | 'event';

export interface Change {
  seq: number;
  at: Date;
  /** The mailbox (user id) the item lives in. */
  userId: string;
  kind: ItemKind;
  itemId: string;
  /** For messages: the folder id the item is (or was) in. */
  folderId: string | null;
  changeType: ChangeType;
}

export interface ChangeFeed {
  publish(change: Omit<Change, 'seq'>): Change;
  /** Changes after `seq` (exclusive), oldest first. */
  since(seq: number): Change[];
  /** The newest sequence number (0 when nothing happened). */
  head(): number;
  /** The oldest sequence number still kept: a delta token older than this has expired (410). */
  horizon(): number;
  /** Forgets changes up to `seq` (tests use it to expire delta tokens). */
  truncate(seq: number): void;
  subscribe(listener: (change: Change) => void): () => void;
}

export function createChangeFeed(): ChangeFeed {
  const log: Change[] = [];
  let seq = 0;
  let horizon = 0;
  const listeners = new Set<(c: Change) => void>();
  return {
    publish(change) {
      const c = { ...change, seq: ++seq };
      log.push(c);
      for (const l of listeners) l(c);
      return c;
    },
    since(from) {
      // Sequence numbers are dense, so the log index of seq n is n - horizon - 1.
      return log.slice(Math.max(0, from - horizon));
    },
    head: () => seq,
    horizon: () => horizon,
    truncate(upTo) {
      const n = Math.min(upTo, seq) - horizon;
      if (n > 0) {
        log.splice(0, n);
        horizon += n;
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
