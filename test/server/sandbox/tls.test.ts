// The sandbox's local certificate authority: created once in <dataDir>/sandbox/ (private keys 0600), reused across
// starts, the server certificate renewed when missing, expiring or not covering the host; and clients that trust the
// CA (undici dispatcher, fetch, https.Agent) while Node's default fetch still refuses it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { X509Certificate } from 'node:crypto';
import { loadOrCreateTls, trustingDispatcher, trustingFetch, trustingHttpsAgent, type TlsMaterial } from '../../../server/sandbox/tls';

const day = 24 * 60 * 60 * 1000;
let dataDir: string;
beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-tls-'));
});
afterEach(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const mode = (file: string) => fs.statSync(file).mode & 0o777;

async function serve(material: TlsMaterial, run: (url: string) => Promise<void>): Promise<void> {
  const server = https.createServer({ key: material.key, cert: material.cert }, (_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await run(`https://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('sandbox TLS material', () => {
  it('creates a CA and a server certificate for localhost and 127.0.0.1 in <dataDir>/sandbox, keys readable by the owner only', async () => {
    const material = await loadOrCreateTls({ dataDir });
    const dir = path.join(dataDir, 'sandbox');
    expect(material.dir).toBe(dir);
    expect(mode(path.join(dir, 'ca-key.pem'))).toBe(0o600);
    expect(mode(path.join(dir, 'server-key.pem'))).toBe(0o600);
    expect(fs.readFileSync(path.join(dir, 'ca.pem'), 'utf8')).toBe(material.caPem);
    expect(fs.readFileSync(path.join(dir, 'server.pem'), 'utf8')).toBe(material.cert);

    const ca = new X509Certificate(material.caPem);
    const cert = new X509Certificate(material.cert);
    expect(ca.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkHost('example.com')).toBeUndefined();
  });

  it('keeps the CA across starts and renews the server certificate when it is missing or about to expire', async () => {
    const first = await loadOrCreateTls({ dataDir });
    const again = await loadOrCreateTls({ dataDir });
    expect(again).toEqual(first);

    fs.rmSync(path.join(dataDir, 'sandbox', 'server.pem'));
    const renewed = await loadOrCreateTls({ dataDir });
    expect(renewed.caPem).toBe(first.caPem);
    expect(renewed.cert).not.toBe(first.cert);

    const nearExpiry = new Date(Date.now() + 350 * day);
    const later = await loadOrCreateTls({ dataDir, now: () => nearExpiry });
    expect(later.caPem).toBe(first.caPem);
    expect(later.cert).not.toBe(renewed.cert);
    expect(new Date(new X509Certificate(later.cert).validTo).getTime()).toBeGreaterThan(nearExpiry.getTime() + 300 * day);
  });

  it('replaces a CA whose key is missing, and re-signs the server certificate with the new one', async () => {
    const first = await loadOrCreateTls({ dataDir });
    fs.rmSync(path.join(dataDir, 'sandbox', 'ca-key.pem'));
    const second = await loadOrCreateTls({ dataDir });
    expect(second.caPem).not.toBe(first.caPem);
    expect(new X509Certificate(second.cert).checkIssued(new X509Certificate(second.caPem))).toBe(true);
  });

  it('covers an extra host name when asked', async () => {
    const material = await loadOrCreateTls({ dataDir, hosts: ['baton.local', '0.0.0.0'] });
    expect(new X509Certificate(material.cert).checkHost('baton.local')).toBe('baton.local');
  });

  it('stays in memory without a data folder', async () => {
    const material = await loadOrCreateTls();
    expect(material.dir).toBeNull();
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });
});

describe('clients trusting the sandbox CA', () => {
  it('reach the server through the dispatcher, fetch and https.Agent; Node default fetch refuses it', async () => {
    const material = await loadOrCreateTls();
    const dispatcher = trustingDispatcher(material.caPem);
    await serve(material, async (url) => {
      await expect(fetch(url)).rejects.toThrow();
      const res = await trustingFetch(material.caPem, dispatcher)(url, { headers: { authorization: 'Bearer x' } });
      expect(await res.text()).toBe('ok');
      const agent = trustingHttpsAgent(material.caPem);
      const body = await new Promise<string>((resolve, reject) => {
        https.get(url, { agent }, (r) => {
          let text = '';
          r.on('data', (c: Buffer) => {
            text += c.toString();
          });
          r.on('end', () => {
            resolve(text);
          });
        }).on('error', reject);
      });
      expect(body).toBe('ok');
      agent.destroy();
    });
    await dispatcher.close();
  });

  it('do not trust a certificate from another local CA', async () => {
    const ours = await loadOrCreateTls();
    const theirs = await loadOrCreateTls();
    const dispatcher = trustingDispatcher(ours.caPem);
    await serve(theirs, async (url) => {
      await expect(trustingFetch(ours.caPem, dispatcher)(url)).rejects.toThrow();
    });
    await dispatcher.close();
  });
});
