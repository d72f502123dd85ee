// Change notifications with resource data (includeResourceData): the subscription takes the app's certificate, each
// notification carries the item's selected properties encrypted for it and the batch carries validation tokens. The
// receiver here decrypts and checks them exactly as Microsoft's guide tells an app to
// (https://learn.microsoft.com/graph/change-notifications-with-resource-data), so a real app's code works on both.
import { createDecipheriv, createHmac, privateDecrypt, constants, X509Certificate, timingSafeEqual } from 'node:crypto';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { generate } from 'selfsigned';
import { graphNotificationPublisherAppId } from '../../../server/sandbox/identity';
import { demoUsers, startSandboxHarness, type SandboxHarness } from './harness';
import { startReceiver, type Receiver } from './subscriptions-receiver';

let rx: Receiver;
let h: SandboxHarness;
let cert: { base64: string; privatePem: string; thumbprint: string };

const anton = demoUsers.antonAe;
const dana = demoUsers.danaSdr;

async function newCertificate(keyType: 'rsa' | 'ec'): Promise<{ base64: string; privatePem: string; thumbprint: string }> {
  const pems = await generate([{ name: 'commonName', value: 'notifications.example' }], {
    algorithm: 'sha256',
    ...(keyType === 'rsa' ? { keySize: 2048 } : { keyType: 'ec' as const, curve: 'P-256' as const }),
    notAfterDate: new Date('2040-01-01T00:00:00Z'),
  });
  const x509 = new X509Certificate(pems.cert);
  return { base64: x509.raw.toString('base64'), privatePem: pems.private, thumbprint: x509.fingerprint.replace(/:/g, '') };
}

beforeAll(async () => {
  rx = await startReceiver();
  h = await startSandboxHarness({ fetch: rx.fetch, subscriptionTimings: { validationTimeoutMs: 1000, deliveryTimeoutMs: 800, retryDelaysMs: [30], sweepIntervalMs: 50 } });
  cert = await newCertificate('rsa');
});
afterAll(async () => {
  await h.close();
  await rx.close();
});
beforeEach(() => {
  rx.reset();
});
afterEach(async () => {
  for (const s of (await graph('GET', '/v1.0/subscriptions')).body.value as Array<{ id: string }>) await graph('DELETE', `/v1.0/subscriptions/${s.id}`);
  await h.sb.subscriptions.idle();
});

async function graph(...args: Parameters<SandboxHarness['graph']>): ReturnType<SandboxHarness['graph']> {
  const token = (await h.sb.identity.issueAppToken(h.sb.tenant.apps.server.clientId)).accessToken;
  const [method, url, body, headers] = args;
  return h.graph(method, url, body, { authorization: `Bearer ${token}`, ...headers });
}

const inMinutes = (minutes: number) => new Date(h.sb.clock.now().getTime() + minutes * 60_000).toISOString();

function subscription(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    changeType: 'created,updated,deleted',
    notificationUrl: rx.url('/notify'),
    resource: `users/${anton}/mailFolders('inbox')/messages?$select=subject,from,bodyPreview`,
    expirationDateTime: inMinutes(60),
    clientState: 'secretClientValue',
    includeResourceData: true,
    encryptionCertificate: cert.base64,
    encryptionCertificateId: 'baton-cert-1',
    ...overrides,
  };
}

/** What the guide tells an app to do: decrypt the key (RSA-OAEP), check the HMAC, decrypt the data (AES-CBC). */
function decrypt(content: { data: string; dataKey: string; dataSignature: string }, privatePem: string): Record<string, unknown> {
  const key = privateDecrypt({ key: privatePem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, Buffer.from(content.dataKey, 'base64'));
  const data = Buffer.from(content.data, 'base64');
  const signature = createHmac('sha256', key).update(data).digest();
  if (!timingSafeEqual(signature, Buffer.from(content.dataSignature, 'base64'))) throw new Error('dataSignature does not match');
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  return JSON.parse(Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8')) as Record<string, unknown>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const posts = () => rx.postsTo('/notify').map((p) => p.json as { value: Array<Record<string, any>>; validationTokens?: string[] });

describe('subscriptions with resource data', () => {
  it('are created with the certificate and answer it back', async () => {
    const r = await graph('POST', '/v1.0/subscriptions', subscription());
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ includeResourceData: true, encryptionCertificate: cert.base64, encryptionCertificateId: 'baton-cert-1' });
    const read = await graph('GET', `/v1.0/subscriptions/${r.body.id as string}`);
    expect(read.body).toMatchObject({ includeResourceData: true, encryptionCertificateId: 'baton-cert-1' });
  });

  it('deliver the selected properties encrypted for the certificate, with validation tokens for the app', async () => {
    await graph('POST', '/v1.0/subscriptions', subscription());
    const sent = await graph('POST', `/v1.0/users/${dana}/sendMail`, {
      message: { subject: 'Intro: <Contoso> & you', body: { contentType: 'HTML', content: '<p>Meet the lead.</p>' }, toRecipients: [{ emailAddress: { address: 'anton.weber@contoso-sales.example' } }] },
    });
    expect(sent.status).toBe(202);
    await h.sb.subscriptions.idle();

    const [post] = posts();
    expect(post).toBeDefined();
    const item = post?.value[0];
    expect(item?.changeType).toBe('created');
    expect(item?.encryptedContent).toMatchObject({ encryptionCertificateId: 'baton-cert-1', encryptionCertificateThumbprint: cert.thumbprint });
    const resource = decrypt(item?.encryptedContent, cert.privatePem);
    expect(resource['subject']).toBe('Intro: <Contoso> & you');
    expect(resource['id']).toBe(item?.resourceData.id);
    expect(resource['from']).toMatchObject({ emailAddress: { address: 'dana.whit@contoso-sales.example' } });
    // Only what the resource selected (and the id and annotations), never the whole message.
    expect(Object.keys(resource).filter((k) => !k.startsWith('@odata.')).sort()).toEqual(['bodyPreview', 'from', 'id', 'subject']);

    // One validation token for the one app: signed by the tenant's key, for the app, from Graph's publisher.
    expect(post?.validationTokens).toHaveLength(1);
    const jwks = createLocalJWKSet(h.sb.identity.jwks());
    const { payload } = await jwtVerify(post?.validationTokens?.[0] ?? '', jwks, {
      audience: h.sb.tenant.apps.server.clientId,
      issuer: `${h.sb.baseUrl()}/${h.sb.tenant.tenantId}/`,
      currentDate: h.sb.clock.now(),
    });
    expect(payload['azp']).toBe(graphNotificationPublisherAppId);
    expect(payload['tid']).toBe(h.sb.tenant.tenantId);
  });

  it('carry no resource data for a deleted item, and none for subscriptions without it', async () => {
    await graph('POST', '/v1.0/subscriptions', subscription());
    await graph('POST', '/v1.0/subscriptions', subscription({ includeResourceData: false, encryptionCertificate: null, encryptionCertificateId: null, notificationUrl: rx.url('/plain') }));
    h.sb.changes.publish({ at: h.sb.clock.now(), userId: anton, kind: 'message', itemId: 'AAMkAgone', folderId: 'inbox', changeType: 'deleted' });
    await h.sb.subscriptions.idle();
    const rich = posts()[0];
    expect(rich?.value[0]?.changeType).toBe('deleted');
    expect(rich?.value[0]?.encryptedContent).toBeUndefined();
    expect(rich?.validationTokens).toBeUndefined();
    const plain = rx.postsTo('/plain')[0]?.json as { value: Array<Record<string, unknown>>; validationTokens?: unknown };
    expect(plain.value[0]?.['encryptedContent']).toBeUndefined();
    expect(plain.validationTokens).toBeUndefined();
  });

  it('work for events too: an accepted meeting reaches the organizer with its attendees', async () => {
    await graph('POST', '/v1.0/subscriptions', subscription({ resource: `users/${dana}/events?$select=subject,attendees`, changeType: 'updated' }));
    const created = await graph('POST', `/v1.0/users/${dana}/events`, {
      subject: 'Discovery call',
      start: { dateTime: '2026-12-10T10:00:00', timeZone: 'UTC' },
      end: { dateTime: '2026-12-10T10:30:00', timeZone: 'UTC' },
      attendees: [{ emailAddress: { address: 'anton.weber@contoso-sales.example' }, type: 'required' }],
    });
    expect(created.status).toBe(201);
    await h.sb.subscriptions.idle();
    rx.reset();
    const antonCopy = (await graph('GET', `/v1.0/users/${anton}/events?$filter=${encodeURIComponent("subject eq 'Discovery call'")}`)).body.value[0] as { id: string };
    expect((await graph('POST', `/v1.0/users/${anton}/events/${antonCopy.id}/accept`, { sendResponse: true })).status).toBe(202);
    await h.sb.subscriptions.idle();
    const items = posts().flatMap((p) => p.value);
    const resources = items.map((i) => decrypt(i.encryptedContent, cert.privatePem));
    expect(resources.some((r) => JSON.stringify(r['attendees']).includes('"accepted"'))).toBe(true);
  });
});

describe('subscriptions with resource data refused', () => {
  it.each([
    ['without a certificate', { encryptionCertificate: undefined }, /encryptionCertificate is required/],
    ['without a certificate id', { encryptionCertificateId: '' }, /encryptionCertificateId is required/],
    ['without $select', { resource: `users/${anton}/messages` }, /\$select/],
    ['with a certificate that is not one', { encryptionCertificate: 'MIIDMzCCAhugAwIBAgIQE7D+++Dk1hKQBqWA==' }, /not a valid base64-encoded X\.509 certificate/],
    ['with a certificate that is not base64', { encryptionCertificate: '<script>' }, /not a valid base64-encoded X\.509 certificate/],
  ])('%s: 400 InvalidRequest naming what is wrong, nothing created', async (_name, overrides, message) => {
    const r = await graph('POST', '/v1.0/subscriptions', subscription(overrides));
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('InvalidRequest');
    expect(r.body.error.message).toMatch(message);
    expect((await graph('GET', '/v1.0/subscriptions')).body.value).toEqual([]);
  });

  it('with a certificate whose key is not RSA (the data key is RSA-OAEP encrypted)', async () => {
    const ec = await newCertificate('ec');
    const r = await graph('POST', '/v1.0/subscriptions', subscription({ encryptionCertificate: ec.base64 }));
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/RSA/);
  });
});
