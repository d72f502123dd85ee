// The process logger: pino JSON with ids as fields. Secrets never reach the output: tokens, authorization
// headers, clientState and mail bodies are redacted by path. Imports: pino only.
import pino, { type Logger } from 'pino';

export type { Logger };

export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'token',
  'accessToken',
  'access_token',
  'clientSecret',
  'client_secret',
  'clientState',
  '*.clientState',
  'body',
  '*.body',
];

/** A one-click link's path carries its signed token: the log keeps `/actions/[redacted]`. */
export function redactUrl(url: string): string {
  return url.replace(/^\/actions\/[^/?#]+/, '/actions/[redacted]');
}

interface LoggedRequest {
  method?: string;
  url?: string;
  headers?: Record<string, unknown>;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** Fastify's request serializer (which it merges under ours), with the URL's credentials redacted. */
const serializers = {
  req: (req: LoggedRequest) => ({
    method: req.method,
    url: req.url === undefined ? undefined : redactUrl(req.url),
    version: req.headers?.['accept-version'],
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  }),
};

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: redactPaths, censor: '[redacted]' }, serializers }, destination);
}
