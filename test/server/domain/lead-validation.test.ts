// Lead validation: good and bad inputs, typed (JSON) and all-string (CSV), with the value stored or the error
// reported. Pure domain test: no database.
import type { LeadFields } from '../../../server/domain/lead';
import {
  companyDomainOf,
  isFreeMailDomain,
  validateLeadFields,
  validateLeadPatch,
  type FieldError,
} from '../../../server/domain/lead-validation';

const minimal = { contactName: 'Ada Lovelace', email: 'ada@acme.com', companyName: 'Acme' };

function valid(input: Record<string, unknown>): LeadFields {
  const result = validateLeadFields(input);
  if (!result.ok) throw new Error(`expected valid, got ${JSON.stringify(result.error)}`);
  return result.value;
}

function errors(input: Record<string, unknown>): FieldError[] {
  const result = validateLeadFields(input);
  if (result.ok) throw new Error(`expected errors, got ${JSON.stringify(result.value)}`);
  return result.error;
}

describe('validateLeadFields: accepted input and the value stored', () => {
  it.each<[string, Record<string, unknown>, Partial<LeadFields>]>([
    ['names are trimmed', { contactName: '  Ada  ', companyName: ' Acme ' }, { contactName: 'Ada', companyName: 'Acme' }],
    ['email is lower-cased', { email: ' Ada.L@ACME.com ' }, { email: 'ada.l@acme.com' }],
    ['empty optional text becomes null', { title: '   ', needs: '' }, { title: null, needs: null }],
    ['absent optional fields are empty', {}, { phone: null, competitors: [], demoRequested: false, decisionMaker: null }],
    ['international phone to E.164', { phone: '+1 (415) 555-2671' }, { phone: '+14155552671' }],
    ['national phone with the country as default', { phone: '030 901820', country: 'DE' }, { phone: '+4930901820' }],
    ['national phone with a country name', { phone: '020 7946 0958', country: 'United Kingdom' }, { phone: '+442079460958' }],
    ['bare website', { website: 'acme.com' }, { website: 'https://acme.com', webDomain: 'acme.com' }],
    ['full website', { website: 'https://www.acme.com/x' }, { website: 'https://www.acme.com/x', webDomain: 'acme.com' }],
    ['website host is lower-cased', { website: 'HTTP://WWW.Acme.COM' }, { website: 'http://www.acme.com' }],
    ['webDomain from a multi-part suffix', { website: 'www.eu.acme.co.uk' }, { webDomain: 'acme.co.uk' }],
    ['webDomain from the email', { email: 'bob@sales.initech.de' }, { webDomain: 'initech.de', website: null }],
    ['webDomain null for free mail', { email: 'bob@gmail.com' }, { webDomain: null }],
    ['website wins over the email', { email: 'bob@gmail.com', website: 'initech.com' }, { webDomain: 'initech.com' }],
    ['explicit webDomain is kept', { webDomain: 'Acme-Group.com', website: 'acme.com' }, { webDomain: 'acme-group.com' }],
    ['explicit webDomain reduced to its registrable domain', { webDomain: 'www.acme.co.uk' }, { webDomain: 'acme.co.uk' }],
    ['country alpha-2, any case', { country: 'de' }, { country: 'DE' }],
    ['country alpha-3', { country: 'DEU' }, { country: 'DE' }],
    ['country English name', { country: 'Germany' }, { country: 'DE' }],
    ['country common alias', { country: 'USA' }, { country: 'US' }],
    ['employee count from JSON', { employeeCount: 250 }, { employeeCount: 250 }],
    ['employee count zero', { employeeCount: 0 }, { employeeCount: 0 }],
    ['IANA time zone', { timeZone: 'America/New_York' }, { timeZone: 'America/New_York' }],
    ['IANA time zone in another case', { timeZone: 'europe/berlin' }, { timeZone: 'Europe/Berlin' }],
    ['Windows time zone', { timeZone: 'Pacific Standard Time' }, { timeZone: 'America/Los_Angeles' }],
    ['Windows time zone, the lead’s country preferred', { timeZone: 'W. Europe Standard Time', country: 'NL' }, { timeZone: 'Europe/Amsterdam' }],
    ['booleans from JSON', { decisionMaker: false, demoRequested: true }, { decisionMaker: false, demoRequested: true }],
    ['lists from JSON', { competitors: [' Salesforce ', '', 'HubSpot'] }, { competitors: ['Salesforce', 'HubSpot'] }],
    ['repeated list items once', { productInterests: ['Payroll', 'payroll'] }, { productInterests: ['Payroll'] }],
    ['formula-looking names kept as text', { contactName: '@SUM(A1)', title: '-2+3' }, { contactName: '@SUM(A1)', title: '-2+3' }],
  ])('%s', (_name, input, expected) => {
    expect(valid({ ...minimal, ...input })).toMatchObject(expected);
  });
});

describe('validateLeadFields: CSV cells (every value a string)', () => {
  it.each<[string, Record<string, string>, Partial<LeadFields>]>([
    ['employee count with a thousands separator', { employeeCount: '1,200' }, { employeeCount: 1200 }],
    ['employee count plain', { employeeCount: ' 1200 ' }, { employeeCount: 1200 }],
    ['employee count blank', { employeeCount: '' }, { employeeCount: null }],
    ['yes', { decisionMaker: 'yes', demoRequested: 'YES' }, { decisionMaker: true, demoRequested: true }],
    ['no', { decisionMaker: 'No', demoRequested: 'no' }, { decisionMaker: false, demoRequested: false }],
    ['y / n', { decisionMaker: 'Y', demoRequested: 'n' }, { decisionMaker: true, demoRequested: false }],
    ['true / false', { decisionMaker: 'TRUE', demoRequested: 'false' }, { decisionMaker: true, demoRequested: false }],
    ['1 / 0', { decisionMaker: '1', demoRequested: '0' }, { decisionMaker: true, demoRequested: false }],
    ['blank booleans', { decisionMaker: '', demoRequested: '' }, { decisionMaker: null, demoRequested: false }],
    ['list separated by ;', { competitors: 'Salesforce; HubSpot' }, { competitors: ['Salesforce', 'HubSpot'] }],
    ['list separated by |', { competitors: 'Salesforce|HubSpot|' }, { competitors: ['Salesforce', 'HubSpot'] }],
    ['list separated by ,', { productInterests: 'Payroll, HR' }, { productInterests: ['Payroll', 'HR'] }],
    ['; wins, so a comma stays inside a name', { competitors: 'Acme, Inc.; Initech' }, { competitors: ['Acme, Inc.', 'Initech'] }],
    ['one item', { competitors: 'Excel' }, { competitors: ['Excel'] }],
    ['blank list', { competitors: '' }, { competitors: [] }],
    ['phone with + is a phone, not a formula', { phone: '+49 30 901820' }, { phone: '+4930901820' }],
    ['=cmd cell kept as text', { notes: "=cmd|' /C calc'!A0" }, { notes: "=cmd|' /C calc'!A0" }],
    ['+ formula in free text kept', { needs: '+SUM(1,2)' }, { needs: '+SUM(1,2)' }],
    ['@ formula in a name kept', { companyName: '@HYPERLINK("http://x","y")' }, { companyName: '@HYPERLINK("http://x","y")' }],
    ['- formula in a name kept', { sourceList: '-1+1' }, { sourceList: '-1+1' }],
    ['empty optional cells', { title: '', phone: '', website: '', country: '', timeZone: '' }, { title: null, phone: null, website: null, country: null, timeZone: null }],
  ])('%s', (_name, input, expected) => {
    expect(valid({ ...minimal, ...input })).toMatchObject(expected);
  });
});

describe('validateLeadFields: rejected input and the error reported', () => {
  const long = (n: number): string => 'x'.repeat(n);
  it.each<[string, Record<string, unknown>, string, string]>([
    ['missing contact name', { contactName: undefined }, 'contactName', 'required'],
    ['blank company name', { companyName: '   ' }, 'companyName', 'required'],
    ['missing email', { email: null }, 'email', 'required'],
    ['email without @', { email: 'ada.acme.com' }, 'email', 'invalid_email'],
    ['email without a domain dot', { email: 'ada@acme' }, 'email', 'invalid_email'],
    ['email with a space', { email: 'ada lovelace@acme.com' }, 'email', 'invalid_email'],
    ['email with two dots', { email: 'ada..l@acme.com' }, 'email', 'invalid_email'],
    ['email that is a formula', { email: '=cmd' }, 'email', 'invalid_email'],
    ['phone too short', { phone: '+1 555' }, 'phone', 'invalid_phone'],
    ['phone that is words', { phone: 'call me', country: 'US' }, 'phone', 'invalid_phone'],
    ['national phone without a country', { phone: '030 901820' }, 'phone', 'invalid_phone'],
    ['website not a URL', { website: 'not a site' }, 'website', 'invalid_website'],
    ['website of another scheme', { website: 'ftp://acme.com' }, 'website', 'invalid_website'],
    ['website an IP', { website: 'http://10.0.0.1' }, 'website', 'invalid_website'],
    ['webDomain a bare suffix', { webDomain: 'co.uk' }, 'webDomain', 'invalid_domain'],
    ['webDomain a URL', { webDomain: 'https://acme.com/x' }, 'webDomain', 'invalid_domain'],
    ['unknown country', { country: 'Narnia' }, 'country', 'invalid_country'],
    ['country code that is not assigned', { country: 'XX' }, 'country', 'invalid_country'],
    ['employees as a word', { employeeCount: 'lots' }, 'employeeCount', 'invalid_integer'],
    ['employees negative', { employeeCount: '-5' }, 'employeeCount', 'out_of_range'],
    ['employees negative (JSON)', { employeeCount: -1 }, 'employeeCount', 'out_of_range'],
    ['employees decimal', { employeeCount: '12.5' }, 'employeeCount', 'invalid_integer'],
    ['employees decimal (JSON)', { employeeCount: 12.5 }, 'employeeCount', 'invalid_integer'],
    ['employees above ten million', { employeeCount: '10,000,001' }, 'employeeCount', 'out_of_range'],
    ['employees badly grouped', { employeeCount: '1,20' }, 'employeeCount', 'invalid_integer'],
    ['unknown time zone', { timeZone: 'Mars/Olympus' }, 'timeZone', 'invalid_time_zone'],
    ['unknown Windows time zone', { timeZone: 'Martian Standard Time' }, 'timeZone', 'invalid_time_zone'],
    ['boolean as a word', { decisionMaker: 'maybe' }, 'decisionMaker', 'invalid_boolean'],
    ['boolean as a number', { demoRequested: 2 }, 'demoRequested', 'invalid_boolean'],
    ['list of numbers', { competitors: [1, 2] }, 'competitors', 'invalid_type'],
    ['text as an object', { needs: { a: 1 } }, 'needs', 'invalid_type'],
    ['name over 200', { contactName: long(201) }, 'contactName', 'too_long'],
    ['title over 200', { title: long(201) }, 'title', 'too_long'],
    ['notes over 10,000', { notes: long(10_001) }, 'notes', 'too_long'],
    ['needs over 10,000', { needs: long(10_001) }, 'needs', 'too_long'],
    ['budget over 10,000', { budget: long(10_001) }, 'budget', 'too_long'],
    ['unknown key', { favouriteColour: 'blue' }, 'favouriteColour', 'unknown_field'],
    ['snake_case key', { contact_name: 'Ada' }, 'contact_name', 'unknown_field'],
  ])('%s', (_name, input, field, code) => {
    expect(errors({ ...minimal, ...input })).toEqual([{ field, code, message: expect.any(String) as string }]);
  });

  it('keeps text at the limits', () => {
    const lead = valid({ ...minimal, contactName: 'x'.repeat(200), notes: 'y'.repeat(10_000) });
    expect(lead.contactName).toHaveLength(200);
    expect(lead.notes).toHaveLength(10_000);
  });

  it('reports every error at once, in field order', () => {
    const found = errors({
      colour: 'red',
      contactName: '',
      email: 'nope',
      phone: 'x',
      companyName: 'Acme',
      employeeCount: 'lots',
      country: 'Narnia',
    });
    expect(found.map((e) => [e.field, e.code])).toEqual([
      ['colour', 'unknown_field'],
      ['contactName', 'required'],
      ['email', 'invalid_email'],
      ['phone', 'invalid_phone'],
      ['employeeCount', 'invalid_integer'],
      ['country', 'invalid_country'],
    ]);
  });

  it('names the field and the problem in the message', () => {
    const [error] = errors({ ...minimal, employeeCount: 'lots' });
    expect(error?.message).toContain('lots');
  });
});

describe('validateLeadPatch', () => {
  const current = valid({
    ...minimal,
    website: 'acme.com',
    phone: '+4930901820',
    country: 'DE',
    employeeCount: 120,
  });

  it('merges the update into the current fields', () => {
    const result = validateLeadPatch({ title: ' CFO ', employeeCount: '1,500' }, current);
    expect(result).toEqual({ ok: true, value: { ...current, title: 'CFO', employeeCount: 1500 } });
  });

  it('re-derives webDomain when the website changes', () => {
    const result = validateLeadPatch({ website: 'https://www.initech.co.uk' }, current);
    expect(result.ok && result.value.webDomain).toBe('initech.co.uk');
  });

  it('re-derives webDomain from the email when the website is cleared', () => {
    const result = validateLeadPatch({ website: '', email: 'ada@globex.com' }, current);
    expect(result.ok && result.value).toMatchObject({ website: null, webDomain: 'globex.com' });
  });

  it('gives no webDomain when the website is cleared and the email is free-mail', () => {
    const onGmail = { ...current, email: 'ada@gmail.com' };
    const result = validateLeadPatch({ website: null }, onGmail);
    expect(result.ok && result.value.webDomain).toBeNull();
  });

  it('keeps an explicitly set webDomain while email and website stay', () => {
    const explicit = { ...current, webDomain: 'acme-group.com' };
    const result = validateLeadPatch({ notes: 'called' }, explicit);
    expect(result.ok && result.value.webDomain).toBe('acme-group.com');
  });

  it('takes a webDomain given with a new website', () => {
    const result = validateLeadPatch({ website: 'initech.com', webDomain: 'initech-holding.com' }, current);
    expect(result.ok && result.value.webDomain).toBe('initech-holding.com');
  });

  it('rejects clearing a required field, and unknown keys, together', () => {
    const result = validateLeadPatch({ email: '', owner: 'me' }, current);
    expect(!result.ok && result.error.map((e) => [e.field, e.code])).toEqual([
      ['owner', 'unknown_field'],
      ['email', 'required'],
    ]);
  });

  it('parses a national phone with the lead’s current country', () => {
    const result = validateLeadPatch({ phone: '0151 23456789' }, current);
    expect(result.ok && result.value.phone).toBe('+4915123456789');
  });
});

describe('free mail and company domain', () => {
  it.each([
    ['gmail.com', true],
    ['GMX.de', true],
    ['outlook.com', true],
    ['acme.com', false],
    ['microsoft.com', false],
  ])('isFreeMailDomain(%s) → %s', (domain, expected) => {
    expect(isFreeMailDomain(domain)).toBe(expected);
  });

  it.each<[string, string | null, string | null]>([
    ['ada@acme.com', null, 'acme.com'],
    ['ada@mail.acme.co.uk', null, 'acme.co.uk'],
    ['ada@gmail.com', null, null],
    ['ada@gmail.com', 'https://www.initech.com/about', 'initech.com'],
    ['ada@acme.com', 'not a site', 'acme.com'],
  ])('companyDomainOf(%s, %s) → %s', (email, website, expected) => {
    expect(companyDomainOf(email, website)).toBe(expected);
  });
});
