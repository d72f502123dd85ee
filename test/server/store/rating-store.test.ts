// Rating store on the real database: a rating written in a transaction that rolls back leaves nothing; one rating
// per outcome (the hand-off version keys it); the counts of a week and the week before for a set of teams, by SDR,
// the lead's source list and score, the ticked fields and the newest sentences, equal to the domain's own count of
// the same ratings.
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import { seedPeople, type TestPeople } from '../helpers/people';
import { leadFields } from '../helpers/leads';
import { createLeadStore, type LeadStore } from '../../../server/store/lead-store';
import { createRatingStore, type RatingStore } from '../../../server/store/rating-store';
import { countRatings, type Rating, type RatingRow } from '../../../server/domain/rating';
import { previousRangeOf } from '../../../server/domain/report';
import type { User } from '../../../server/domain/people';

let db: TestDatabase;
let store: RatingStore;
let leads: LeadStore;
let people: TestPeople;
const d = (iso: string) => new Date(`2026-11-${iso}:00Z`);
const week = { from: d('16T00:00'), to: d('23T00:00') };

beforeAll(async () => {
  db = await openTestDatabase();
  store = createRatingStore(db.db);
  leads = createLeadStore(db.db);
});
afterAll(async () => {
  await db.close();
});
beforeEach(async () => {
  await db.reset();
  people = await seedPeople(db.db);
});

let n = 0;
async function handoff(sdr: User, ae: User, sourceList: string | null): Promise<{ id: string; leadId: string; teamId: string }> {
  n += 1;
  const lead = await leads.create(
    { teamId: sdr.teamId ?? '', ownerId: sdr.id, sdrId: sdr.id, fields: leadFields({ email: `r${String(n)}@prospect${String(n)}.com`, companyName: `Prospect <${String(n)}>`, sourceList }) },
    { entity: 'lead', actorId: sdr.id, at: d('01T09:00'), from: null, to: 'new', reasonCode: null, reasonText: null },
  );
  const row = await db.db
    .insertInto('handoffs')
    .values({ lead_id: lead.id, team_id: sdr.teamId ?? '', sdr_id: sdr.id, ae_id: ae.id, stage: 'closed', stage_changed_at: d('02T09:00'), created_at: d('01T10:00'), outcome: 'sales_qualified' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, leadId: lead.id, teamId: sdr.teamId ?? '' };
}

async function rate(h: { id: string; leadId: string; teamId: string }, sdr: User, ae: User, at: string, rating: Rating, version = 2) {
  return store.insert(db.db, { handoffId: h.id, handoffVersion: version, leadId: h.leadId, teamId: h.teamId, sdrId: sdr.id, aeId: ae.id, outcome: 'sales_qualified', rating, at: d(at) });
}

describe('rating store', () => {
  it('writes a rating only when its transaction commits, once per outcome', async () => {
    const h = await handoff(people.sdr1, people.ae1, 'Webinar');
    await expect(
      db.db.transaction().execute(async (trx) => {
        await store.insert(trx, { handoffId: h.id, handoffVersion: 2, leadId: h.leadId, teamId: h.teamId, sdrId: people.sdr1.id, aeId: people.ae1.id, outcome: 'no_show', rating: { score: 3, fields: [], comment: null }, at: d('16T10:00') });
        throw new Error('the outcome failed');
      }),
    ).rejects.toThrow('the outcome failed');
    expect(await store.ofHandoff(h.id)).toEqual([]);
    const stored = await rate(h, people.sdr1, people.ae1, '16T10:00', { score: 2, fields: ['budget', 'phone'], comment: 'Budget unknown.' });
    expect(await store.ofHandoff(h.id)).toEqual([stored]);
    expect(stored).toMatchObject({ handoffVersion: 2, rating: { score: 2, fields: ['budget', 'phone'], comment: 'Budget unknown.' }, at: d('16T10:00') });
    await expect(rate(h, people.sdr1, people.ae1, '16T11:00', { score: 5, fields: [], comment: null })).rejects.toMatchObject({ code: '23505' });
    await expect(rate(h, people.sdr1, people.ae1, '16T11:00', { score: 6 as 5, fields: [], comment: null }, 3)).rejects.toMatchObject({ code: '23514' });
  });

  it('counts a week and the week before per team, SDR, source list and score, as the domain counts the same ratings', async () => {
    const rows: RatingRow[] = [];
    const add = async (sdr: User, ae: User, source: string | null, at: string, rating: Rating) => {
      const h = await handoff(sdr, ae, source);
      await rate(h, sdr, ae, at, rating);
      if (sdr.teamId === 'north') rows.push({ sdrId: sdr.id, source: source === null || source.trim() === '' ? null : source.trim(), score: rating.score, fields: rating.fields, comment: rating.comment, companyName: `Prospect <${String(n)}>`, ratedAt: d(at) });
    };
    await add(people.sdr1, people.ae1, 'Webinar', '16T09:00', { score: 2, fields: ['budget', 'phone'], comment: 'No budget.' });
    await add(people.sdr1, people.ae1, 'Webinar', '17T09:00', { score: 3, fields: ['budget'], comment: null });
    await add(people.sdr1, people.ae1, 'Trade fair', '22T22:59', { score: 5, fields: [], comment: 'Great.' });
    await add(people.sdr1, people.ae1, 'Webinar', '10T09:00', { score: 4, fields: ['phone'], comment: 'Earlier week.' });
    await add(people.sdr2, people.ae2, null, '18T09:00', { score: 1, fields: ['needs', 'decisionMaker'], comment: 'Not a buyer.' });
    await add(people.sdr2, people.ae2, '  ', '19T09:00', { score: 2, fields: [], comment: null });
    // Outside both weeks, and another team: not counted.
    await add(people.sdr1, people.ae1, 'Webinar', '23T00:00', { score: 5, fields: ['notes'], comment: 'Next week.' });
    await add(people.sdr1, people.ae1, 'Webinar', '08T23:00', { score: 1, fields: ['notes'], comment: 'Too early.' });
    await add(people.southSdr, people.southAe, 'Webinar', '17T09:00', { score: 1, fields: ['budget'], comment: 'Other team.' });

    const counts = await store.counts(week, ['north']);
    const expected = countRatings(rows, week, previousRangeOf(week));
    const sorted = (list: readonly unknown[]) => list.map((x) => JSON.stringify(x)).sort();
    expect(sorted(counts.scores)).toEqual(sorted(expected.scores));
    expect(sorted(counts.fields)).toEqual(sorted(expected.fields));
    expect(counts.comments).toEqual(expected.comments);
    expect(counts.comments.map((c) => c.text)).toEqual(['Great.', 'Not a buyer.', 'No budget.']);
    expect(counts.scores.filter((s) => s.period === 'current').reduce((a, s) => a + s.count, 0)).toBe(5);

    const all = await store.counts(week, 'all');
    expect(all.comments.map((c) => c.text)).toContain('Other team.');
    expect(await store.counts(week, [])).toEqual({ scores: [], fields: [], comments: [] });
  });
});
