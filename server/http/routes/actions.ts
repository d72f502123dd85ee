// The pages behind the one-click links in Baton's mails: GET /actions/:token shows what will happen (server-rendered,
// every field escaped, no script, a strict CSP; it changes nothing) and sets a form nonce in an HttpOnly SameSite=Strict
// cookie; POST /actions/:token (that page's form) acts when the nonce matches the cookie (double submit) and the
// browser says the form came from this origin (Origin, Sec-Fetch-Site). No sign-in: the signed link is the key.
// Imports: node:crypto, the engine's action service (types, refusal), ../app types.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { App } from '../app';
import { ActionRefusal, type ActionForm, type ActionPreview, type ActionService } from '../../engine/action-service';
import { ratingFieldLabels } from '../contract';

const style = [
  'body{font-family:Segoe UI,Helvetica,Arial,sans-serif;background:#f5f5f5;color:#242424;margin:0;padding:24px}',
  'main{max-width:560px;margin:0 auto;background:#fff;border-radius:8px;padding:24px 28px;box-shadow:0 1px 3px rgba(0,0,0,.15)}',
  'h1{font-size:20px;margin:0 0 12px}p,li{line-height:1.5}.muted{color:#616161;font-size:13px}',
  'button{background:#0f6cbd;color:#fff;border:0;border-radius:4px;padding:10px 18px;font-size:15px;cursor:pointer}',
  'label{display:block;margin:12px 0 4px;font-weight:600}select,textarea{width:100%;box-sizing:border-box;font:inherit;padding:6px}',
  '.error{color:#b10e1c;font-weight:600}.done{color:#0e700e}',
  'fieldset{border:1px solid #d1d1d1;border-radius:4px;margin:12px 0;padding:8px 12px}legend{font-weight:600}',
  'label.inline{display:inline-block;margin:4px 12px 4px 0;font-weight:400}',
].join('');
const styleHash = createHash('sha256').update(style).digest('base64');
/** Nothing but this page's own style: no script, no frames, no other origin; the form posts only here. */
export const actionPageCsp = `default-src 'none'; style-src 'sha256-${styleHash}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`;

const cookiePrefix = 'baton_action_';
const nonceBytes = 32;

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer"><title>${escapeHtml(title)} · Baton</title><style>${style}</style></head><body><main>${body}</main></body></html>`;
}

function send(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', actionPageCsp)
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .send(html);
}

const titles: Record<ActionRefusal['code'], string> = {
  link_invalid: 'This link is not valid',
  link_mismatch: 'This link is not valid',
  link_expired: 'This link has expired',
  link_used: 'This link was used already',
  forbidden: 'You may not take this action',
  handoff_closed: 'This hand-off is closed',
  nothing_pending: 'Nothing left to do',
  csrf_refused: 'Not sent from Baton’s page',
  invalid_input: 'Something is missing',
};

function refusalHtml(r: ActionRefusal): string {
  return (page(titles[r.code], `<h1>${escapeHtml(titles[r.code])}</h1><p class="error">${escapeHtml(r.message)}</p><p class="muted">Nothing was changed. Error code: ${escapeHtml(r.code)}</p>`));
}

function when(d: Date, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone, timeZoneName: 'short' }).format(d);
  } catch {
    return d.toISOString();
  }
}

const kindLabel = { ae_reply: 'reply to the intro', ae_accept: 'accept the invite' } as const;

function confirmPage(p: ActionPreview, nonce: string, error: ActionRefusal | null, form: Partial<z.infer<typeof FormBody>> = {}): string {
  const e = escapeHtml;
  const lead = `${e(p.lead.contactName)} (${e(p.lead.companyName)})`;
  const ae = e(p.ae.displayName);
  const tz = p.recipient.timeZone;
  const open = p.open.map((o) => `<li>${ae} must ${kindLabel[o.kind]} by ${e(when(o.dueAt, tz))}</li>`).join('');
  let title: string;
  let what: string;
  let fields = '';
  let button: string;
  switch (p.claims.action) {
    case 'reassign': {
      const target = e(p.target?.displayName ?? '');
      title = `Reassign to ${p.target?.displayName ?? ''}`;
      const items = [
        `The hand-off of ${lead} moves from ${ae} to ${target}; ${target}’s deadlines start now, in ${target}’s working hours.`,
        ...(p.handoff.meetingStart === null ? [] : [`The meeting invite names ${target} instead of ${ae}.`]),
        ...(p.handoff.prepEventId === null ? [] : [`The prep block moves from ${ae}’s calendar to ${target}’s.`]),
        `${e(p.sdr.displayName)}, ${ae} and ${target} are told by mail.`,
      ];
      what = `<ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>`;
      button = `Reassign to ${target}`;
      break;
    }
    case 'more_time': {
      const hours = String(p.claims.hours ?? 0);
      title = `Give ${p.ae.displayName} ${hours} more working hours`;
      what = `<p>Now:</p><ul>${open}</ul><p>Each deadline moves to ${e(hours)} working hours of ${ae}’s time from now; the reminder and the escalation are planned again.</p>`;
      button = `Give ${e(hours)} more working hours`;
      break;
    }
    case 'nudge':
      title = `Nudge ${p.ae.displayName}`;
      what = `<p>${ae} gets a mail from Baton, with you in copy, about what is still open:</p><ul>${open}</ul>`;
      button = `Send the reminder to ${ae}`;
      break;
    case 'hand_back': {
      title = 'Hand the lead back';
      what = `<p>The lead ${lead} goes back to ${e(p.sdr.displayName)}, who keeps nurturing it and is told by mail. The hand-off closes.</p>`;
      const options = p.reasons
        .map((r) => `<option value="${e(r.code)}"${form.reasonCode === r.code ? ' selected' : ''}>${e(r.label)}</option>`)
        .join('');
      fields =
        `<label for="reasonCode">Reason</label><select id="reasonCode" name="reasonCode" required><option value="">Choose…</option>${options}</select>` +
        `<label for="text">In a few words, why</label><textarea id="text" name="text" rows="4" maxlength="2000" required>${e(form.text ?? '')}</textarea>` +
        ratingFields(form);
      button = 'Hand back';
      break;
    }
  }
  const err = error === null ? '' : `<p class="error">${e(error.message)}</p>`;
  return page(
    title,
    `<h1>${e(title)}</h1><p class="muted">Hand-off of ${lead}. This link was sent to ${e(p.recipient.displayName)}; it works once, until ${e(when(p.claims.expiresAt, tz))}.</p>${what}${err}` +
      `<form method="post"><input type="hidden" name="nonce" value="${e(nonce)}">${fields}<p><button type="submit">${button}</button></p></form>`,
  );
}

/** The form nonce's cookie of a link (by its claims' id). */
function cookieName(linkId: string): string {
  return `${cookiePrefix}${linkId.replace(/-/g, '')}`;
}

function cookiesOf(request: FastifyRequest): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return out;
}

function sameNonce(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined || a === '' || b === '') return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The form must come from this origin: a browser's Sec-Fetch-Site says so, and no page can forge it; it decides when
 * present. The page's `Referrer-Policy: no-referrer` makes browsers send `Origin: null` with its own form, so Origin is
 * only compared where Sec-Fetch-Site is absent (an older browser). The nonce cookie is checked besides, always.
 */
function crossSite(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined) return site !== 'same-origin';
  const origin = request.headers.origin;
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== request.headers.host;
  } catch {
    return true; // `null` (a sandboxed or privacy-hidden origin) is not ours
  }
}

/** The lead's rating on the hand-back page, as the pane asks for it with an outcome: 1–5, what was missing, a sentence. */
function ratingFields(form: Partial<z.infer<typeof FormBody>>): string {
  const e = escapeHtml;
  const scores = [1, 2, 3, 4, 5]
    .map((n) => `<label class="inline"><input type="radio" name="score" value="${String(n)}" required${form.score === String(n) ? ' checked' : ''}> ${String(n)}</label>`)
    .join(' ');
  const ticked = new Set(form.fields ?? []);
  const boxes = Object.entries<string>(ratingFieldLabels)
    .map(([name, label]) => `<label class="inline"><input type="checkbox" name="fields" value="${e(name)}"${ticked.has(name) ? ' checked' : ''}> ${e(label)}</label>`)
    .join(' ');
  return (
    `<fieldset><legend>How good was the lead? (1 poor – 5 excellent)</legend>${scores}</fieldset>` +
    `<fieldset><legend>What was missing or wrong in the lead record?</legend>${boxes}</fieldset>` +
    `<label for="comment">One sentence on the lead (optional)</label><textarea id="comment" name="comment" rows="2" maxlength="280">${e(form.comment ?? '')}</textarea>`
  );
}

const Params = z.object({ token: z.string().min(1).max(2048) });
const FormBody = z.object({
  nonce: z.string().max(200).optional(),
  reasonCode: z.string().max(100).optional(),
  text: z.string().max(2000).optional(),
  // The hand-back's rating of the lead: a radio group 1–5, ticked fields (repeated), one sentence.
  score: z.string().max(10).optional(),
  fields: z.array(z.string().max(100)).max(40).optional(),
  comment: z.string().max(2000).optional(),
});

/** The rating a hand-back form carries; the hand-off service's rules judge it (a missing score is refused there). */
function ratingOf(form: z.infer<typeof FormBody>): ActionForm['rating'] {
  if (form.score === undefined || form.score === '') return undefined;
  return { score: Number(form.score), fields: form.fields ?? [], comment: form.comment };
}

/** A page to answer: its status, its HTML, and the cookie it sets, if any. */
interface Answer {
  status: number;
  html: string;
  cookie?: string;
}

const refusalAnswer = (r: ActionRefusal): Answer => ({ status: r.status, html: refusalHtml(r) });

export function registerActionRoutes(app: App, deps: { actions: ActionService }): void {
  const { actions } = deps;

  async function showPage(request: FastifyRequest, token: string): Promise<Answer> {
    try {
      const preview = await actions.preview(token);
      const nonce = randomBytes(nonceBytes).toString('base64url');
      const secure = request.protocol === 'https' ? '; Secure' : '';
      return { status: 200, html: confirmPage(preview, nonce, null), cookie: `${cookieName(preview.claims.id)}=${nonce}; Path=/actions/; HttpOnly; SameSite=Strict; Max-Age=3600${secure}` };
    } catch (e) {
      if (e instanceof ActionRefusal) return refusalAnswer(e);
      throw e;
    }
  }

  async function act(request: FastifyRequest, token: string, form: z.infer<typeof FormBody>): Promise<Answer> {
    // The link is checked once: the form's own checks run between the link's checks and the change.
    let checked: ActionPreview | undefined;
    const guard = (preview: ActionPreview): void => {
      checked = preview;
      const cookie = cookiesOf(request).get(cookieName(preview.claims.id));
      if (crossSite(request) || !sameNonce(cookie, form.nonce)) {
        throw new ActionRefusal(403, 'csrf_refused', 'This form was not sent from the page Baton showed. Open the link from the mail again and confirm there.');
      }
    };
    try {
      const done = await actions.perform(token, { reasonCode: form.reasonCode, text: form.text, rating: ratingOf(form) }, guard);
      return {
        status: 200,
        html: page('Done', `<h1 class="done">Done</h1><p>${escapeHtml(done.summary)}</p><p class="muted">This link has now been used and will not work again.</p>`),
        cookie: `${cookieName(done.linkId)}=; Path=/actions/; HttpOnly; SameSite=Strict; Max-Age=0`,
      };
    } catch (e) {
      // An incomplete hand-back form comes back with what was typed; the link is still unused.
      if (e instanceof ActionRefusal && e.code === 'invalid_input' && checked !== undefined) return { status: 422, html: confirmPage(checked, form.nonce ?? '', e, form) };
      if (e instanceof ActionRefusal) return refusalAnswer(e);
      throw e;
    }
  }

  const answer = (reply: FastifyReply, a: Answer): FastifyReply => {
    if (a.cookie !== undefined) void reply.header('set-cookie', a.cookie);
    return send(reply, a.status, a.html);
  };

  void app.register((plugin, _opts, done) => {
    const scope = plugin.withTypeProvider<ZodTypeProvider>();
    // An HTML form posts application/x-www-form-urlencoded; only these routes read it.
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16_384 }, (_request, body, parsed) => {
      // Ticked checkboxes repeat their name: `fields` is a list, every other name one value.
      const values: Record<string, string | string[]> = {};
      for (const [k, v] of new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'))) {
        const before = values[k];
        if (k === 'fields') values[k] = [...(Array.isArray(before) ? before : []), v];
        else values[k] = v;
      }
      parsed(null, values);
    });
    scope.get('/actions/:token', { config: { public: true }, schema: { hide: true, params: Params } }, async (request, reply) =>
      answer(reply, await showPage(request, request.params.token)),
    );
    scope.post('/actions/:token', { config: { public: true }, schema: { hide: true, params: Params, body: FormBody } }, async (request, reply) =>
      answer(reply, await act(request, request.params.token, request.body)),
    );
    done();
  });
}
