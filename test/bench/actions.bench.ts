// Benchmark: one-click actions from the breach mail, from the form's POST to the committed change, on the embedded
// database: the real app in process (app.inject), the real action service, hand-off service and obligation service.
// 300 live hand-offs with both obligations open and a meeting and prep block booked; each gets one link, a third each
// of reassign to the backup, more time and nudge. The page is opened first (its nonce and cookie), then the POST is
// timed until its answer, which comes after the transaction committed. Goal: p95 ≤ 50 ms. Imports: the server's
// modules, kysely.
import { createRatingStore } from '../../server/store/rating-store';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { readFileSync } from 'node:fs';
import { buildApp } from '../../server/http/app';
import { createTokenVerifier } from '../../server/http/auth';
import { loadConfig } from '../../server/config';
import { fixedClock } from '../../server/clock';
import { createLogger } from '../../server/log';
import { parseTeamPolicies } from '../../server/domain/team-policy';
import { parseHandBackReasons } from '../../server/domain/lifecycle';
import { parseQualificationCriteria } from '../../server/domain/qualification';
import type { ActionKind } from '../../server/domain/action-link';
import { migrateToLatest, openDatabase } from '../../server/store/database';
import { createLeadStore } from '../../server/store/lead-store';
import { createPeopleStore } from '../../server/store/people-store';
import { createHandoffStore } from '../../server/store/handoff-store';
import { createFollowupStore } from '../../server/store/followup-store';
import { createOutboxStore } from '../../server/store/outbox-store';
import { createActionTokenStore } from '../../server/store/action-token-store';
import { createObligationService } from '../../server/engine/obligations';
import { createHandoffService } from '../../server/engine/handoff-service';
import { createActionLinks } from '../../server/engine/action-links';
import { createActionService } from '../../server/engine/action-service';

const HANDOFFS = Number(process.env['BENCH_ACTIONS_HANDOFFS'] ?? 300);
const now = new Date('2026-11-24T09:00:00Z');

function ok<T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

async function main(): Promise<void> {
  const opened = await openDatabase({ dataDir: 'memory://' });
  const db = opened.db;
  await migrateToLatest(db);
  const silent = createLogger('silent', new Writable({ write: (_c, _e, done) => { done(); } }));
  const clock = fixedClock(now);
  const people = createPeopleStore(db);
  const leads = createLeadStore(db);
  await people.upsertTeam({ id: 'emea', name: 'EMEA', timeZone: 'Europe/Berlin', pairingMode: 'one_to_one' });
  const mk = (key: string, role: 'sdr' | 'ae' | 'manager', extra: { managerId?: string; backupId?: string } = {}) =>
    people.createUser(
      { entraOid: `00000000-0000-4000-8000-${key.padStart(12, '0')}`, tenantId: null, email: `u${key}@baton.example`, displayName: `User ${key}`, role, teamId: 'emea', managerId: extra.managerId ?? null, backupId: extra.backupId ?? null, timeZone: 'Europe/Berlin' },
      now,
    );
  const manager = await mk('1', 'manager');
  const sdr = await mk('2', 'sdr');
  const backup = await mk('3', 'ae', { managerId: manager.id });
  const ae = await mk('4', 'ae', { managerId: manager.id, backupId: backup.id });

  const policies = ok(parseTeamPolicies(JSON.parse(readFileSync('server/settings/handoff-policy.json', 'utf8'))));
  const handBackReasons = ok(parseHandBackReasons(JSON.parse(readFileSync('server/settings/hand-back-reasons.json', 'utf8'))));
  const criteria = ok(parseQualificationCriteria(JSON.parse(readFileSync('server/settings/qualification.json', 'utf8'))));
  const outbox = createOutboxStore(db);
  const obligations = createObligationService({ db, people, gateway: { mailboxSettings: () => Promise.reject(new Error('no mailbox')) }, outbox, policies, now: () => clock.now(), logger: silent });
  const handoffs = createHandoffStore(db);
  const handoffService = createHandoffService({ clock, handoffs, followups: createFollowupStore(db), leads, people, criteria, handBackReasons, obligations, ratings: createRatingStore(db) });
  const links = createActionLinks({ secret: 'bench-secret-bench-secret-bench-secret-0123', ttlHours: 48, baseUrl: 'https://baton.example.com' });
  const tokens = createActionTokenStore(db);
  const actions = createActionService({ clock, links, tokens, handoffs, handoffService, people, leads, handBackReasons, logger: silent });
  const config = loadConfig({ NODE_ENV: 'test' });
  const app = await buildApp({
    config, logger: silent, clock, db, leadStore: leads, peopleStore: people, tokenVerifier: createTokenVerifier(config.auth, { clock }),
    qualificationCriteria: criteria, handBackReasons, handoffService, actions,
  });
  await app.ready();

  // The hand-offs: lead suspect, meeting and prep block booked, both obligations open since yesterday.
  const introAt = new Date('2026-11-23T09:00:00Z');
  await sql`
    insert into leads (team_id, owner_id, sdr_id, ae_id, status, contact_name, email, company_name, created_at, updated_at)
    select 'emea', ${sdr.id}, ${sdr.id}, ${ae.id}, 'suspect', 'Contact ' || i, 'lead' || i || '@prospect.example', 'Prospect ' || i, ${now}, ${now}
    from generate_series(1, ${HANDOFFS}::int) as i`.execute(db);
  await sql`
    insert into handoffs (lead_id, team_id, sdr_id, ae_id, stage, stage_changed_at, created_at, intro_sent_at, meeting_event_id, meeting_start, meeting_end, prep_event_id, prep_start, prep_end)
    select id, 'emea', sdr_id, ae_id, 'invite_sent', ${introAt}, ${introAt}, ${introAt}, 'meeting-' || id, ${new Date('2026-11-27T10:00:00Z')}, ${new Date('2026-11-27T10:30:00Z')},
           'prep-' || id, ${new Date('2026-11-27T09:30:00Z')}, ${new Date('2026-11-27T10:00:00Z')}
    from leads`.execute(db);
  const ids = (await db.selectFrom('handoffs').select('id').orderBy('id').execute()).map((r) => r.id);
  for (const id of ids) {
    await obligations.open(db, { id, aeId: ae.id, teamId: 'emea' }, 'ae_reply', introAt);
    await obligations.open(db, { id, aeId: ae.id, teamId: 'emea' }, 'ae_accept', introAt);
  }
  const kinds: ActionKind[] = ['reassign', 'more_time', 'nudge'];
  const paths: string[] = [];
  for (const [i, id] of ids.entries()) {
    const action = kinds[i % kinds.length] ?? 'nudge';
    const { claims, url } = links.issue({ handoffId: id, action, recipientId: manager.id, ...(action === 'reassign' ? { aeId: backup.id } : {}), ...(action === 'more_time' ? { hours: 4 } : {}) }, now);
    await tokens.record(db, [claims], now);
    paths.push(new URL(url).pathname);
  }

  const times: number[] = [];
  let failures = 0;
  for (const path of paths) {
    const page = await app.inject({ method: 'GET', url: path, headers: { host: 'baton.example.com' } });
    const nonce = /name="nonce" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const raw = page.headers['set-cookie'];
    const cookie = (Array.isArray(raw) ? raw[0] : raw)?.split(';')[0] ?? '';
    const t0 = performance.now();
    const res = await app.inject({
      method: 'POST',
      url: path,
      headers: { host: 'baton.example.com', origin: 'https://baton.example.com', 'sec-fetch-site': 'same-origin', cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ nonce }).toString(),
    });
    times.push(performance.now() - t0);
    if (res.statusCode !== 200) failures++;
  }
  const used = await db.selectFrom('action_tokens').select((eb) => eb.fn.countAll<string>().as('n')).where('used_at', 'is not', null).executeTakeFirstOrThrow();
  times.sort((a, b) => a - b);
  const pct = (p: number): number => times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)] ?? NaN;
  console.log(`bench: action_post_to_commit_p50 = ${pct(50).toFixed(1)} ms`);
  console.log(`bench: action_post_to_commit_p95 = ${pct(95).toFixed(1)} ms`);
  console.log(`bench: action_post_to_commit_count = ${String(times.length)} posts`);
  console.log(`bench: action_post_committed = ${used.n} links used (${String(failures)} failed)`);
  await app.close();
  await opened.close();
  if (failures > 0) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
