// A real webhook receiver for the change-notification tests: node:http on 127.0.0.1, port 0. Graph requires https
// notification URLs, so subscriptions name `https://receiver.test/...` and the receiver's `fetch` (given to the
// sandbox) sends those requests to the plain-HTTP listener. Behaviour per path is scripted by each test.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const receiverBase = 'https://receiver.test';

export interface ReceivedPost {
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The parsed JSON body of a notification; null for a validation request. */
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- Graph's JSON, asserted field by field
  at: number;
}

export interface Answer {
  status?: number;
  body?: string;
  contentType?: string;
  delayMs?: number;
}

/** Decides the answer to one POST; `validationToken` is set for a validation request. */
export type Behaviour = (post: ReceivedPost, validationToken: string | null) => Answer;

export const echo: Behaviour = (_p, token) => (token === null ? { status: 202 } : { status: 200, body: token, contentType: 'text/plain' });

export interface Receiver {
  url(path: string): string;
  readonly fetch: typeof fetch;
  /** Notification POSTs (validation requests excluded), oldest first. */
  readonly posts: ReceivedPost[];
  readonly validations: ReceivedPost[];
  on(path: string, behaviour: Behaviour): void;
  /** Answers the next notification POSTs to `path` from `answers` in turn, then as usual. */
  script(path: string, answers: Answer[]): void;
  postsTo(path: string): ReceivedPost[];
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const posts: ReceivedPost[] = [];
  const validations: ReceivedPost[] = [];
  const behaviours = new Map<string, Behaviour>();
  const scripts = new Map<string, Answer[]>();
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://receiver');
      const body = Buffer.concat(chunks).toString('utf8');
      const token = u.searchParams.get('validationToken');
      let json: unknown = null;
      if (token === null && body !== '') json = JSON.parse(body);
      const post: ReceivedPost = { path: u.pathname, query: u.searchParams, headers: req.headers, body, json, at: performance.now() };
      (token === null ? posts : validations).push(post);
      const scripted = token === null ? scripts.get(u.pathname)?.shift() : undefined;
      const answer = scripted ?? (behaviours.get(u.pathname) ?? echo)(post, token);
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(answer.status ?? 202, answer.body === undefined ? {} : { 'content-type': answer.contentType ?? 'text/plain' });
        res.end(answer.body);
      };
      if (answer.delayMs) {
        const t = setTimeout(() => {
          timers.delete(t);
          send();
        }, answer.delayMs);
        timers.add(t);
      } else send();
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const rewrite = (input: string | URL | Request): string => {
    const s = typeof input === 'string' ? input : input instanceof URL ? input.toString() : input.url;
    return s.startsWith(receiverBase) ? origin + s.slice(receiverBase.length) : s;
  };
  return {
    url: (path) => `${receiverBase}${path}`,
    fetch: (input, init) => fetch(rewrite(input), init),
    posts,
    validations,
    on: (path, b) => behaviours.set(path, b),
    script: (path, answers) => scripts.set(path, [...answers]),
    postsTo: (path) => posts.filter((p) => p.path === path),
    async waitFor(predicate, timeoutMs = 3000) {
      const until = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > until) throw new Error('receiver: condition not met in time');
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    reset() {
      posts.length = 0;
      validations.length = 0;
      behaviours.clear();
      scripts.clear();
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}
