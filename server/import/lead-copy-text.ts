// A lead's fields as one line of PostgreSQL's COPY text format (tab-delimited, `\\N` for null), in the column order
// of leadFieldColumns. Kept apart from the batch writer so the CSV reader, which may run in a worker thread, can lay
// out each good row without a database connection. Imports: the domain's lead types, the store's column list.
import type { LeadFields } from '../domain/lead';
import { fieldsToRow, leadFieldColumns } from '../store/lead-columns';

/** The lead's field columns (leadFieldColumns, in order) as COPY text, tab-separated, without a line end. */
export function leadCopyText(lead: LeadFields): string {
  const row = fieldsToRow(lead);
  let text = '';
  for (let i = 0; i < leadFieldColumns.length; i++) {
    if (i > 0) text += '\t';
    text += copyValue(row[leadFieldColumns[i] as keyof typeof row]);
  }
  return text;
}

/** One value in COPY's text format: `\N` for null, `t`/`f`, decimal integers, text[] as an array literal. */
export function copyValue(value: string | number | boolean | readonly string[] | null): string {
  if (value === null) return '\\N';
  if (typeof value === 'string') return copyField(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError(`not an integer for COPY: ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 't' : 'f';
  return copyField(arrayLiteral(value));
}

/** A text[] literal with every element quoted, so blanks, commas, braces, quotes and `NULL` stay text. */
function arrayLiteral(items: readonly string[]): string {
  let out = '{';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += ',';
    out += `"${(items[i] ?? '').replace(/["\\]/g, '\\$&')}"`;
  }
  return `${out}}`;
}

const copySpecial = /[\\\t\n\r]/;
const copySpecials = /[\\\t\n\r]/g;
const copyEscapes: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * Text as one field of COPY's text format (tab-delimited): a backslash, tab, line feed and carriage return are
 * escaped; everything else is literal. U+0000 cannot be stored in PostgreSQL text at all.
 */
export function copyField(text: string): string {
  if (text.includes('\u0000')) throw new RangeError('PostgreSQL text cannot hold U+0000');
  return copySpecial.test(text) ? text.replace(copySpecials, (c) => copyEscapes[c] ?? c) : text;
}
