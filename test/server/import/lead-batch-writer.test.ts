// insertLeadBatch on a real database (embedded, or PostgreSQL when DATABASE_URL is set): values that COPY's text
// format must escape (tabs, line breaks, backslashes, `\N`, `\.`, quotes and braces in list items, blanks, NULL as
// text) come back exactly, through COPY on the embedded database and through the INSERT on both; and the escaping
// rules themselves.
import { fixedClock } from '../../../server/clock';
import type { AuditEntry, LeadFields } from '../../../server/domain/lead';
import { copyField, copyValue, insertLeadBatch } from '../../../server/import/lead-batch-writer';
import { embeddedInstanceOf } from '../../../server/store/database';
import { createLeadStore, type LeadStore } from '../../../server/store/lead-store';
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import { leadFields } from '../helpers/leads';
import { seedPeople, type TestPeople } from '../helpers/people';

const now = fixedClock(new Date('2026-11-24T09:30:00.123Z')).now();
const audit = { code: 'created', text: 'imported from CSV' };

let tdb: TestDatabase;
let store: LeadStore;
let p: TestPeople;
beforeAll(async () => {
  tdb = await openTestDatabase();
  store = createLeadStore(tdb.db);
}, 60_000);
afterAll(() => tdb.close());
beforeEach(async () => {
  await tdb.reset();
  p = await seedPeople(tdb.db);
});

/** Leads whose every text and list holds something COPY (or an array literal) could get wrong. */
function nastyLeads(prefix: string): LeadFields[] {
  return [
    leadFields({
      email: `${prefix}tab@nasty.example`,
      contactName: 'Tab\there and\ttwice',
      title: 'Back\\slash \\N \\. \\\\ \\t',
      phone: null,
      companyName: '\\N',
      webDomain: null,
      website: null,
      employeeCount: 0,
      country: null,
      timeZone: null,
      decisionMaker: false,
      needs: 'line\nbreak\r\nand\rcarriage\n\\.\n',
      currentSolution: '',
      competitors: ['NULL', '', ' spaced ', 'a,b', '{braces}', '"quoted"', 'back\\slash', 'tab\tnew\nline', '\\N', 'null'],
      budget: '  leading and trailing  ',
      productInterests: [],
      demoRequested: false,
      sourceList: 'Ünïcødé 👋 e\u0301 \u0001\u0008\u000b\u000c\u001f\u007f',
      notes: '\\',
    }),
    leadFields({
      email: `${prefix}plain@nasty.example`,
      contactName: '"Quoted" , comma; semi | pipe',
      decisionMaker: null,
      notes: '=HYPERLINK("http://example.com")',
      competitors: ['{', '}', ',', '"', '\\"', '\\\\'],
      productInterests: ['Core', 'Analytics'],
    }),
  ];
}

async function readBack(ids: readonly string[]) {
  return Promise.all(ids.map(async (id) => {
    const lead = await store.get(id);
    if (!lead) throw new Error(`lead ${id} not found`);
    return lead;
  }));
}

describe('insertLeadBatch', () => {
  it.each([
    ['the writer this database uses (COPY when embedded)', true],
    ['the INSERT', false],
  ])('writes awkward values back exactly with %s, with their audit lines', async (_name, useCopy) => {
    const copyTo = useCopy ? embeddedInstanceOf(tdb.db) : undefined;
    const leads = nastyLeads(useCopy ? 'c-' : 'i-');
    const inserted = await tdb.db.transaction().execute((trx) =>
      insertLeadBatch(trx, leads, { teamId: 'north', sdrId: p.sdr1.id, actorId: p.northManager.id, now, audit, ...(copyTo ? { copyTo } : {}) }),
    );
    expect(inserted.map((r) => r.email)).toEqual(leads.map((l) => l.email));

    const back = await readBack(inserted.map((r) => r.id));
    back.forEach((lead, i) => {
      const { id, teamId, ownerId, sdrId, aeId, status, version, createdAt, updatedAt, handBackReason, handBackText, ...fields } = lead;
      expect(fields).toEqual(leads[i]);
      expect({ id, teamId, ownerId, sdrId, aeId, status, version, createdAt, updatedAt, handBackReason, handBackText }).toEqual({
        id: inserted[i]?.id,
        teamId: 'north',
        ownerId: p.sdr1.id,
        sdrId: p.sdr1.id,
        aeId: null,
        status: 'new',
        version: 1,
        createdAt: now,
        updatedAt: now,
        handBackReason: null,
        handBackText: null,
      });
    });
    for (const r of inserted) {
      expect(await store.auditTrail('lead', r.id)).toEqual<AuditEntry[]>([
        { entity: 'lead', entityId: r.id, actorId: p.northManager.id, at: now, from: null, to: 'new', reasonCode: 'created', reasonText: 'imported from CSV' },
      ]);
    }
  });

  it('writes the same rows through COPY as through the INSERT (embedded database)', async () => {
    const copyTo = embeddedInstanceOf(tdb.db);
    if (!copyTo) return; // a PostgreSQL server has only the INSERT
    const context = { teamId: 'north', sdrId: p.sdr1.id, actorId: p.sdr1.id, now, audit };
    const viaCopy = await tdb.db.transaction().execute((trx) => insertLeadBatch(trx, nastyLeads('c-'), { ...context, copyTo }));
    const viaInsert = await tdb.db.transaction().execute((trx) => insertLeadBatch(trx, nastyLeads('i-'), context));
    const strip = ({ id: _id, email: _email, ...rest }: { id: string; email: string }) => rest;
    const a = (await readBack(viaCopy.map((r) => r.id))).map(strip);
    const b = (await readBack(viaInsert.map((r) => r.id))).map(strip);
    expect(a).toEqual(b);
  });

  it('rolls the batch back when COPY meets an email that is already a lead (the caller checks first)', async () => {
    const copyTo = embeddedInstanceOf(tdb.db);
    if (!copyTo) return;
    const context = { teamId: 'north', sdrId: p.sdr1.id, actorId: p.sdr1.id, now, audit, copyTo };
    await tdb.db.transaction().execute((trx) => insertLeadBatch(trx, [leadFields({ email: 'taken@nasty.example' })], context));
    await expect(
      tdb.db.transaction().execute((trx) =>
        insertLeadBatch(trx, [leadFields({ email: 'fresh@nasty.example' }), leadFields({ email: 'taken@nasty.example' })], context),
      ),
    ).rejects.toThrow(/leads_email_key/);
    const { items } = await store.search({ scope: { kind: 'all' }, prefix: '', limit: 10, offset: 0 });
    expect(items.map((l) => l.email)).toEqual(['taken@nasty.example']);
  });
  it('refuses a COPY batch whose team, SDR or actor does not exist, as the foreign keys always did', async () => {
    const copyTo = embeddedInstanceOf(tdb.db);
    if (!copyTo) return;
    const ghost = '00000000-0000-4000-8000-000000000000';
    const good = { teamId: 'north', sdrId: p.sdr1.id, actorId: p.sdr1.id, now, audit, copyTo };
    for (const context of [{ ...good, teamId: 'nowhere' }, { ...good, sdrId: ghost }, { ...good, actorId: ghost }]) {
      await expect(
        tdb.db.transaction().execute((trx) => insertLeadBatch(trx, [leadFields({ email: 'ghost@nasty.example' })], context)),
      ).rejects.toThrow(/violates foreign key constraint/);
    }
    const { items } = await store.search({ scope: { kind: 'all' }, prefix: '', limit: 10, offset: 0 });
    expect(items).toEqual([]);
  });

  it('leaves the foreign key checks on for what the transaction writes after a COPY batch', async () => {
    const copyTo = embeddedInstanceOf(tdb.db);
    if (!copyTo) return;
    const context = { teamId: 'north', sdrId: p.sdr1.id, actorId: p.sdr1.id, now, audit, copyTo };
    await expect(
      tdb.db.transaction().execute(async (trx) => {
        await insertLeadBatch(trx, [leadFields({ email: 'first@nasty.example' })], context);
        await trx
          .insertInto('audit_log')
          .values({ entity: 'lead', entity_id: '00000000-0000-4000-8000-000000000000', actor_id: '00000000-0000-4000-8000-000000000001', at: now, to_state: 'new' })
          .execute();
      }),
    ).rejects.toThrow(/violates foreign key constraint/);
  });
});

describe('COPY text format', () => {
  it('escapes backslashes, tabs and line breaks, and nothing else', () => {
    expect(copyField('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(copyField('\\N')).toBe('\\\\N');
    expect(copyField('\\.')).toBe('\\\\.');
    expect(copyField('plain "quotes", {braces} and ünïcødé')).toBe('plain "quotes", {braces} and ünïcødé');
    expect(() => copyField('nul\u0000')).toThrow(RangeError);
  });

  it('writes null, booleans, integers and lists', () => {
    expect(copyValue(null)).toBe('\\N');
    expect(copyValue('')).toBe('');
    expect(copyValue(true)).toBe('t');
    expect(copyValue(false)).toBe('f');
    expect(copyValue(1200)).toBe('1200');
    expect(() => copyValue(1.5)).toThrow(TypeError);
    expect(copyValue([])).toBe('{}');
    expect(copyValue(['NULL', 'a,b', 'say "hi"', 'back\\slash', 'tab\t'])).toBe('{"NULL","a,b","say \\\\"hi\\\\"","back\\\\\\\\slash","tab\\t"}');
  });
});
