// The sandbox's TLS: a local certificate authority created on first start and kept in `<dataDir>/sandbox/` (in memory
// without a data folder), a server certificate for localhost/127.0.0.1 signed by it, and clients (undici dispatcher,
// fetch, https.Agent) that trust that CA besides Node's roots. No system trust store, no NODE_EXTRA_CA_CERTS.
// Imports: node:fs/path/crypto/tls/https, selfsigned, undici.
import fs from 'node:fs';
import path from 'node:path';
import https from 'node:https';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';
import { Agent } from 'undici';

export interface TlsMaterial {
  /** The local CA certificate (PEM): what a client must trust to reach the sandbox. */
  caPem: string;
  /** The server certificate (PEM) and its private key, for `https.createServer` / fastify's `https` option. */
  cert: string;
  key: string;
  /** The folder holding the files, or null when kept in memory. */
  dir: string | null;
}

export interface TlsOptions {
  /** Baton's data folder; the files go to `<dataDir>/sandbox/`. In memory when absent. */
  dataDir?: string | undefined;
  /** Names and addresses the server certificate covers besides localhost, 127.0.0.1 and ::1. */
  hosts?: readonly string[];
  /** Real time (certificate validity is checked against the real clock, never the sandbox's). */
  now?: () => Date;
}

const day = 24 * 60 * 60 * 1000;
const caLifetimeDays = 3650;
const serverLifetimeDays = 365;
/** A certificate with fewer days than this left is replaced at start. */
const renewBeforeDays = 30;
const defaultHosts = ['localhost', '127.0.0.1', '::1'];

const files = { ca: 'ca.pem', caKey: 'ca-key.pem', server: 'server.pem', serverKey: 'server-key.pem' } as const;

/** Loads the CA and server certificate from `<dataDir>/sandbox/`, creating or renewing what is missing or expiring. */
export async function loadOrCreateTls(options: TlsOptions = {}): Promise<TlsMaterial> {
  const now = options.now ?? (() => new Date());
  const hosts = [...new Set([...defaultHosts, ...(options.hosts ?? []).filter(isNameableHost)])];
  const dir = options.dataDir === undefined ? null : path.join(options.dataDir, 'sandbox');
  const read = (name: string): string | null => {
    if (dir === null) return null;
    try {
      return fs.readFileSync(path.join(dir, name), 'utf8');
    } catch {
      return null;
    }
  };
  if (dir !== null) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });

  let caPem = read(files.ca);
  let caKey = read(files.caKey);
  if (caPem === null || caKey === null || !usableCa(caPem, now())) {
    const ca = await createCa(now());
    caPem = ca.cert;
    caKey = ca.private;
    write(dir, files.caKey, caKey, 0o600);
    write(dir, files.ca, caPem, 0o644);
  }

  let cert = read(files.server);
  let key = read(files.serverKey);
  if (cert === null || key === null || !usableServerCert(cert, caPem, hosts, now())) {
    const server = await createServerCert({ cert: caPem, key: caKey }, hosts, now());
    cert = server.cert;
    key = server.private;
    write(dir, files.serverKey, key, 0o600);
    write(dir, files.server, cert, 0o644);
  }
  return { caPem, cert, key, dir };
}

/** An undici dispatcher whose TLS trusts Node's root certificates and the sandbox's CA. */
export function trustingDispatcher(caPem: string): Agent {
  return new Agent({ connect: { ca: [...tls.rootCertificates, caPem] } });
}

/**
 * Node's global fetch sent through a dispatcher that trusts the sandbox's CA: what Baton's Graph client, msal-node's
 * network client and the sandbox's own notification deliveries use to reach a TLS endpoint signed by that CA.
 */
export function trustingFetch(caPem: string, dispatcher: Agent = trustingDispatcher(caPem)): typeof fetch {
  // Node's RequestInit accepts `dispatcher` (an undici extension); its declared type is undici-types' Dispatcher.
  type NodeInit = RequestInit & { dispatcher?: unknown };
  return (input, init) => fetch(input, { ...(init ?? {}), dispatcher } as NodeInit);
}

/** For clients built on node:https (jose 5's remote JWKS): an Agent trusting Node's roots and the sandbox's CA. */
export function trustingHttpsAgent(caPem: string): https.Agent {
  return new https.Agent({ ca: [...tls.rootCertificates, caPem] });
}

function isNameableHost(host: string): boolean {
  return host !== '' && host !== '0.0.0.0' && host !== '::';
}

const isIp = (host: string): boolean => /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');

function remainingMs(cert: X509Certificate, now: Date): number {
  return new Date(cert.validTo).getTime() - now.getTime();
}

function usableCa(caPem: string, now: Date): boolean {
  try {
    const ca = new X509Certificate(caPem);
    return ca.ca && remainingMs(ca, now) > renewBeforeDays * day && new Date(ca.validFrom).getTime() <= now.getTime() + day;
  } catch {
    return false;
  }
}

function usableServerCert(certPem: string, caPem: string, hosts: readonly string[], now: Date): boolean {
  try {
    const cert = new X509Certificate(certPem);
    const ca = new X509Certificate(caPem);
    if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return false;
    if (remainingMs(cert, now) <= renewBeforeDays * day) return false;
    return hosts.every((h) => (isIp(h) ? cert.checkIP(h) !== undefined : cert.checkHost(h) !== undefined));
  } catch {
    return false;
  }
}

async function createCa(now: Date): Promise<{ cert: string; private: string }> {
  const notBeforeDate = new Date(now.getTime() - day);
  return generate(
    [
      { name: 'commonName', value: 'Baton sandbox local CA' },
      { name: 'organizationName', value: 'Baton sandbox (local only)' },
    ],
    {
      algorithm: 'sha256',
      keyType: 'ec',
      curve: 'P-256',
      notBeforeDate,
      notAfterDate: new Date(now.getTime() + caLifetimeDays * day),
      extensions: [
        { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
      ],
    },
  );
}

async function createServerCert(ca: { cert: string; key: string }, hosts: readonly string[], now: Date): Promise<{ cert: string; private: string }> {
  const notBeforeDate = new Date(now.getTime() - day);
  return generate([{ name: 'commonName', value: 'localhost' }], {
    algorithm: 'sha256',
    keyType: 'ec',
    curve: 'P-256',
    notBeforeDate,
    notAfterDate: new Date(now.getTime() + serverLifetimeDays * day),
    ca,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: hosts.map((h) => (isIp(h) ? { type: 7 as const, ip: h } : { type: 2 as const, value: h })) },
    ],
  });
}

/** Writes through a temporary file and a rename, so a crash never leaves half a key behind. */
function write(dir: string | null, name: string, content: string, mode: number): void {
  if (dir === null) return;
  const target = path.join(dir, name);
  const temp = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(temp, content, { mode });
  fs.chmodSync(temp, mode);
  fs.renameSync(temp, target);
}
