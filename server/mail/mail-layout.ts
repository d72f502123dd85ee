// Turns a list of content blocks into one email: Outlook-safe HTML through MJML (tables, inline styles, ghost tables
// for Outlook desktop's Word renderer, no web fonts, scripts, SVG or external images) and a plain-text part written
// from the same blocks. Every text is HTML-escaped here, where it lands; subjects lose CR/LF. Imports: mjml, luxon.
// MJML is loaded on the first render, not at import: it takes ~1 s to load, which a server start or a test file
// that never renders an email should not pay. MJML renders a layout (the blocks' kinds, markers for their texts)
// once; each mail fills its escaped texts into it.
import type mjml2htmlType from 'mjml';
import { DateTime } from 'luxon';

/** One rendered email or invite body. */
export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

/** A piece of a paragraph: plain text, bold text, or a link. */
export type Inline = string | { strong: string } | { href: string; label: string };

export type Block =
  | { kind: 'paragraph'; parts: readonly Inline[] }
  | { kind: 'heading'; text: string }
  | { kind: 'list'; items: readonly (readonly Inline[])[] }
  /** Label–value rows, e.g. the lead's facts in the prep brief. */
  | { kind: 'facts'; rows: readonly (readonly [string, string])[] }
  /** A quoted free text (the AE's hand-back text, the SDR's notes): line breaks kept. */
  | { kind: 'quote'; text: string }
  | { kind: 'button'; href: string; label: string }
  /** Small print, e.g. "private to you". */
  | { kind: 'note'; text: string }
  /** Lines under the sign-off: name, title, phone, email. */
  | { kind: 'signature'; lines: readonly string[] };

const htmlEscapes: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => htmlEscapes[c] ?? c);
}

/** A subject line: no CR, LF or other control characters (no header injection), spaces collapsed, at most 250 characters. */
export function headerSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > 250 ? `${flat.slice(0, 249)}…` : flat;
}

/** A link target that is safe to put in an email: http(s) or mailto only, normalised (quotes, spaces, brackets encoded). */
export function safeHref(href: string): string | null {
  let url: URL;
  try {
    url = new URL(href.trim());
  } catch {
    return null;
  }
  return url.protocol === 'https:' || url.protocol === 'http:' || url.protocol === 'mailto:' ? url.href : null;
}

/**
 * Date and time as the reader sees it: in their IANA zone, with the zone's short name; where the locale has only an
 * offset for it ("GMT-5" in en-GB for New York), the zone's city too. An unknown zone reads as UTC.
 */
export function formatDateTime(at: Date, timeZone: string, locale: string): string {
  const dt = zoned(at, timeZone, locale);
  const day = dt.toLocaleString({ weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' });
  return `${day} ${zoneLabel(dt)}`;
}

/** A time span: "Tuesday, 1 December 2026, 10:00 – 10:30 CET"; the end's date only when it differs. */
export function formatSlot(slot: { start: Date; end: Date }, timeZone: string, locale: string): string {
  const start = zoned(slot.start, timeZone, locale);
  const end = zoned(slot.end, timeZone, locale);
  if (!start.hasSame(end, 'day')) return `${formatDateTime(slot.start, timeZone, locale)} – ${formatDateTime(slot.end, timeZone, locale)}`;
  const day = start.toLocaleString({ weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
  const from = start.toLocaleString({ hour: '2-digit', minute: '2-digit' });
  const to = end.toLocaleString({ hour: '2-digit', minute: '2-digit' });
  return `${day}, ${from} – ${to} ${zoneLabel(end)}`;
}

function zoneLabel(dt: DateTime): string {
  const short = dt.offsetNameShort ?? dt.zoneName ?? 'UTC';
  if (!/^(GMT|UTC)[+-]/.test(short)) return short;
  const city = (dt.zoneName ?? '').split('/').pop()?.replace(/_/g, ' ') ?? '';
  return city === '' ? short : `${short} (${city})`;
}

function zoned(at: Date, timeZone: string, locale: string): DateTime {
  const dt = DateTime.fromJSDate(at, { zone: timeZone });
  return (dt.isValid ? dt : DateTime.fromJSDate(at, { zone: 'utc' })).setLocale(locale);
}

// ---------------------------------------------------------------------------------------------------------------
// HTML through MJML

const font = 'Segoe UI, Helvetica, Arial, sans-serif';
const ink = '#242424';
const muted = '#616161';
const accent = '#0f6cbd';

function inlineHtml(part: Inline): string {
  if (typeof part === 'string') return escapeHtml(part);
  if ('strong' in part) return `<strong>${escapeHtml(part.strong)}</strong>`;
  const href = safeHref(part.href);
  if (href === null) return escapeHtml(part.label);
  return `<a href="${escapeHtml(href)}" style="color:${accent};text-decoration:underline;">${escapeHtml(part.label)}</a>`;
}

const multiline = (text: string): string => escapeHtml(text).replace(/\r\n|\r|\n/g, '<br />');

/**
 * A block as MJML: each element's content goes through `put`, which returns the marker that stands in its place, so
 * the MJML text depends only on the kinds of the blocks, never on what they say (see renderMail).
 */
function blockMjml(block: Block, put: (html: string) => string): string {
  switch (block.kind) {
    case 'paragraph':
      return `<mj-text>${put(block.parts.map(inlineHtml).join(''))}</mj-text>`;
    case 'heading':
      return `<mj-text padding-top="16px" font-size="16px" font-weight="600">${put(escapeHtml(block.text))}</mj-text>`;
    case 'list':
      return `<mj-text>${put(
        `<ul style="margin:0;padding:0 0 0 20px;">${block.items.map((item) => `<li style="margin:0 0 4px 0;">${item.map(inlineHtml).join('')}</li>`).join('')}</ul>`,
      )}</mj-text>`;
    case 'facts':
      return `<mj-table cellpadding="4px" font-size="14px" line-height="20px" color="${ink}">${put(
        block.rows
          .map(
            ([label, value]) =>
              `<tr><td valign="top" style="width:35%;color:${muted};border-bottom:1px solid #e0e0e0;padding:4px 8px 4px 0;">${escapeHtml(label)}</td>` +
              `<td valign="top" style="border-bottom:1px solid #e0e0e0;padding:4px 0;">${multiline(value)}</td></tr>`,
          )
          .join(''),
      )}</mj-table>`;
    case 'quote':
      return `<mj-text>${put(
        `<table role="presentation" border="0" cellpadding="0" cellspacing="0" width="100%"><tr>` +
          `<td style="border-left:3px solid #d1d1d1;padding:4px 0 4px 12px;color:${ink};">${multiline(block.text)}</td>` +
          `</tr></table>`,
      )}</mj-text>`;
    case 'button': {
      const href = safeHref(block.href);
      if (href === null) return `<mj-text>${put(escapeHtml(block.label))}</mj-text>`;
      // A bordered table cell, not mj-button: the whole cell reads as a button in Outlook desktop too.
      return `<mj-text>${put(
        `<table role="presentation" border="0" cellpadding="0" cellspacing="0"><tr>` +
          `<td bgcolor="${accent}" style="background:${accent};border-radius:4px;padding:10px 18px;">` +
          `<a href="${escapeHtml(href)}" style="color:#ffffff;text-decoration:none;font-weight:600;">${escapeHtml(block.label)}</a>` +
          `</td></tr></table>`,
      )}</mj-text>`;
    }
    case 'note':
      return `<mj-text font-size="12px" color="${muted}">${put(escapeHtml(block.text))}</mj-text>`;
    case 'signature':
      return `<mj-text>${put(block.lines.map(escapeHtml).join('<br />'))}</mj-text>`;
  }
}

/** The MJML document of a mail, with markers where its texts go, and those texts (HTML, escaped) in marker order. */
function documentMjml(mail: { subject: string; preview: string; locale: string; blocks: readonly Block[] }): { layout: string; fills: string[] } {
  const fills: string[] = [];
  const put = (html: string): string => {
    // MJML trims the content of an element (its parser and getContent); the text filled in later is trimmed alike.
    // An empty one stays empty in the layout: MJML leaves out some elements with no content (the preview).
    const fill = html.trim();
    if (fill === '') return '';
    fills.push(fill);
    return marker(fills.length - 1);
  };
  const layout =
    `<mjml lang="${escapeHtml(mail.locale)}" dir="auto"><mj-head>` +
    `<mj-title>${put(escapeHtml(mail.subject))}</mj-title>` +
    `<mj-preview>${put(escapeHtml(mail.preview))}</mj-preview>` +
    `<mj-attributes><mj-all font-family="${font}" /><mj-text font-size="14px" line-height="21px" color="${ink}" padding="6px 24px" /></mj-attributes>` +
    `</mj-head><mj-body width="600px" background-color="#ffffff"><mj-section padding="12px 0"><mj-column>` +
    mail.blocks.map((b) => blockMjml(b, put)).join('') +
    `</mj-column></mj-section></mj-body></mjml>`;
  return { layout, fills };
}

/**
 * Where a text goes in a layout. Only Baton's own layout text (tags, attributes, styles) surrounds the markers when
 * MJML renders it, and the texts are filled in in one pass, so a text that itself looks like a marker stays as it is.
 */
const marker = (n: number): string => `@@baton-fill-${String(n)}@@`;
const markerPattern = /@@baton-fill-(\d+)@@/g;

// ---------------------------------------------------------------------------------------------------------------
// Plain text from the same blocks

function inlineText(part: Inline): string {
  if (typeof part === 'string') return part;
  if ('strong' in part) return part.strong;
  const href = safeHref(part.href);
  return href === null ? part.label : `${part.label} (${href})`;
}

function blockText(block: Block): string {
  switch (block.kind) {
    case 'paragraph':
      return block.parts.map(inlineText).join('');
    case 'heading':
      return block.text;
    case 'list':
      return block.items.map((item) => `- ${item.map(inlineText).join('')}`).join('\n');
    case 'facts':
      return block.rows.map(([label, value]) => `${label}: ${value.replace(/\r\n|\r|\n/g, '\n  ')}`).join('\n');
    case 'quote':
      return block.text
        .split(/\r\n|\r|\n/)
        .map((line) => `> ${line}`)
        .join('\n');
    case 'button': {
      const href = safeHref(block.href);
      return href === null ? block.label : `${block.label}: ${href}`;
    }
    case 'note':
      return block.text;
    case 'signature':
      return block.lines.join('\n');
  }
}

let mjml2html: typeof mjml2htmlType | undefined;
function loadMjml(): typeof mjml2htmlType {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  mjml2html ??= require('mjml') as typeof mjml2htmlType;
  return mjml2html;
}

/**
 * Rendered layouts by their MJML (markers in place of texts). MJML takes some 10 ms a mail, most of a request that
 * sends mails; a layout depends only on the kinds of blocks and the locale, so the mails of a kind share a few.
 */
const renderedLayouts = new Map<string, Promise<string>>();
const maxRenderedLayouts = 500;

function renderLayout(layout: string): Promise<string> {
  const known = renderedLayouts.get(layout);
  if (known !== undefined) return known;
  if (renderedLayouts.size >= maxRenderedLayouts) {
    const oldest = renderedLayouts.keys().next();
    if (oldest.done !== true) renderedLayouts.delete(oldest.value);
  }
  const rendered = loadMjml()(layout, { validationLevel: 'strict', fonts: {}, keepComments: false, ignoreIncludes: true }).then((r) => r.html);
  renderedLayouts.set(layout, rendered);
  rendered.catch(() => renderedLayouts.delete(layout));
  return rendered;
}

/** Renders a subject and its blocks as HTML and plain text. */
export async function renderMail(mail: { subject: string; preview?: string; locale: string; blocks: readonly Block[] }): Promise<RenderedMail> {
  const subject = headerSafe(mail.subject);
  const preview = headerSafe(mail.preview ?? subject);
  const { layout, fills } = documentMjml({ subject, preview, locale: mail.locale, blocks: mail.blocks });
  const html = (await renderLayout(layout)).replace(markerPattern, (_m, n: string) => {
    const fill = fills[Number(n)];
    if (fill === undefined) throw new Error(`the mail layout has no text for marker ${n}`);
    return fill;
  });
  const text = mail.blocks
    .map(blockText)
    .filter((t) => t !== '')
    .join('\n\n');
  return { subject, html, text: `${text}\n` };
}
