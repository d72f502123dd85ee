// Turns a lead record from the outside (JSON with typed values, or CSV where every value is a string) into valid,
// normalised LeadFields, collecting every field error at once. Pure: no I/O, no clock.
// Imports: ./lead, libphonenumber-js, i18n-iso-countries, luxon (IANAZone), windows-iana, tldts, and the
// free-mail list of email-providers (a JSON file, loaded once).
import { isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import countries from 'i18n-iso-countries';
import { IANAZone } from 'luxon';
import { findIana, WINDOWS_TO_IANA_MAP } from 'windows-iana';
import { parse as parseHost } from 'tldts';
import freeMailList from 'email-providers/all.json';
import { leadFieldNames, type LeadFieldName, type LeadFields, type Result } from './lead';

/** One problem with one input field. `field` is the LeadFields name (camelCase), or a JSON path in settings. */
export interface FieldError {
  field: string;
  code: string;
  message: string;
}

/** Human labels of the lead fields, for messages and the lead card. */
export const fieldLabels: Readonly<Record<LeadFieldName, string>> = {
  contactName: 'Contact name',
  title: 'Title',
  email: 'Email',
  phone: 'Phone',
  companyName: 'Company name',
  webDomain: 'Web domain',
  website: 'Website',
  employeeCount: 'Employees',
  country: 'Country/region',
  timeZone: 'Time zone',
  decisionMaker: 'Decision maker',
  needs: 'Needs and pains',
  currentSolution: 'Current solution',
  competitors: 'Competitor or legacy products',
  budget: 'Budget',
  productInterests: 'Product interests',
  demoRequested: 'Demo requested',
  sourceList: 'Source list',
  notes: 'Notes',
};

export const maxNameLength = 200;
export const maxFreeTextLength = 10_000;
export const maxEmployeeCount = 10_000_000;
const maxEmailLength = 254;
const maxWebsiteLength = 2048;
const maxDomainLength = 253;
const maxListItems = 100;

const freeMailDomains: ReadonlySet<string> = new Set(freeMailList.map((d) => d.toLowerCase()));

const isLeadFieldName = (key: string): key is LeadFieldName => (leadFieldNames as readonly string[]).includes(key);

type FieldResult<T> = Result<T, FieldError>;
const good = <T>(value: T): FieldResult<T> => ({ ok: true, value });
const bad = (field: LeadFieldName, code: string, message: string): FieldResult<never> => ({
  ok: false,
  error: { field, code, message },
});

// ---------------------------------------------------------------------------------------------------------------
// Domains, websites and email addresses

const hostLabel = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const topLabel = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/** A syntactically valid DNS host name of at least two labels with an alphabetic top-level label. */
function isHostName(host: string): boolean {
  if (host.length === 0 || host.length > maxDomainLength) return false;
  const labels = host.split('.');
  const top = labels[labels.length - 1];
  return labels.length >= 2 && top !== undefined && topLabel.test(top) && labels.every((l) => hostLabel.test(l));
}

/** The registrable domain of a host name (www.eu.acme.co.uk → acme.co.uk); null for IPs and invalid names. */
function registrableDomain(host: string): string | null {
  const name = host.trim().toLowerCase().replace(/\.$/, '');
  if (!isHostName(name)) return null;
  // Private suffixes (github.io, herokuapp.com) count, so two tenants of one platform are two companies.
  const parsed = parseHost(name, { allowPrivateDomains: true });
  if (parsed.isIp === true || parsed.domain === null) return null;
  return parsed.domain;
}

/** True when the domain (or its registrable domain) is a free-mail provider's: gmail.com, gmx.de, … */
export function isFreeMailDomain(domain: string): boolean {
  const name = domain.trim().toLowerCase().replace(/\.$/, '');
  if (freeMailDomains.has(name)) return true;
  const registrable = registrableDomain(name);
  return registrable !== null && freeMailDomains.has(registrable);
}

interface Website {
  url: string;
  domain: string;
}

/** `acme.com`, `www.acme.com/x`, `http://acme.com` → an absolute http(s) URL and its registrable domain. */
function parseWebsite(text: string): Website | null {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username !== '' || url.password !== '') return null;
  const domain = registrableDomain(url.hostname);
  if (domain === null) return null;
  const bare = url.pathname === '/' && url.search === '' && url.hash === '';
  return { url: bare ? `${url.protocol}//${url.host}` : url.href, domain };
}

const atom = "[a-z0-9!#$%&'*+/=?^_`{|}~-]+";
const localPart = new RegExp(`^${atom}(?:\\.${atom})*$`);

/** A sensible syntax check (dot-atom local part, DNS host name): no quoted locals, no IP literals. */
function isEmailAddress(email: string): boolean {
  const at = email.lastIndexOf('@');
  if (at <= 0 || at > 64) return false;
  return localPart.test(email.slice(0, at)) && isHostName(email.slice(at + 1));
}

/** The company's registrable domain: from the website if it has one, else from the email unless free-mail. */
export function companyDomainOf(email: string, website: string | null): string | null {
  if (website !== null && website.trim() !== '') {
    const site = parseWebsite(website.trim());
    if (site !== null) return site.domain;
  }
  const at = email.lastIndexOf('@');
  if (at < 0) return null;
  const host = email.slice(at + 1).trim().toLowerCase();
  if (isFreeMailDomain(host)) return null;
  return registrableDomain(host);
}

// ---------------------------------------------------------------------------------------------------------------
// Field readers: raw value (typed JSON or CSV string) → normalised value or one FieldError

/** A trimmed string, or null when absent or blank. Finite numbers are taken as their decimal text. */
function readString(field: LeadFieldName, raw: unknown): FieldResult<string | null> {
  if (raw === undefined || raw === null) return good(null);
  if (typeof raw === 'number' && Number.isFinite(raw)) return good(String(raw));
  if (typeof raw !== 'string') return bad(field, 'invalid_type', `${fieldLabels[field]} must be text.`);
  const text = raw.trim();
  return good(text === '' ? null : text);
}

interface TextRule {
  required: boolean;
  max: number;
}

/**
 * Free text and names. Text that a spreadsheet would read as a formula (`=`, `+`, `-`, `@`) is kept exactly as
 * given: Baton never evaluates it, and whoever exports to a spreadsheet escapes it there.
 */
function readText(field: LeadFieldName, raw: unknown, rule: TextRule): FieldResult<string | null> {
  const read = readString(field, raw);
  if (!read.ok) return read;
  const text = read.value;
  if (text === null) return rule.required ? bad(field, 'required', `${fieldLabels[field]} is required.`) : good(null);
  if (text.length > rule.max) {
    return bad(field, 'too_long', `${fieldLabels[field]} has ${text.length} characters; at most ${rule.max} are allowed.`);
  }
  return good(text);
}

function readEmail(raw: unknown): FieldResult<string | null> {
  const read = readText('email', raw, { required: true, max: maxEmailLength });
  if (!read.ok || read.value === null) return read;
  const email = read.value.toLowerCase();
  if (!isEmailAddress(email)) return bad('email', 'invalid_email', `"${read.value}" is not a valid email address.`);
  return good(email);
}

/** Country names already looked up (the name search walks every country's names). */
const countryNameMemo = new Map<string, string | undefined>();

function readCountry(raw: unknown): FieldResult<string | null> {
  const read = readString('country', raw);
  if (!read.ok || read.value === null) return read;
  const text = read.value;
  const upper = text.toUpperCase();
  let code: string | undefined;
  if (/^[A-Z]{2}$/.test(upper)) code = countries.isValid(upper) ? upper : undefined;
  else if (/^[A-Z]{3}$/.test(upper)) code = countries.alpha3ToAlpha2(upper);
  if (code === undefined) {
    if (!countryNameMemo.has(upper)) {
      if (countryNameMemo.size >= 10_000) countryNameMemo.clear();
      countryNameMemo.set(upper, countries.getAlpha2Code(text, 'en'));
    }
    code = countryNameMemo.get(upper);
  }
  if (code === undefined) {
    return bad('country', 'invalid_country', `"${text}" is not a country: use a name, or an ISO code such as DE or DEU.`);
  }
  return good(code.toUpperCase());
}

function readPhone(raw: unknown, country: string | null): FieldResult<string | null> {
  const read = readText('phone', raw, { required: false, max: maxNameLength });
  if (!read.ok || read.value === null) return read;
  const text = read.value;
  const international = text.startsWith('+');
  const defaultCountry = country !== null && isSupportedCountry(country) ? country : undefined;
  if (!international && defaultCountry === undefined) {
    return bad('phone', 'invalid_phone', `"${text}" needs a country code (+…) or the lead's country.`);
  }
  const parsed = parsePhoneNumberFromString(text, international ? undefined : { defaultCountry });
  if (parsed === undefined || !parsed.isValid()) {
    return bad('phone', 'invalid_phone', `"${text}" is not a valid phone number.`);
  }
  return good(parsed.number);
}

function readWebsite(raw: unknown): FieldResult<string | null> {
  const read = readText('website', raw, { required: false, max: maxWebsiteLength });
  if (!read.ok || read.value === null) return read;
  const site = parseWebsite(read.value);
  if (site === null) return bad('website', 'invalid_website', `"${read.value}" is not a web address such as acme.com.`);
  return good(site.url);
}

/** An explicitly given web domain: a host name, stored as its registrable domain (www.acme.com → acme.com). */
function readWebDomain(raw: unknown): FieldResult<string | null> {
  const read = readText('webDomain', raw, { required: false, max: maxDomainLength });
  if (!read.ok || read.value === null) return read;
  const domain = registrableDomain(read.value);
  if (domain === null) return bad('webDomain', 'invalid_domain', `"${read.value}" is not a domain name such as acme.com.`);
  return good(domain);
}

function readEmployeeCount(raw: unknown): FieldResult<number | null> {
  const field = 'employeeCount';
  let value: number;
  if (raw === undefined || raw === null) return good(null);
  if (typeof raw === 'number') {
    value = raw;
  } else if (typeof raw === 'string') {
    const text = raw.trim();
    if (text === '') return good(null);
    // Thousands separators only where they group by three ("1,200"), so "1,5" is not read as 15.
    const plain = /^-?\d{1,3}(?:,\d{3})+$/.test(text) ? text.replace(/,/g, '') : text;
    if (!/^[-+]?\d+(?:\.\d+)?$/.test(plain)) {
      return bad(field, 'invalid_integer', `"${text}" is not a number of employees.`);
    }
    value = Number(plain);
  } else {
    return bad(field, 'invalid_type', 'Employees must be a whole number.');
  }
  if (!Number.isInteger(value)) return bad(field, 'invalid_integer', 'Employees must be a whole number.');
  if (value < 0 || value > maxEmployeeCount) {
    return bad(field, 'out_of_range', `Employees must be between 0 and ${maxEmployeeCount.toLocaleString('en-US')}.`);
  }
  return good(value);
}

const windowsZoneNames: ReadonlyMap<string, string> = new Map(
  WINDOWS_TO_IANA_MAP.map((entry) => [entry.windowsName.toLowerCase(), entry.windowsName]),
);

/** The canonical spelling of a valid IANA zone ("europe/berlin" → "Europe/Berlin"). */
function canonicalZone(zone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
}

/** The IANA zone a text names (an IANA name in any case, or a Windows name mapped preferring the country). */
function resolveZone(text: string, country: string | null): string | null {
  if (IANAZone.isValidZone(text)) return canonicalZone(text);
  const windowsName = windowsZoneNames.get(text.toLowerCase());
  if (windowsName !== undefined) {
    const candidates = [...(country === null ? [] : findIana(windowsName, country)), ...findIana(windowsName)];
    const zone = candidates.find((z) => IANAZone.isValidZone(z));
    if (zone !== undefined) return canonicalZone(zone);
  }
  return null;
}

// Resolving a zone builds Intl formatters (~0.5 ms and native memory each): an import of 100,000 rows names a few
// dozen zones, so answers are remembered. A pure function's memo: same input, same answer.
const zoneMemo = new Map<string, string | null>();

/** An IANA name, or a Windows name (as Exchange reports it) mapped to IANA, preferring the lead's country. */
function readTimeZone(raw: unknown, country: string | null): FieldResult<string | null> {
  const read = readString('timeZone', raw);
  if (!read.ok || read.value === null) return read;
  const text = read.value;
  const key = `${country ?? ''}|${text}`;
  let zone = zoneMemo.get(key);
  if (zone === undefined && !zoneMemo.has(key)) {
    zone = resolveZone(text, country);
    if (zoneMemo.size >= 10_000) zoneMemo.clear();
    zoneMemo.set(key, zone);
  }
  if (zone) return good(zone);
  return bad('timeZone', 'invalid_time_zone', `"${text}" is not a time zone such as Europe/Berlin or "W. Europe Standard Time".`);
}

const trueWords = new Set(['yes', 'y', 'true', '1']);
const falseWords = new Set(['no', 'n', 'false', '0']);

function readBoolean(field: LeadFieldName, raw: unknown): FieldResult<boolean | null> {
  if (raw === undefined || raw === null) return good(null);
  if (typeof raw === 'boolean') return good(raw);
  if (raw === 1 || raw === 0) return good(raw === 1);
  if (typeof raw === 'string') {
    const word = raw.trim().toLowerCase();
    if (word === '') return good(null);
    if (trueWords.has(word)) return good(true);
    if (falseWords.has(word)) return good(false);
  }
  return bad(field, 'invalid_boolean', `${fieldLabels[field]} must be yes or no.`);
}

/**
 * A list: a JSON array of strings, or one CSV cell. The cell is split on `;` if it has one, else on `|`, else on
 * `,` — so "Acme, Inc.; Initech" keeps the comma inside a name. Items are trimmed; blanks and repeats dropped.
 */
function readList(field: LeadFieldName, raw: unknown): FieldResult<string[]> {
  let items: unknown[];
  if (raw === undefined || raw === null) items = [];
  else if (Array.isArray(raw)) items = raw;
  else if (typeof raw === 'string') {
    const separator = [';', '|', ','].find((s) => raw.includes(s));
    items = separator === undefined ? [raw] : raw.split(separator);
  } else return bad(field, 'invalid_type', `${fieldLabels[field]} must be a list of names.`);

  const out: string[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    if (typeof item !== 'string') return bad(field, 'invalid_type', `${fieldLabels[field]} must be a list of names.`);
    const text = item.trim();
    if (text === '' || seen.has(text.toLowerCase())) continue;
    if (text.length > maxNameLength) {
      return bad(field, 'too_long', `"${text.slice(0, 40)}…" in ${fieldLabels[field]} is longer than ${maxNameLength} characters.`);
    }
    seen.add(text.toLowerCase());
    out.push(text);
  }
  if (out.length > maxListItems) return bad(field, 'too_many', `${fieldLabels[field]} has more than ${maxListItems} items.`);
  return good(out);
}

// ---------------------------------------------------------------------------------------------------------------
// Records

function unknownFieldErrors(input: Record<string, unknown>): FieldError[] {
  return Object.keys(input)
    .filter((key) => !isLeadFieldName(key))
    .map((key) => ({ field: key, code: 'unknown_field', message: `"${key}" is not a lead field.` }));
}

/** Validates every known field of `raw` (absent = empty) and derives webDomain when it is not given. */
function validateKnown(raw: Partial<Record<LeadFieldName, unknown>>, errors: FieldError[]): LeadFields | null {
  const take = <T>(result: FieldResult<T>, fallback: T): T => {
    if (result.ok) return result.value;
    errors.push(result.error);
    return fallback;
  };
  const name = { required: false, max: maxNameLength };
  const freeText = { required: false, max: maxFreeTextLength };
  const errorsBefore = errors.length;

  const country = take(readCountry(raw.country), null);
  const email = take(readEmail(raw.email), null);
  const website = take(readWebsite(raw.website), null);
  const explicitDomain = take(readWebDomain(raw.webDomain), null);
  const fields = {
    contactName: take(readText('contactName', raw.contactName, { required: true, max: maxNameLength }), null),
    title: take(readText('title', raw.title, name), null),
    email,
    phone: take(readPhone(raw.phone, country), null),
    companyName: take(readText('companyName', raw.companyName, { required: true, max: maxNameLength }), null),
    webDomain: explicitDomain ?? (email === null ? null : companyDomainOf(email, website)),
    website,
    employeeCount: take(readEmployeeCount(raw.employeeCount), null),
    country,
    timeZone: take(readTimeZone(raw.timeZone, country), null),
    decisionMaker: take(readBoolean('decisionMaker', raw.decisionMaker), null),
    needs: take(readText('needs', raw.needs, freeText), null),
    currentSolution: take(readText('currentSolution', raw.currentSolution, freeText), null),
    competitors: take(readList('competitors', raw.competitors), []),
    budget: take(readText('budget', raw.budget, freeText), null),
    productInterests: take(readList('productInterests', raw.productInterests), []),
    demoRequested: take(readBoolean('demoRequested', raw.demoRequested), null) ?? false,
    sourceList: take(readText('sourceList', raw.sourceList, name), null),
    notes: take(readText('notes', raw.notes, freeText), null),
  };
  if (errors.length > errorsBefore) return null;
  const { contactName, companyName } = fields;
  // Required readers returned errors above when these were null; this narrows the types.
  if (contactName === null || companyName === null || email === null) return null;
  return { ...fields, contactName, companyName, email };
}

/** Errors in the order of the input's unknown keys, then of leadFieldNames, so messages read top to bottom. */
function sortErrors(errors: FieldError[]): FieldError[] {
  const rank = (e: FieldError): number => {
    const i = (leadFieldNames as readonly string[]).indexOf(e.field);
    return i < 0 ? -1 : i;
  };
  return errors
    .map((e, i) => ({ e, i }))
    .sort((a, b) => rank(a.e) - rank(b.e) || a.i - b.i)
    .map(({ e }) => e);
}

/** A full lead record. Absent optional fields are empty; webDomain is derived unless given. */
export function validateLeadFields(input: Record<string, unknown>): Result<LeadFields, FieldError[]> {
  const errors = unknownFieldErrors(input);
  const fields = validateKnown(input, errors);
  if (errors.length > 0 || fields === null) return { ok: false, error: sortErrors(errors) };
  return { ok: true, value: fields };
}

/**
 * A partial update merged into the current fields, then validated as a whole. webDomain is re-derived when the
 * email or website changes, unless the update gives webDomain itself; otherwise the current webDomain is kept.
 */
export function validateLeadPatch(
  input: Record<string, unknown>,
  current: LeadFields,
): Result<LeadFields, FieldError[]> {
  const errors = unknownFieldErrors(input);
  const merged: Partial<Record<LeadFieldName, unknown>> = { ...current, webDomain: undefined };
  for (const [key, value] of Object.entries(input)) if (isLeadFieldName(key)) merged[key] = value;
  const fields = validateKnown(merged, errors);
  if (errors.length > 0 || fields === null) return { ok: false, error: sortErrors(errors) };
  const givesDomain = Object.hasOwn(input, 'webDomain');
  const sameSource = fields.email === current.email && fields.website === current.website;
  if (!givesDomain && sameSource) return { ok: true, value: { ...fields, webDomain: current.webDomain } };
  return { ok: true, value: fields };
}
