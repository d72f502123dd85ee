// Demo data for `npm start`: the demo tenant's teams, people and pairings (demo-people.json) and 200 leads spread
// over the lifecycle, each moved there through the domain's transitions so its audit trail is real. Loaded only into
// an empty database, with about six weeks of settled hand-offs behind them (./demo-history). Deterministic: the same
// leads every time. Imports: domain, store, ./demo-history.
import { z } from 'zod';
import type { Actor, Lead, LeadStatus } from '../domain/lead';
import { validateLeadFields } from '../domain/lead-validation';
import { transitionLead, type HandBackReason } from '../domain/lifecycle';
import { qualify, type QualificationCriteria } from '../domain/qualification';
import type { User } from '../domain/people';
import type { Db } from '../store/database';
import { createLeadStore } from '../store/lead-store';
import { createPeopleStore } from '../store/people-store';
import { loadDemoHistory } from './demo-history';
import { loadOverdueHandoff } from './demo-overdue';
import demoPeopleJson from './demo-people.json';

const demoPeopleSchema = z.strictObject({
  tenantId: z.string(),
  teams: z.array(z.strictObject({ id: z.string(), name: z.string(), timeZone: z.string(), pairingMode: z.enum(['one_to_one', 'pool']) })),
  users: z.array(
    z.strictObject({
      key: z.string(),
      entraOid: z.string(),
      email: z.string(),
      displayName: z.string(),
      role: z.enum(['sdr', 'ae', 'manager', 'admin']),
      team: z.string().nullable(),
      manager: z.string().nullable(),
      timeZone: z.string(),
      backup: z.string().optional(),
    }),
  ),
  pairings: z.array(z.strictObject({ sdr: z.string(), ae: z.string(), isPrimary: z.boolean() })),
});
export type DemoPeople = z.infer<typeof demoPeopleSchema>;
export const demoPeople: DemoPeople = demoPeopleSchema.parse(demoPeopleJson);

/** Paths through the lifecycle, and how many of the 200 demo leads end at each. */
const paths: ReadonlyArray<{ count: number; steps: LeadStatus[] }> = [
  { count: 40, steps: [] },
  { count: 40, steps: ['working'] },
  { count: 30, steps: ['working', 'qualified'] },
  { count: 30, steps: ['working', 'qualified', 'suspect'] },
  { count: 25, steps: ['working', 'qualified', 'suspect', 'sales_qualified'] },
  { count: 15, steps: ['working', 'qualified', 'suspect', 'handed_back'] },
  { count: 10, steps: ['working', 'qualified', 'suspect', 'handed_back', 'nurture'] },
  { count: 10, steps: ['working', 'disqualified'] },
];

const firstNames = ['Hanna', 'Jonas', 'Clara', 'Mateo', 'Ingrid', 'Tomás', 'Aiko', 'Samuel', 'Noor', 'Olivia', 'Felix', 'Zara', 'Lukas', 'Maya', 'Emre', 'Grace', 'Pieter', 'Lucía', 'Omar', 'Freya'];
const lastNames = ['Schmidt', 'García', 'Lindqvist', 'Okafor', 'Dubois', 'Tanaka', 'Moretti', 'Kowalski', 'Nguyen', "O'Brien", 'Jansen', 'Silva', 'Fischer', 'Haddad', 'Müller', 'Carter', 'Eriksen', 'Rossi', 'Patel', 'Novak'];
const companies = ['Nordwind Logistics', 'Helix Biotech', 'Quarry & Stone', 'Brightline Energy', 'Tessera Robotics', 'Lumen Retail', 'Orbital Freight', 'Copperleaf Foods', 'Vanta Textiles', 'Meridian Health', 'Kestrel Aviation', 'Arbor Analytics', 'Solace Insurance', 'Ironbridge Steel', 'Pinecrest Hotels', 'Riverbend Water', 'Atlas Components', 'Cobalt Media', 'Fjord Marine', 'Sable Security'];
const titles = ['Head of Operations', 'VP Supply Chain', 'CFO', 'IT Director', 'Plant Manager', 'COO', 'Procurement Lead', 'CTO'];
const countries = [
  { country: 'DE', tz: 'Europe/Berlin', phone: '+49 30 901820' },
  { country: 'FR', tz: 'Europe/Paris', phone: '+33 1 42 68 53' },
  { country: 'GB', tz: 'Europe/London', phone: '+44 20 7946 09' },
  { country: 'US', tz: 'America/New_York', phone: '+1 212 555 01' },
  { country: 'US', tz: 'America/Los_Angeles', phone: '+1 415 555 01' },
  { country: 'CA', tz: 'America/Toronto', phone: '+1 416 555 01' },
];
const competitors = ['SAP MES', 'Excel', 'Oracle SCM', 'Homegrown tool', 'Infor', 'None'];
const sources = ['Trade fair Hanover 2026', 'Webinar: plant scheduling', 'Outbound list Q4', 'Partner referral'];
const reasons = [
  { code: 'no_budget', text: 'Budget frozen until next fiscal year.' },
  { code: 'not_decision_maker', text: 'Contact is an influencer; the COO decides and was not involved.' },
  { code: 'wrong_fit', text: 'Only 40 employees on site, below our segment.' },
];

export interface DemoLoadResult {
  users: number;
  leads: number;
  skipped: boolean;
}

/** Loads the demo tenant into an empty database; does nothing when leads or users exist. */
export async function loadDemoData(
  db: Db,
  options: { now: Date; criteria: QualificationCriteria; handBackReasons: readonly HandBackReason[] },
): Promise<DemoLoadResult> {
  const people = createPeopleStore(db);
  const leads = createLeadStore(db);
  if ((await people.listUsers({})).length > 0) return { users: 0, leads: 0, skipped: true };

  for (const team of demoPeople.teams) await people.upsertTeam(team);
  const byKey = new Map<string, User>();
  for (const u of demoPeople.users) {
    const created = await people.createUser(
      {
        entraOid: u.entraOid,
        tenantId: demoPeople.tenantId,
        email: u.email,
        displayName: u.displayName,
        role: u.role,
        teamId: u.team,
        managerId: u.manager ? (byKey.get(u.manager)?.id ?? null) : null,
        backupId: null,
        timeZone: u.timeZone,
      },
      options.now,
    );
    byKey.set(u.key, created);
  }
  for (const u of demoPeople.users) {
    if (u.backup) await people.updateUser(must(byKey, u.key).id, { backupId: must(byKey, u.backup).id }, options.now);
  }
  for (const p of demoPeople.pairings) {
    await people.pair({ sdrId: must(byKey, p.sdr).id, aeId: must(byKey, p.ae).id, isPrimary: p.isPrimary }, false);
  }

  const sdrs = [...byKey.values()].filter((u) => u.role === 'sdr');
  const pairings = demoPeople.pairings.filter((p) => p.isPrimary);
  let n = 0;
  for (const path of paths) {
    for (let i = 0; i < path.count; i++, n++) {
      const sdr = sdrs[n % sdrs.length] as User;
      const sdrKey = demoPeople.users.find((u) => u.entraOid === sdr.entraOid)?.key;
      const ae = must(byKey, pairings.find((p) => p.sdr === sdrKey)?.ae ?? '');
      const lead = await createDemoLead(leads, n, sdr, options.now);
      await walk(leads, lead, path.steps, { sdr, ae, manager: sdr.managerId, n }, options);
    }
  }
  await loadDemoHistory(db, { now: options.now });
  await loadOverdueHandoff(db, { now: options.now });
  return { users: byKey.size, leads: n, skipped: false };
}

async function createDemoLead(leads: ReturnType<typeof createLeadStore>, n: number, sdr: User, now: Date): Promise<Lead> {
  const first = firstNames[n % firstNames.length] ?? 'Alex';
  const last = lastNames[(n * 7) % lastNames.length] ?? 'Smith';
  const company = companies[n % companies.length] ?? 'Acme';
  const place = countries[n % countries.length] ?? countries[0];
  const domain = `${company.toLowerCase().replace(/[^a-z]+/g, '')}${String(Math.floor(n / companies.length))}.example`;
  // Every fourth lead misses something the qualification criteria ask for, so the checklist has work to show.
  const gap = n % 4 === 3;
  const fields = validateLeadFields({
    contactName: `${first} ${last}`,
    title: titles[n % titles.length],
    email: `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '') + `@${domain}`,
    phone: gap ? null : `${place?.phone ?? '+1 212 555 01'}${String(10 + (n % 90))}`,
    companyName: `${company}${n >= companies.length ? ` ${String(Math.floor(n / companies.length) + 1)}` : ''}`,
    website: `https://www.${domain}`,
    employeeCount: 60 + ((n * 137) % 4000),
    country: place?.country,
    timeZone: place?.tz,
    decisionMaker: n % 5 !== 0,
    needs: 'Late deliveries because plant schedules live in spreadsheets; wants one view across sites.',
    currentSolution: n % 3 === 0 ? 'Spreadsheets' : 'Legacy scheduling tool',
    competitors: [competitors[n % competitors.length] ?? 'None'],
    budget: gap ? null : `${String(20 + (n % 8) * 10)}k EUR this year`,
    productInterests: n % 2 === 0 ? ['Scheduling', 'Capacity planning'] : ['Scheduling'],
    demoRequested: n % 3 !== 1,
    sourceList: sources[n % sources.length],
    notes: n % 6 === 0 ? 'Met at the booth; prefers mornings.' : null,
  });
  if (!fields.ok) throw new Error(`demo lead ${String(n)} is invalid: ${JSON.stringify(fields.error)}`);
  const at = new Date(now.getTime() - (60 - (n % 50)) * 86_400_000);
  return leads.create(
    { teamId: sdr.teamId ?? '', ownerId: sdr.id, sdrId: sdr.id, fields: fields.value },
    { entity: 'lead', actorId: sdr.id, at, from: null, to: 'new', reasonCode: null, reasonText: null },
  );
}

async function walk(
  leads: ReturnType<typeof createLeadStore>,
  start: Lead,
  steps: readonly LeadStatus[],
  who: { sdr: User; ae: User; manager: string | null; n: number },
  options: { now: Date; criteria: QualificationCriteria; handBackReasons: readonly HandBackReason[] },
): Promise<void> {
  let lead = start;
  let at = lead.createdAt;
  for (const to of steps) {
    at = new Date(Math.min(at.getTime() + 2 * 86_400_000, options.now.getTime()));
    const actorUser = to === 'sales_qualified' || to === 'handed_back' ? who.ae : who.sdr;
    const actor: Actor = { userId: actorUser.id, role: actorUser.role, teamId: actorUser.teamId };
    const reason = reasons[who.n % reasons.length] ?? { code: 'other', text: 'Other' };
    let qualification = qualify(lead, options.criteria);
    if ((to === 'qualified' || to === 'suspect') && !qualification.qualified) {
      // The SDR completes what was missing before qualifying, as the lead card asks.
      const completed = await leads.updateFields(lead.id, lead.version, { ...lead, phone: lead.phone ?? '+4930901820' + String(10 + (who.n % 90)), budget: lead.budget ?? '30k EUR', decisionMaker: true }, at);
      if (!completed.ok) throw new Error(`demo lead ${lead.id}: ${completed.reason}`);
      lead = completed.lead;
      qualification = qualify(lead, options.criteria);
    }
    const moved = transitionLead(
      lead,
      { to, aeId: who.ae.id, reasonCode: to === 'handed_back' ? reason.code : null, reasonText: to === 'handed_back' ? reason.text : null },
      { actor, now: at, qualification, handBackReasons: options.handBackReasons },
    );
    if (!moved.ok) throw new Error(`demo lead ${lead.id} cannot move to ${to}: ${moved.error.message}`);
    const { audit, ...change } = moved.value;
    const written = await leads.transition(lead.id, lead.version, change, audit);
    if (!written.ok) throw new Error(`demo lead ${lead.id}: ${written.reason}`);
    lead = written.lead;
  }
}

function must<V>(map: Map<string, V>, key: string): V {
  const v = map.get(key);
  if (v === undefined) throw new Error(`demo-people.json names an unknown user "${key}"`);
  return v;
}
