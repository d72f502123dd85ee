// The sandbox's request log: every request with its mailbox, route and status, and counts per mailbox and per
// endpoint. Benchmarks and tests read it to count the Graph calls Baton makes.

export interface LoggedRequest {
  at: Date;
  method: string;
  url: string;
  /** The route pattern that served it (`/v1.0/users/:user/messages/:id`), or null when none matched. */
  route: string | null;
  mailbox: string | null;
  appId: string | null;
  status: number;
  durationMs: number;
}

export interface RequestLog {
  record(entry: LoggedRequest): void;
  entries(filter?: { mailbox?: string; since?: Date }): LoggedRequest[];
  /** Counts of Graph requests (`/v1.0/...`), total and per mailbox and per endpoint (`GET /v1.0/users/:user/...`). */
  counts(): { total: number; byMailbox: Record<string, number>; byEndpoint: Record<string, number>; byStatus: Record<string, number> };
  clear(): void;
}

export function createRequestLog(options: { capacity?: number } = {}): RequestLog {
  const capacity = options.capacity ?? 50_000;
  let log: LoggedRequest[] = [];
  return {
    record(entry) {
      log.push(entry);
      // Trim in steps of a tenth so a full log does not copy itself on every request.
      if (log.length > capacity + capacity / 10) log = log.slice(log.length - capacity);
    },
    entries(filter = {}) {
      return log.filter((e) => (filter.mailbox === undefined || e.mailbox === filter.mailbox) && (filter.since === undefined || e.at >= filter.since));
    },
    counts() {
      const byMailbox: Record<string, number> = {};
      const byEndpoint: Record<string, number> = {};
      const byStatus: Record<string, number> = {};
      let total = 0;
      for (const e of log) {
        if (!e.url.toLowerCase().startsWith('/v1.0/')) continue;
        total++;
        if (e.mailbox) byMailbox[e.mailbox] = (byMailbox[e.mailbox] ?? 0) + 1;
        const endpoint = `${e.method} ${e.route ?? e.url.split('?')[0] ?? ''}`;
        byEndpoint[endpoint] = (byEndpoint[endpoint] ?? 0) + 1;
        byStatus[String(e.status)] = (byStatus[String(e.status)] ?? 0) + 1;
      }
      return { total, byMailbox, byEndpoint, byStatus };
    },
    clear() {
      log = [];
    },
  };
}
