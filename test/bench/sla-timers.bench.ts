// Benchmark: the SLA timers with 100,000 open obligations on the embedded database. Leads, hand-offs and obligations
// are inserted in bulk (one obligation per hand-off, already reminded: its next step is the breach); about 1,000 come
// due during the measured run, spread evenly, the rest hours later. The real obligation sweep and outbox sender run in
// a loop every 250 ms of real time, as the server's jobs do, against a fake MailboxGateway that records when each mail
// is handed to it. Prints the delay from due time to sendMail (p50, p99), the CPU time of sweep + sender per second of
// wall time (process.cpuUsage: the embedded database runs in this process, so its work counts), breach mails sent and
// how many were sent twice. Imports: the server's engine and store, node:*.
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { createLogger } from '../../server/log';
import type { MailboxGateway, OutgoingMail } from '../../server/domain/mailbox';
import { createObligationService } from '../../server/engine/obligations';
import { createOutboxSender } from '../../server/engine/outbox-sender';
import { loadSettings } from '../../server/settings/load-settings';
import { migrateToLatest, openDatabase } from '../../server/store/database';
import { createOutboxStore } from '../../server/store/outbox-store';
import { createPeopleStore } from '../../server/store/people-store';

const OBLIGATIONS = Number(process.env['BENCH_SLA_OBLIGATIONS'] ?? 100_000);
const DUE_IN_RUN = Number(process.env['BENCH_SLA_DUE'] ?? 1_000);
const RUN_SECONDS = Number(process.env['BENCH_SLA_SECONDS'] ?? 20);
const PERIOD_MS = 250;
/** After the last due time, how long the loop may run on to send what is left. */
const DRAIN_MS = 10_000;

const silent = createLogger(
  'silent',
  new Writable({
    write: (_c, _e, done) => {
      done();
    },
  }),
);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, Math.max(0, ms));
  });

async function main(): Promise<void> {
  const opened = await openDatabase({});
  const db = opened.db;
  try {
    await migrateToLatest(db);
    // The clock: real time shifted so that the run starts 2 s after the bulk load, whatever the load took.
    let offsetMs = 0;
    const now = () => new Date(Date.now() + offsetMs);
    const people = createPeopleStore(db);
    await people.upsertTeam({ id: 'emea', name: 'EMEA', timeZone: 'Europe/Berlin', pairingMode: 'one_to_one' });
    const user = (key: string, role: 'sdr' | 'ae' | 'manager', managerId: string | null) =>
      people.createUser(
        {
          entraOid: `oid-${key}`,
          tenantId: 'bench',
          email: `${key}@baton.example`,
          displayName: key,
          role,
          teamId: 'emea',
          managerId,
          backupId: null,
          timeZone: 'Europe/Berlin',
        },
        now(),
      );
    const director = await user('director', 'manager', null);
    const manager = await user('manager', 'manager', director.id);
    const sdrs = [await user('sdr1', 'sdr', manager.id), await user('sdr2', 'sdr', manager.id), await user('sdr3', 'sdr', manager.id)];
    const aes = [await user('ae1', 'ae', manager.id), await user('ae2', 'ae', manager.id), await user('ae3', 'ae', manager.id), await user('ae4', 'ae', manager.id)];

    // Bulk rows: set-based inserts (generate_series), 10,000 rows a statement.
    const t0 = performance.now();
    const sdrIds = sql.val(sdrs.map((u) => u.id));
    const aeIds = sql.val(aes.map((u) => u.id));
    const CHUNK = 10_000;
    for (let from = 1; from <= OBLIGATIONS; from += CHUNK) {
      const to = Math.min(OBLIGATIONS, from + CHUNK - 1);
      await sql`
        insert into leads (team_id, owner_id, sdr_id, ae_id, status, contact_name, email, company_name, updated_at)
        select 'emea', (${sdrIds}::uuid[])[1 + i % 3], (${sdrIds}::uuid[])[1 + i % 3], (${aeIds}::uuid[])[1 + i % 4], 'suspect',
               'Contact ' || i, 'lead' || i || '@prospect.example', 'Prospect ' || i, now()
        from generate_series(${from}::int, ${to}::int) as i`.execute(db);
    }
    await sql`
      insert into handoffs (lead_id, team_id, sdr_id, ae_id, stage, stage_changed_at, intro_sent_at)
      select id, team_id, sdr_id, ae_id, 'invite_sent', now(), now() - interval '4 hours' from leads`.execute(db);
    // Due times: DUE_IN_RUN of them spread over the run (starting 2 s after the load), the rest 2 to 50 hours later.
    const runStart = Date.now() + 2_000; // in clock time; the offset set after the load makes it 2 s away
    const runMs = RUN_SECONDS * 1_000;
    await sql`
      with h as (select id, row_number() over (order by id) as n from handoffs)
      insert into obligations (handoff_id, kind, status, started_at, due_at, remind_at, second_level_at, reminded_at, next_check_at)
      select id, 'ae_reply', 'reminded', d - interval '8 hours', d, d - interval '4 hours', d + interval '8 hours', d - interval '4 hours', d
      from (
        select id, case when n <= ${DUE_IN_RUN}
                        then to_timestamp((${runStart}::float8 + (n - 1) * ${runMs / DUE_IN_RUN}::float8) / 1000)
                        else to_timestamp(${runStart + runMs}::float8 / 1000) + interval '2 hours' + (n * interval '1 second' * 172800 / ${OBLIGATIONS}::int)
                   end as d
        from h) as x`.execute(db);
    await sql`analyze`.execute(db);
    const loadMs = performance.now() - t0;
    offsetMs = runStart - 2_000 - Date.now();
    const open = await db.selectFrom('obligations').select((eb) => eb.fn.countAll<string>().as('n')).where('next_check_at', 'is not', null).executeTakeFirstOrThrow();

    const dueOf = new Map<string, number>();
    for (const r of await db.selectFrom('obligations').select(['id', 'due_at']).where('due_at', '<=', new Date(runStart + runMs)).execute()) dueOf.set(r.id, r.due_at.getTime());

    const sent: { key: string; at: number }[] = [];
    const gateway: Pick<MailboxGateway, 'sendMail' | 'createEvent' | 'updateEvent' | 'deleteEvent' | 'messagesDelta' | 'mailboxSettings'> = {
      sendMail(_mailbox: string, mail: OutgoingMail) {
        sent.push({ key: mail.headers?.['x-baton-outbox'] ?? '', at: now().getTime() });
        return Promise.resolve();
      },
      createEvent: () => Promise.reject(new Error('no events in this bench')),
      updateEvent: () => Promise.reject(new Error('no events in this bench')),
      deleteEvent: () => Promise.reject(new Error('no events in this bench')),
      messagesDelta: () => Promise.resolve({ changed: [], removed: [], cursor: 'c' }),
      mailboxSettings: () => Promise.reject(new Error('not read by the sweep')),
    };
    const outbox = createOutboxStore(db);
    const { handoffPolicies } = loadSettings({ qualificationFile: 'server/settings/qualification.json', handBackReasonsFile: 'server/settings/hand-back-reasons.json' });
    const obligations = createObligationService({ db, people, gateway, outbox, policies: handoffPolicies, now, logger: silent });
    const sender = createOutboxSender({ db, store: outbox, gateway, now, logger: silent, workerId: 'bench' });

    let cpuMicros = 0;
    let sweepMicros = 0;
    let ticks = 0;
    let slowestTickMs = 0;
    const loopStart = now().getTime();
    const deadline = runStart + runMs + DRAIN_MS;
    for (let next = loopStart; now().getTime() < deadline; next += PERIOD_MS) {
      await sleep(next - now().getTime());
      const cpu = process.cpuUsage();
      const w = performance.now();
      await obligations.sweep();
      const mid = process.cpuUsage(cpu);
      sweepMicros += mid.user + mid.system;
      await sender.runOnce();
      slowestTickMs = Math.max(slowestTickMs, performance.now() - w);
      const used = process.cpuUsage(cpu);
      cpuMicros += used.user + used.system;
      ticks++;
      if (now().getTime() > runStart + runMs && sent.length >= dueOf.size) break;
    }
    const wallS = (now().getTime() - loopStart) / 1000;

    const byKey = new Map<string, number>();
    for (const s of sent) byKey.set(s.key, (byKey.get(s.key) ?? 0) + 1);
    const breaches = sent.filter((s) => s.key.endsWith(':breach'));
    const firstSend = new Map<string, number>();
    for (const s of breaches) if (!firstSend.has(s.key)) firstSend.set(s.key, s.at);
    const delays: number[] = [];
    for (const [key, at] of firstSend) {
      const due = dueOf.get(key.split(':')[1] ?? '');
      if (due !== undefined) delays.push(at - due);
    }
    delays.sort((a, b) => a - b);
    const duplicated = [...byKey.values()].filter((n) => n > 1).length;
    const missing = [...dueOf.keys()].filter((id) => !firstSend.has(`sla:${id}:breach`)).length;

    console.log(`bench: sla open obligations = ${open.n} count`);
    console.log(`bench: sla bulk load = ${(loadMs / 1000).toFixed(1)} s`);
    console.log(`bench: sla breach delay p50 = ${percentile(delays, 50).toFixed(0)} ms`);
    console.log(`bench: sla breach delay p99 = ${percentile(delays, 99).toFixed(0)} ms`);
    console.log(`bench: sla breach delay max = ${percentile(delays, 100).toFixed(0)} ms`);
    console.log(`bench: sla sweep cpu = ${(cpuMicros / 1000 / wallS).toFixed(0)} ms per s`);
    console.log(`  of which the sweep ${(sweepMicros / 1000 / wallS).toFixed(0)} ms per s, the outbox sender ${((cpuMicros - sweepMicros) / 1000 / wallS).toFixed(0)} ms per s`);
    console.log(`bench: sla slowest tick = ${slowestTickMs.toFixed(0)} ms`);
    console.log(`bench: sla breach mails sent = ${firstSend.size} count`);
    console.log(`bench: sla breach mails missing = ${missing} count`);
    console.log(`bench: sla breach mails duplicated = ${duplicated} count`);
    console.log(`  ${ticks} ticks of ${PERIOD_MS} ms over ${wallS.toFixed(1)} s; ${dueOf.size} obligations came due during the run; ${sent.length} mails in all`);
  } finally {
    await opened.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
