// The crash test of issue 5: 100 hand-offs while Baton's server is killed with SIGKILL at random moments and
// restarted; then every SLA mail is counted in the sandbox's Sent Items by its `x-baton-outbox` key. Prints the lost
// escalations (a missed obligation without its breach mail) and the mails sent twice; exits 1 unless both are 0.
// The sandbox runs in this process (it outlives every kill); Baton runs as a child with the same GRAPH_*/AUTH_*
// variables a real tenant would use, a 36-second SLA and round-the-clock working hours. `DATABASE_URL` is passed on
// (PostgreSQL), else the embedded database in a temporary folder, which the script reads (server stopped) to know that
// Baton has no work left and to print the timeline of any hand-off that misses an escalation.
// Imports: node:*, the sandbox, the HTTP contract, the store's database (read only).
//   npm run crash-test -- [--handoffs 100] [--seed 7] [--sla-seconds 36] [--settle-minutes 10] [--log-level info]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { startSandbox, type RunningSandbox } from '../../server/sandbox/server';
import type { HandoffDetailDto, HandoffStartedDto, LeadDto } from '../../server/http/contract';
import { openDatabase, type Db } from '../../server/store/database';

interface Options {
  logLevel: string;
  handoffs: number;
  seed: number;
  slaSeconds: number;
  /** Longest wait, after the kills stop, for the quiescent state. */
  settleMinutes: number;
}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = { handoffs: 100, seed: 7, slaSeconds: 36, settleMinutes: 10, logLevel: 'warn' };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i];
    if (name === '--log-level') {
      o.logLevel = argv[i + 1] ?? 'warn';
      i++;
      continue;
    }
    const value = Number(argv[i + 1]);
    if (name === '--handoffs') o.handoffs = value;
    else if (name === '--seed') o.seed = value;
    else if (name === '--sla-seconds') o.slaSeconds = value;
    else if (name === '--settle-minutes') o.settleMinutes = value;
    else continue;
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} needs a positive number`);
    i++;
  }
  return o;
}

/** mulberry32: the same kill moments and AE behaviour on every run with one seed. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const idOf = (resource: Record<string, unknown>): string => {
  const id = resource['id'];
  if (typeof id !== 'string') throw new Error('a Graph resource without an id');
  return id;
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address === null || typeof address === 'string') reject(new Error('no port'));
        else resolve(address.port);
      });
    });
  });
}

const repo = path.resolve(__dirname, '../..');

/** Whatever happens to this script, no server is left running. */
const alive = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of alive) c.kill('SIGKILL');
});

/** Baton's server as a child process that can be killed and started again on the same data. */
function createServerProcess(env: NodeJS.ProcessEnv, logFile: string) {
  let child: ChildProcess | null = null;
  let starts = 0;
  let kills = 0;
  return {
    start(): void {
      const log = fs.openSync(logFile, 'a');
      // One process (tsx as a loader, not its CLI, which would run the server in a grandchild that SIGKILL misses).
      child = spawn(process.execPath, ['--import', 'tsx', path.join(repo, 'server/main.ts')], { cwd: repo, env, stdio: ['ignore', log, log] });
      fs.closeSync(log);
      const started = child;
      alive.add(started);
      started.once('exit', () => alive.delete(started));
      starts++;
    },
    kill(): Promise<void> {
      const c = child;
      if (c === null) return Promise.resolve();
      child = null;
      kills++;
      return new Promise((resolve) => {
        if (c.exitCode !== null || c.signalCode !== null) {
          resolve();
          return;
        }
        c.once('exit', () => {
          resolve();
        });
        c.kill('SIGKILL');
      });
    },
    /** SIGTERM: the server finishes the job at hand and closes its database (SIGKILL if it takes over 30 s). */
    stop(): Promise<void> {
      const c = child;
      if (c === null) return Promise.resolve();
      child = null;
      return new Promise((resolve) => {
        if (c.exitCode !== null || c.signalCode !== null) {
          resolve();
          return;
        }
        const force = setTimeout(() => c.kill('SIGKILL'), 30_000);
        c.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        c.kill('SIGTERM');
      });
    },
    running: () => child !== null && child.exitCode === null,
    counts: () => ({ starts, kills }),
  };
}

/** Opens Baton's database (the server stopped, for the embedded one), runs `read`, closes it. */
async function inspectDatabase<T>(env: NodeJS.ProcessEnv, read: (db: Db) => Promise<T>): Promise<T> {
  const url = env['DATABASE_URL'];
  const opened = await openDatabase(url === undefined ? { dataDir: env['DATA_DIR'] ?? '' } : { databaseUrl: url });
  try {
    return await read(opened.db);
  } finally {
    await opened.close();
  }
}

/** Work Baton's database still holds: while any is left, the system is not quiescent. */
interface PendingWork {
  notifications: number;
  outbox: number;
  cursorsDue: number;
  slaStepsDue: number;
  eventsUnapplied: number;
  total: number;
}

async function pendingWork(db: Db, now: Date): Promise<PendingWork> {
  const count = async (q: { executeTakeFirstOrThrow(): Promise<{ n: string | number | bigint }> }) => Number((await q.executeTakeFirstOrThrow()).n);
  const notifications = await count(db.selectFrom('notification_queue').select((eb) => eb.fn.countAll<string>().as('n')).where('processed_at', 'is', null));
  const outbox = await count(db.selectFrom('outbox').select((eb) => eb.fn.countAll<string>().as('n')).where('status', '=', 'pending'));
  const cursorsDue = await count(
    db
      .selectFrom('delta_cursors')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where((eb) => eb.or([eb('next_sync_at', '<=', now), eb('claimed_until', 'is not', null)])),
  );
  const slaStepsDue = await count(
    db
      .selectFrom('obligations')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('status', 'in', ['open', 'reminded', 'breached'])
      .where('next_check_at', '<=', now),
  );
  const eventsUnapplied = await count(db.selectFrom('handoff_events').select((eb) => eb.fn.countAll<string>().as('n')).where('consumed_at', 'is', null));
  return { notifications, outbox, cursorsDue, slaStepsDue, eventsUnapplied, total: notifications + outbox + cursorsDue + slaStepsDue + eventsUnapplied };
}

/** One hand-off's story from the database, in time order: its rows, events, obligations, outbox rows, the intro's
 * notifications and the SDR's delta cursors. */
async function timelineOf(db: Db, handoffId: string): Promise<string> {
  const lines: { at: Date | null; text: string }[] = [];
  const iso = (d: Date | null) => (d === null ? '-' : d.toISOString());
  const h = await db.selectFrom('handoffs').selectAll().where('id', '=', handoffId).executeTakeFirst();
  if (h === undefined) return '    (no such hand-off in the database)';
  lines.push({ at: h.created_at, text: `hand-off created (stage now ${h.stage}, since ${iso(h.stage_changed_at)})` });
  if (h.intro_sent_at !== null) lines.push({ at: h.intro_sent_at, text: `intro sent (Graph's sentDateTime), message ${h.intro_message_id ?? '-'}` });
  for (const e of await db.selectFrom('handoff_events').selectAll().where('handoff_id', '=', handoffId).orderBy('id').execute()) {
    lines.push({ at: e.recorded_at, text: `event ${e.kind} recorded (occurred ${iso(e.occurred_at)}, applied ${iso(e.consumed_at)})` });
  }
  for (const ob of await db.selectFrom('obligations').selectAll().where('handoff_id', '=', handoffId).execute()) {
    lines.push({
      at: ob.started_at,
      text: `obligation ${ob.kind} ${ob.status}: due ${iso(ob.due_at)}, breached ${iso(ob.breached_at)}, escalated ${iso(ob.escalated_at)}, met ${iso(ob.met_at)}, next check ${iso(ob.next_check_at)}, claimed until ${iso(ob.claimed_until)}`,
    });
  }
  for (const r of await db.selectFrom('outbox').selectAll().where('handoff_id', '=', handoffId).orderBy('id').execute()) {
    lines.push({ at: r.created_at, text: `outbox ${r.idempotency_key} ${r.status} (attempts ${String(r.attempts)}, done ${iso(r.done_at)}, claimed until ${iso(r.claimed_until)}, error ${r.last_error ?? '-'})` });
  }
  if (h.intro_message_id !== null) {
    for (const n of await db.selectFrom('notification_queue').selectAll().where('resource_id', '=', h.intro_message_id).orderBy('id').execute()) {
      lines.push({ at: n.received_at, text: `notification ${n.scope} ${n.change_type ?? ''} of the intro: processed ${iso(n.processed_at)} (${n.outcome ?? 'pending'}), attempts ${String(n.attempts)}, by ${n.claimed_by ?? '-'}` });
    }
  } else lines.push({ at: null, text: 'no notification names the intro (its message id was never recorded)' });
  for (const c of await db.selectFrom('delta_cursors').selectAll().where('user_id', '=', h.sdr_id).execute()) {
    lines.push({ at: c.synced_at, text: `SDR's delta cursor ${c.scope} last synced; next ${iso(c.next_sync_at)} (${c.resync_reason ?? 'timer'}), claimed until ${iso(c.claimed_until)}, failures ${String(c.failures)}` });
  }
  lines.sort((a, b) => (a.at?.getTime() ?? 0) - (b.at?.getTime() ?? 0));
  return lines.map((l) => `    ${iso(l.at)}  ${l.text}`).join('\n');
}

interface Api {
  call(as: string, method: string, url: string, body?: unknown): Promise<{ status: number; data: unknown }>;
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  const random = seededRandom(o.seed);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-crash-'));
  const running: RunningSandbox = await startSandbox({ port: 0, dataDir: path.join(dir, 'sandbox-data'), logger: false });
  const sb = running.sandbox;
  const tenant = sb.tenant;
  const userByMail = (mail: string) => {
    const u = sb.directory.find(mail);
    if (u === undefined) throw new Error(`no sandbox user ${mail}`);
    return u;
  };
  const sdrs = [userByMail('sofia.keller@contoso-sales.example'), userByMail('dana.whit@contoso-sales.example')];
  const aeOf = new Map([
    [sdrs[0]?.id ?? '', userByMail('anton.weber@contoso-sales.example')],
    [sdrs[1]?.id ?? '', userByMail('jordan.price@contoso-sales.example')],
  ]);
  // Round-the-clock working hours for the AEs, so the SLA runs now whatever the hour.
  for (const ae of aeOf.values()) {
    const zone = sb.directory.mailboxSettings(ae.id).timeZone;
    sb.directory.updateMailboxSettings(ae.id, {
      workingHours: {
        daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'],
        startTime: '00:00:00.0000000',
        endTime: '23:59:59.0000000',
        timeZone: { name: zone },
      },
    });
  }

  const hours = o.slaSeconds / 3600;
  const policyFile = path.join(dir, 'policy.json');
  fs.writeFileSync(
    policyFile,
    JSON.stringify({
      default: { sla: { dueWorkingHours: hours, reminderShare: 0.5, secondLevelAfterWorkingHours: hours }, country: null, meetingMinutes: 30, minNoticeHours: 1, prepMinutes: 15, slotCount: 3 },
      teams: {},
    }),
  );
  const caFile = path.join(dir, 'ca.pem');
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  fs.writeFileSync(caFile, running.caPem);
  fs.writeFileSync(certFile, running.tls.cert);
  fs.writeFileSync(keyFile, running.tls.key);
  const port = await freePort();
  const baton = `https://127.0.0.1:${String(port)}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: path.join(dir, 'baton-data'),
    LOG_LEVEL: o.logLevel,
    DEMO_DATA: 'on',
    HANDOFF_POLICY_FILE: policyFile,
    GRAPH_TENANT_ID: tenant.tenantId,
    GRAPH_CLIENT_ID: tenant.apps.server.clientId,
    GRAPH_CLIENT_SECRET: tenant.apps.server.clientSecret,
    GRAPH_AUTHORITY_HOST: running.url,
    GRAPH_BASE_URL: running.url,
    TLS_EXTRA_CA_FILE: caFile,
    TLS_CERT_FILE: certFile,
    TLS_KEY_FILE: keyFile,
    PUBLIC_URL: baton,
    AUTH_ISSUER: `${running.url}/${tenant.tenantId}/v2.0`,
    AUTH_AUDIENCE: tenant.apps.api.clientId,
    AUTH_JWKS_URL: `${running.url}/${tenant.tenantId}/discovery/v2.0/keys`,
    AUTH_ALLOWED_TENANTS: tenant.tenantId,
    ...(process.env['DATABASE_URL'] ? { DATABASE_URL: process.env['DATABASE_URL'] } : {}),
  };
  const logFile = path.join(dir, 'baton.log');
  const server = createServerProcess(env, logFile);

  const tokens = new Map<string, string>();
  const tokenOf = async (userId: string): Promise<string> => {
    const known = tokens.get(userId);
    if (known !== undefined) return known;
    const issued = await sb.identity.issueUserToken(userId, { audience: tenant.apps.api.clientId, scopes: ['access_as_user'], clientId: tenant.apps.addin.clientId });
    tokens.set(userId, issued.accessToken);
    return issued.accessToken;
  };
  /**
   * One API call, retried while the server is down (connection refused or reset) or answers 503 (starting, or the
   * sign-in keys could not be fetched in time under load): the caller sees only other answers.
   */
  const api: Api = {
    async call(as: string, method: string, url: string, body?: unknown) {
      for (let attempt = 0; ; attempt++) {
        try {
          const res = await running.fetch(`${baton}${url}`, {
            method,
            headers: { authorization: `Bearer ${await tokenOf(as)}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
            signal: AbortSignal.timeout(15_000),
          });
          const text = await res.text();
          if (res.status === 503 && attempt <= 600) {
            await sleep(250);
            continue;
          }
          return { status: res.status, data: (text === '' ? null : JSON.parse(text)) as unknown };
        } catch (e) {
          if (attempt > 600) throw new Error(`${method} ${url} never answered`, { cause: e });
          await sleep(250);
        }
      }
    },
  };
  const waitReady = async (): Promise<void> => {
    for (let i = 0; i < 600; i++) {
      try {
        const res = await running.fetch(`${baton}/healthz`, { signal: AbortSignal.timeout(2_000) });
        if (res.ok) return;
      } catch {
        // not up yet
      }
      await sleep(100);
    }
    throw new Error(`Baton did not start; see ${logFile}`);
  };

  const t0 = Date.now();
  server.start();
  await waitReady();

  // Phase 1, no kills: the qualified leads (four at a time).
  const leads: { sdrId: string; lead: LeadDto }[] = [];
  const createLead = async (i: number): Promise<void> => {
    const sdr = sdrs[i % sdrs.length];
    if (sdr === undefined) throw new Error('no SDR');
    const created = await api.call(sdr.id, 'POST', '/api/leads', {
      contactName: `Crash Lead ${String(i)}`,
      title: 'CTO',
      email: `lead@crash${String(i)}-widgets.com`,
      phone: '+14155550123',
      companyName: `Crash Test ${String(i)} Inc`,
      website: `https://www.crash${String(i)}-widgets.com`,
      employeeCount: 250,
      country: 'US',
      needs: 'Their hand-offs get lost in email.',
      decisionMaker: true,
      budget: 'EUR 40k this year',
    });
    if (created.status !== 201) throw new Error(`lead ${String(i)}: ${String(created.status)} ${JSON.stringify(created.data)}`);
    const lead = created.data as LeadDto;
    for (const to of ['working', 'qualified']) {
      const moved = await api.call(sdr.id, 'POST', `/api/leads/${lead.id}/transitions`, { to });
      if (moved.status !== 200) throw new Error(`lead ${String(i)} → ${to}: ${String(moved.status)} ${JSON.stringify(moved.data)}`);
    }
    leads.push({ sdrId: sdr.id, lead });
  };
  let nextLead = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (nextLead < o.handoffs) await createLead(nextLead++);
    }),
  );
  console.log(`crash: ${String(leads.length)} qualified leads in ${String(Math.round((Date.now() - t0) / 1000))} s`);

  // Phase 2: kill at random moments (a fifth of them while the server is still starting) and restart at once.
  const chaos = { on: true };
  const stopped = () => !chaos.on;
  const killer = (async () => {
    while (chaos.on) {
      const early = random() < 0.2;
      if (!early) {
        await waitReady().catch(() => undefined);
        await sleep(1_500 + random() * 6_000);
      } else {
        await sleep(random() * 1_500);
      }
      if (stopped()) break;
      await server.kill();
      server.start();
    }
  })();

  // The hand-offs: start, send the intro as the SDR (as Outlook would), and for every other lead the AE replies and
  // accepts a few seconds later; the rest are left to breach.
  const responsive = new Set<string>();
  const sdrByHandoff = new Map<string, string>();
  const sdrOf = (handoffId: string) => sdrByHandoff.get(handoffId) ?? '';
  const handoffIds: string[] = [];
  const aeActions: Promise<void>[] = [];
  const startOne = async (sdrId: string, lead: LeadDto, index: number): Promise<void> => {
    const res = await api.call(sdrId, 'POST', '/api/handoffs', { leadId: lead.id });
    let id: string;
    if (res.status === 201) id = (res.data as HandoffStartedDto).handoff.id;
    else {
      const err = (res.data as { error: { code: string; handoffId?: string } }).error;
      // The first answer was lost to a kill: the lead-twice guard names the hand-off the first call created.
      if (res.status !== 409 || err.code !== 'handoff_exists' || err.handoffId === undefined) throw new Error(`hand-off of lead ${String(index)}: ${String(res.status)} ${JSON.stringify(res.data)}`);
      id = err.handoffId;
    }
    handoffIds.push(id);
    sdrByHandoff.set(id, sdrId);
    // The SDR books the meeting at a time of their own (one free hour each, from the day after tomorrow), as the pane
    // does: a hundred invites at one default time would only measure a storm of conflict notices.
    const start = new Date(Math.ceil(Date.now() / 3600_000) * 3600_000 + 48 * 3600_000 + index * 3600_000);
    const booked = await api.call(sdrId, 'POST', `/api/handoffs/${id}/invite`, { start: start.toISOString(), end: new Date(start.getTime() + 30 * 60_000).toISOString() });
    // 409 invite_exists: a first call booked it before a kill lost its answer.
    if (booked.status >= 300 && booked.status !== 409) throw new Error(`invite of lead ${String(index)}: ${String(booked.status)} ${JSON.stringify(booked.data)}`);
    const ae = aeOf.get(sdrId);
    if (ae === undefined) throw new Error('no AE');
    sb.mail.send(sdrId, {
      subject: `Introduction: ${lead.companyName}`,
      body: { contentType: 'html', content: `<p>Meet ${ae.displayName}.</p>` },
      toRecipients: [{ emailAddress: { address: lead.email, name: lead.contactName } }],
      ccRecipients: [{ emailAddress: { address: ae.userPrincipalName, name: ae.displayName } }],
      internetMessageHeaders: [{ name: 'x-baton-handoff', value: id }],
    });
    if (index % 2 === 0) {
      responsive.add(id);
      aeActions.push(aeResponds(ae.id, id, lead.companyName));
    }
  };
  const aeResponds = async (aeId: string, handoffId: string, company: string): Promise<void> => {
    await sleep(2_000 + random() * 6_000);
    const intro = sb.mail.list(aeId, 'inbox').find((m) => m['subject'] === `Introduction: ${company}`);
    if (intro !== undefined) sb.mail.reply(aeId, idOf(intro), { comment: 'Looking forward to it.' });
    // The invite appears once Baton has seen the intro and booked it (it may be down right now): wait for it.
    for (let i = 0; i < 240; i++) {
      const sdrCopy = sb.calendar.listEvents(sdrOf(handoffId)).find((e) => e['transactionId'] === handoffId);
      const mine = sdrCopy === undefined ? undefined : sb.calendar.listEvents(aeId).find((e) => e['iCalUId'] === sdrCopy['iCalUId']);
      if (mine !== undefined) {
        sb.calendar.respond(aeId, idOf(mine), 'accept', { sendResponse: true });
        return;
      }
      await sleep(500);
    }
  };
  const queue = leads.map((l, i) => ({ ...l, i }));
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        await startOne(next.sdrId, next.lead, next.i);
        await sleep(random() * 400);
      }
    }),
  );
  await Promise.all(aeActions);
  console.log(`crash: ${String(handoffIds.length)} hand-offs started, intros sent, ${String(responsive.size)} AEs responding`);
  // Keep killing until every deadline (and the second level after it) has passed.
  await sleep(o.slaSeconds * 2_000 + 10_000);
  chaos.on = false;
  await killer;
  if (!server.running()) server.start();
  await waitReady();

  // Phase 3: wait for a quiescent state, not for a time. Quiescent: Graph has no notification left to deliver, every
  // hand-off is at its end (an idle AE's: both obligations past their last step, each breach mail in Sent Items; a
  // responsive AE's: no obligation still running), and Baton's database holds no work (queued notifications, pending
  // outbox rows, due delta cursors or SLA steps, unapplied hand-off events), read after a graceful stop; when some is
  // left the server is started again and the wait goes on. `--settle-minutes` only bounds a run that never gets
  // there: an escalation missing then is reported as not settled, never as lost and never as ok.
  type Detail = HandoffDetailDto;
  const details = new Map<string, Detail>();
  const terminal = new Set(['met', 'escalated', 'cancelled']);
  const sentNow = (): Map<string, number> => {
    const sent = new Map<string, number>();
    for (const user of sb.directory.users()) {
      for (const m of sb.mail.list(user.id, 'sentitems')) {
        const headers = (m['internetMessageHeaders'] ?? []) as { name: string; value: string }[];
        const key = headers.find((h) => h.name.toLowerCase() === 'x-baton-outbox')?.value;
        if (key !== undefined) sent.set(key, (sent.get(key) ?? 0) + 1);
      }
    }
    return sent;
  };
  const atItsEnd = (id: string, sentKeys: ReadonlyMap<string, number>): boolean => {
    const d = details.get(id);
    if (d === undefined || d.obligations.length < 2 || d.obligations.some((ob) => !terminal.has(ob.status))) return false;
    return responsive.has(id) || d.obligations.every((ob) => ob.breachedAt !== null && (sentKeys.get(`sla:${ob.id}:breach`) ?? 0) > 0);
  };
  const boundAt = Date.now() + o.settleMinutes * 60_000;
  let sent = sentNow();
  let graphIdle: boolean;
  let work: PendingWork;
  for (let round = 1; ; round++) {
    for (;;) {
      for (const id of handoffIds) {
        const res = await api.call(sdrOf(id), 'GET', `/api/handoffs/${id}`);
        if (res.status !== 200) throw new Error(`GET hand-off ${id}: ${String(res.status)}`);
        details.set(id, res.data as Detail);
      }
      sent = sentNow();
      graphIdle = sb.subscriptions.pendingDeliveries().length === 0;
      if ((graphIdle && handoffIds.every((id) => atItsEnd(id, sent))) || Date.now() > boundAt) break;
      await sleep(2_000);
    }
    await server.stop();
    work = await inspectDatabase(env, (db) => pendingWork(db, new Date()));
    console.log(`crash: settle round ${String(round)}: ${JSON.stringify(work)}, Graph deliveries pending ${String(sb.subscriptions.pendingDeliveries().length)}`);
    if (work.total === 0 || Date.now() > boundAt) break;
    server.start();
    await waitReady();
  }
  const quiescent = graphIdle && work.total === 0;
  // Invites are events: one per hand-off on the SDR's calendar, whatever the kills.
  const inviteCopies = new Map<string, number>();
  for (const sdr of sdrs) {
    for (const e of sb.calendar.listEvents(sdr.id)) {
      const tx = e['transactionId'];
      if (typeof tx === 'string') inviteCopies.set(tx, (inviteCopies.get(tx) ?? 0) + 1);
    }
  }

  // An escalation missing from a quiescent system is lost (nothing left would ever send it); missing while work is
  // still pending, it is not settled. Either way the hand-off's timeline is printed from the database.
  let lost = 0;
  let notSettled = 0;
  let expectedEscalations = 0;
  const problems: { id: string; why: string }[] = [];
  const missing = (id: string, n: number, why: string) => {
    if (quiescent) lost += n;
    else notSettled += n;
    problems.push({ id, why: `${quiescent ? 'lost' : 'not settled'}: ${why}` });
  };
  for (const id of handoffIds) {
    const d = details.get(id);
    if (d === undefined) continue;
    if (responsive.has(id)) {
      if (!atItsEnd(id, sent)) problems.push({ id, why: `responsive AE, not at its end: ${d.obligations.map((ob) => `${ob.kind} ${ob.status}`).join(', ') || 'no obligations'}` });
      continue;
    }
    expectedEscalations += 2;
    if (d.obligations.length < 2) missing(id, 2 - d.obligations.length, `${String(d.obligations.length)} obligations opened`);
    for (const ob of d.obligations) {
      if (ob.breachedAt === null) missing(id, 1, `${ob.kind}: ${ob.status}, not breached`);
      else if ((sent.get(`sla:${ob.id}:breach`) ?? 0) === 0) missing(id, 1, `${ob.kind}: breached, no breach mail sent`);
    }
  }
  if (problems.length > 0) {
    await inspectDatabase(env, async (db) => {
      for (const p of problems.slice(0, 10)) console.log(`crash: ${p.id}: ${p.why}\n${await timelineOf(db, p.id)}`);
    });
  }
  const twice = [...sent.entries()].filter(([, n]) => n > 1);
  const invitesTwice = [...inviteCopies.entries()].filter(([, n]) => n > 1);
  const missingInvites = handoffIds.filter((id) => (inviteCopies.get(id) ?? 0) === 0);
  const { starts, kills } = server.counts();
  await running.close();

  const minutes = ((Date.now() - t0) / 60_000).toFixed(1);
  console.log(`crash: ${String(kills)} kills, ${String(starts)} starts in ${minutes} min; ${String(sent.size)} distinct outbox mails sent; ${quiescent ? 'quiescent' : 'NOT quiescent'} at the end; log ${logFile}`);
  for (const [key, n] of twice.slice(0, 10)) console.log(`crash: sent ${String(n)} times: ${key}`);
  console.log(`bench: crash expected escalations = ${String(expectedEscalations)}`);
  console.log(`bench: crash lost escalations = ${String(lost)}`);
  console.log(`bench: crash mails sent twice = ${String(twice.length)}`);
  console.log(`bench: crash escalations not settled = ${String(notSettled)}`);
  console.log(`bench: crash invites booked twice = ${String(invitesTwice.length)} (missing ${String(missingInvites.length)})`);
  if (lost === 0 && notSettled === 0 && problems.length === 0 && twice.length === 0 && invitesTwice.length === 0 && missingInvites.length === 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    return 0;
  }
  return 1;
}

main().then(
  (code) => {
    process.exit(code);
  },
  (e: unknown) => {
    console.error('crash test failed:', e);
    process.exit(1);
  },
);
