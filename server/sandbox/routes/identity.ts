// Identity endpoints of the sandbox, at Entra ID's v2 paths under the tenant: OpenID configuration, JWKS, the token
// endpoint (form-encoded, OAuth 2.0 errors in Entra's JSON shape), the sign-in page where one picks a sandbox user,
// logout; and the sandbox's own GET /sandbox/tenant.json and /sandbox/ca.pem. The protocol is in ../identity.
// Imports: fastify types, node:crypto, ../identity, ../sandbox types.
import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { aadsts, isRegisteredRedirectUri, OAuthError, oauthErrorBody, SignInError, type RedirectTarget, type TokenRequest } from '../identity';
import type { Sandbox } from '../sandbox';
import type { SeedUser } from '../directory';

type TenantParams = { tenant: string };

const formType = 'application/x-www-form-urlencoded';
const corsHeaders = { 'Access-Control-Allow-Origin': '*' } as const;

export function registerIdentityRoutes(app: FastifyInstance, sb: Sandbox): void {
  // An encapsulated scope: form bodies are parsed here only (Graph routes keep answering JSON).
  void app.register((scope, _opts, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
      done(null, typeof body === 'string' ? body : body.toString('utf8'));
    });
    scope.setErrorHandler((error: unknown, request, reply) => {
      if (error instanceof OAuthError) return sendOAuthError(sb, request, reply, error);
      const status = (error as { statusCode?: unknown }).statusCode;
      if (typeof status === 'number' && status >= 400 && status < 500) return sendOAuthError(sb, request, reply, aadsts.malformed());
      request.log.error({ err: error }, 'sandbox identity handler failed');
      return sendOAuthError(sb, request, reply, aadsts.transient());
    });

    const requireTenant = (request: FastifyRequest<{ Params: TenantParams }>, error: string) => {
      if (!sb.identity.isTenant(request.params.tenant)) throw aadsts.tenantNotFound(request.params.tenant, error);
    };

    scope.get<{ Params: TenantParams }>('/:tenant/v2.0/.well-known/openid-configuration', async (request, reply) => {
      requireTenant(request, 'invalid_tenant');
      void reply.headers({ ...corsHeaders, 'Cache-Control': 'max-age=86400, private' });
      return openIdConfiguration(sb);
    });

    scope.get<{ Params: TenantParams }>('/:tenant/discovery/v2.0/keys', async (request, reply) => {
      requireTenant(request, 'invalid_tenant');
      void reply.headers({ ...corsHeaders, 'Cache-Control': 'max-age=86400, private' });
      return sb.identity.jwks();
    });

    scope.options('/:tenant/oauth2/v2.0/token', async (_request, reply) =>
      reply
        .status(204)
        .headers({
          ...corsHeaders,
          'Access-Control-Allow-Methods': 'POST, OPTIONS',
          'Access-Control-Allow-Headers': 'content-type, client-request-id, return-client-request-id, x-client-sku, x-client-ver, x-client-os, x-client-cpu, x-ms-lib-capability, x-app-name, x-app-ver, x-client-current-telemetry, x-client-last-telemetry',
          'Access-Control-Max-Age': '86400',
        })
        .send(),
    );

    scope.post<{ Params: TenantParams }>('/:tenant/oauth2/v2.0/token', async (request, reply) => {
      requireTenant(request, 'invalid_request');
      const tokenRequest: TokenRequest = { form: formOf(request), basic: basicCredentials(request) };
      const answer = await sb.identity.token(tokenRequest);
      return reply
        .headers({ ...corsHeaders, 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache', 'x-ms-request-id': request.id })
        .type('application/json; charset=utf-8')
        .send(answer);
    });

    scope.get<{ Params: TenantParams }>('/:tenant/oauth2/v2.0/authorize', async (request, reply) => {
      if (!sb.identity.isTenant(request.params.tenant)) return sendErrorPage(sb, request, reply, aadsts.tenantNotFound(request.params.tenant));
      const { values, duplicate } = singleValues(request.query as Record<string, unknown>);
      if (duplicate !== null) return sendErrorPage(sb, request, reply, aadsts.duplicatedParameter(duplicate));
      const check = sb.identity.checkAuthorizeRequest(values);
      if (!check.ok) {
        if (check.redirect === null) return sendErrorPage(sb, request, reply, check.error);
        return sendRedirect(reply, check.redirect, errorParams(sb, request, check.error, check.redirect.state));
      }
      const signIn = sb.identity.startSignIn(check.request);
      const action = `/${sb.tenant.tenantId}/oauth2/v2.0/authorize`;
      void reply.header(
        'Set-Cookie',
        `${bindingCookie(signIn.id)}=${signIn.binding}; Path=${action}; Max-Age=600; HttpOnly; Secure; SameSite=Strict`,
      );
      const nonce = randomBytes(16).toString('base64');
      const page = signInPage({
        tenantName: sb.tenant.displayName,
        appName: check.request.clientName,
        action,
        requestId: signIn.id,
        users: sb.directory.users(),
        scopes: check.request.scopes,
        loginHint: check.request.loginHint,
        styleNonce: nonce,
      });
      return sendHtml(reply, 200, page, { styleNonce: nonce, formTargets: [check.request.redirectUri] });
    });

    scope.post<{ Params: TenantParams }>('/:tenant/oauth2/v2.0/authorize', async (request, reply) => {
      if (!sb.identity.isTenant(request.params.tenant)) return sendErrorPage(sb, request, reply, aadsts.tenantNotFound(request.params.tenant));
      const form = formOf(request);
      const id = form['request'] ?? '';
      const binding = cookie(request, bindingCookie(id));
      let result: ReturnType<Sandbox['identity']['finishSignIn']>;
      try {
        result = sb.identity.finishSignIn(id, binding, form['user'] ?? '');
      } catch (e) {
        if (!(e instanceof SignInError)) throw e;
        return sendHtml(reply, e.status, messagePage('Sign-in could not continue', e.message), {});
      }
      void reply.header('Set-Cookie', `${bindingCookie(id)}=; Path=/${sb.tenant.tenantId}/oauth2/v2.0/authorize; Max-Age=0; HttpOnly; Secure; SameSite=Strict`);
      return sendRedirect(reply, result.target, result.params);
    });

    scope.get<{ Params: TenantParams }>('/:tenant/oauth2/v2.0/logout', async (request, reply) => {
      if (!sb.identity.isTenant(request.params.tenant)) return sendErrorPage(sb, request, reply, aadsts.tenantNotFound(request.params.tenant));
      const { values } = singleValues(request.query as Record<string, unknown>);
      const target = values['post_logout_redirect_uri'];
      const registered = sb.identity.apps().some((a) => target !== undefined && isRegisteredRedirectUri(a.redirectUris, target));
      if (target !== undefined && registered) return reply.status(302).header('Location', target).send();
      return sendHtml(reply, 200, messagePage('Signed out', 'You signed out of the sandbox tenant. You can close this window.'), {});
    });
    done();
  });

  app.get('/sandbox/tenant.json', async (_request, reply) => {
    void reply.header('Cache-Control', 'no-store');
    return tenantDescription(sb);
  });

  app.get('/sandbox/ca.pem', async (_request, reply) => {
    if (sb.caPem === null) return reply.status(404).type('text/plain; charset=utf-8').send('This sandbox is not served over TLS: it has no CA certificate.\n');
    return reply.type('application/x-pem-file').header('Content-Disposition', 'attachment; filename="baton-sandbox-ca.pem"').send(sb.caPem);
  });
}

/** The tenant's OpenID Connect discovery document, as Entra's v2 one with the sandbox's URLs and capabilities. */
export function openIdConfiguration(sb: Sandbox): Record<string, unknown> {
  const base = `${sb.baseUrl()}/${sb.tenant.tenantId}`;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: sb.identity.issuer(),
    request_uri_parameter_supported: false,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    code_challenge_methods_supported: ['S256'],
    http_logout_supported: true,
    frontchannel_logout_supported: false,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'nonce', 'preferred_username', 'name', 'oid', 'tid', 'ver', 'email'],
    tenant_region_scope: null,
    cloud_instance_name: 'microsoftonline.com',
    msgraph_host: new URL(sb.baseUrl()).host,
  };
}

/** What a newcomer (and Baton's demo mode) needs to point Baton at the sandbox. */
export function tenantDescription(sb: Sandbox): Record<string, unknown> {
  const base = sb.baseUrl();
  const { tenantId, domain, displayName, apps } = sb.tenant;
  const authority = `${base}/${tenantId}`;
  return {
    description:
      'The Baton sandbox: a local stand-in for a Microsoft 365 tenant (Entra ID identity and Microsoft Graph v1.0). It is not a real tenant; its apps, users and secrets exist only in this sandbox.',
    tenantId,
    domain,
    displayName,
    authority,
    issuer: sb.identity.issuer(),
    openIdConfigurationUrl: `${authority}/v2.0/.well-known/openid-configuration`,
    jwksUri: `${authority}/discovery/v2.0/keys`,
    tokenEndpoint: `${authority}/oauth2/v2.0/token`,
    authorizationEndpoint: `${authority}/oauth2/v2.0/authorize`,
    graphBaseUrl: `${base}/v1.0`,
    caCertificateUrl: sb.caPem === null ? null : `${base}/sandbox/ca.pem`,
    serverApp: {
      note: "The sandbox's demo app for Baton's server (app-only Graph access). Its client secret is published here on purpose: only this sandbox accepts it. Never use it with a real tenant.",
      displayName: apps.server.displayName,
      clientId: apps.server.clientId,
      clientSecret: apps.server.clientSecret,
      scope: 'https://graph.microsoft.com/.default',
      applicationPermissions: apps.server.applicationPermissions,
    },
    api: {
      displayName: apps.api.displayName,
      clientId: apps.api.clientId,
      identifierUri: apps.api.identifierUri,
      audience: apps.api.clientId,
      scopes: apps.api.scopes.map((s) => `${apps.api.identifierUri}/${s}`),
    },
    addin: {
      displayName: apps.addin.displayName,
      clientId: apps.addin.clientId,
      redirectUris: apps.addin.redirectUris,
    },
    users: sb.directory.users().map((u) => ({
      id: u.id,
      userPrincipalName: u.userPrincipalName,
      displayName: u.displayName,
      jobTitle: u.jobTitle,
      batonRole: u.batonRole,
      team: u.team,
      managerId: u.manager,
    })),
  };
}

function sendOAuthError(sb: Sandbox, request: FastifyRequest, reply: FastifyReply, error: OAuthError): FastifyReply {
  const body = oauthErrorBody(error, sb.clock.now(), request.id, correlationId(request));
  return reply
    .status(error.status)
    .headers({ ...corsHeaders, 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache', 'x-ms-request-id': request.id })
    .type('application/json; charset=utf-8')
    .send(body);
}

/** Entra echoes the caller's `client-request-id` as the correlation id. */
function correlationId(request: FastifyRequest): string {
  const header = request.headers['client-request-id'];
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && /^[\w-]{1,64}$/.test(value) ? value : randomUUID();
}

/** One value per parameter, as Entra requires; the name of the first duplicated one, if any. */
function singleValues(source: Record<string, unknown>): { values: Record<string, string>; duplicate: string | null } {
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(source)) {
    if (Array.isArray(v)) return { values, duplicate: k };
    if (typeof v === 'string') values[k] = v;
  }
  return { values, duplicate: null };
}

/** The form-encoded body (anything else counts as an empty form, as Entra then finds no `grant_type`). */
function formOf(request: FastifyRequest): Record<string, string> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== formType || typeof request.body !== 'string') return {};
  const form: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(request.body)) {
    if (k in form) throw aadsts.duplicatedParameter(k);
    form[k] = v;
  }
  return form;
}

/** `Authorization: Basic base64(urlencode(client_id):urlencode(secret))` (RFC 6749 §2.3.1). */
function basicCredentials(request: FastifyRequest): { clientId: string; secret: string } | null {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(request.headers.authorization ?? '');
  if (!m?.[1]) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return null;
  try {
    return { clientId: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
  } catch {
    return null;
  }
}

const bindingCookie = (requestId: string) => `sandbox_signin_${requestId.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 22)}`;

function cookie(request: FastifyRequest, name: string): string | null {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

function errorParams(sb: Sandbox, request: FastifyRequest, error: OAuthError, state: string | null): Record<string, string> {
  const body = oauthErrorBody(error, sb.clock.now(), request.id, correlationId(request));
  const params: Record<string, string> = { error: body.error, error_description: body.error_description, error_uri: body.error_uri };
  if (state !== null) params['state'] = state;
  return params;
}

/** Sends the browser back to the app: `query` or `fragment` as a 302, `form_post` as an auto-submitted form. */
function sendRedirect(reply: FastifyReply, target: RedirectTarget, params: Record<string, string>): FastifyReply {
  if (target.responseMode === 'form_post') {
    const nonce = randomBytes(16).toString('base64');
    const inputs = Object.entries(params)
      .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
      .join('');
    const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Working…</title></head><body><form method="post" action="${escapeHtml(target.redirectUri)}">${inputs}<noscript><p>Script is off: press Continue.</p><button type="submit">Continue</button></noscript></form><script nonce="${nonce}">document.forms[0].submit();</script></body></html>`;
    return sendHtml(reply, 200, page, { scriptNonce: nonce, formTargets: [target.redirectUri] });
  }
  const url = new URL(target.redirectUri);
  const encoded = new URLSearchParams(params).toString();
  if (target.responseMode === 'fragment') url.hash = encoded;
  else for (const [k, v] of Object.entries(params)) url.searchParams.append(k, v);
  return reply.status(302).header('Location', url.toString()).header('Cache-Control', 'no-store').send();
}

/** A CSP source for where a form may go (Chrome checks `form-action` on the redirect after the POST too). */
function formSource(uri: string): string | null {
  try {
    const u = new URL(uri);
    if (u.protocol === 'https:' || u.protocol === 'http:') return u.origin;
    return /^[a-z][a-z0-9+.-]*:$/.test(u.protocol) ? u.protocol : null;
  } catch {
    return null;
  }
}

function sendHtml(
  reply: FastifyReply,
  status: number,
  html: string,
  policy: { styleNonce?: string; scriptNonce?: string; formTargets?: readonly string[] },
): FastifyReply {
  const formTargets = (policy.formTargets ?? []).map(formSource).filter((s): s is string => s !== null);
  const csp = [
    "default-src 'none'",
    policy.styleNonce ? `style-src 'nonce-${policy.styleNonce}'` : null,
    policy.scriptNonce ? `script-src 'nonce-${policy.scriptNonce}'` : null,
    `form-action ${["'self'", ...formTargets].join(' ')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ]
    .filter(Boolean)
    .join('; ');
  return reply
    .status(status)
    .headers({
      'Content-Security-Policy': csp,
      'X-Frame-Options': 'DENY',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    })
    .type('text/html; charset=utf-8')
    .send(html);
}

function sendErrorPage(sb: Sandbox, request: FastifyRequest, reply: FastifyReply, error: OAuthError): FastifyReply {
  const body = oauthErrorBody(error, sb.clock.now(), request.id, correlationId(request));
  const details = `Request Id: ${body.trace_id}\nCorrelation Id: ${body.correlation_id}\nTimestamp: ${body.timestamp}`;
  return sendHtml(reply, 400, messagePage('Sign in: something went wrong', `AADSTS${error.aadsts}: ${error.message}`, details), {});
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

const roleLabels: Record<SeedUser['batonRole'], string> = { sdr: 'SDR', ae: 'Account executive', manager: 'Manager', admin: 'Admin' };

const pageStyle = `body{font:15px/1.4 system-ui,"Segoe UI",sans-serif;margin:0;background:#f3f2f1;color:#201f1e}
main{max-width:460px;margin:40px auto;background:#fff;padding:32px 36px;box-shadow:0 2px 6px rgba(0,0,0,.2)}
h1{font-size:22px;font-weight:600;margin:0 0 12px}p{margin:0 0 12px}.note{color:#605e5c;font-size:13px}
ul{list-style:none;margin:16px 0;padding:0}li{margin:0 0 8px}
button{display:block;width:100%;text-align:left;padding:10px 12px;border:1px solid #c8c6c4;background:#fff;cursor:pointer;font:inherit}
button:hover,button:focus{border-color:#0078d4;background:#f3f9fd;outline:none}
.name{display:block;font-weight:600}.upn,.role{display:block;font-size:13px;color:#605e5c}pre{white-space:pre-wrap;font-size:12px;color:#605e5c}`;

function signInPage(p: {
  tenantName: string;
  appName: string;
  action: string;
  requestId: string;
  users: readonly SeedUser[];
  scopes: readonly string[];
  loginHint: string | null;
  styleNonce: string;
}): string {
  const hint = p.loginHint?.toLowerCase() ?? null;
  const items = p.users
    .map((u) => {
      const role = `${roleLabels[u.batonRole]}${u.team === null ? '' : ` · team ${u.team}`}`;
      const focus = hint !== null && (u.userPrincipalName.toLowerCase() === hint || u.id === hint) ? ' autofocus' : '';
      return `<li><button type="submit" name="user" value="${escapeHtml(u.id)}"${focus}><span class="name">${escapeHtml(u.displayName)}</span><span class="upn">${escapeHtml(u.userPrincipalName)}</span><span class="role">${escapeHtml(role)}</span></button></li>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · ${escapeHtml(p.tenantName)}</title><style nonce="${p.styleNonce}">${pageStyle}</style></head>
<body><main>
<h1>Pick an account</h1>
<p><strong>${escapeHtml(p.appName)}</strong> wants to sign you in to <strong>${escapeHtml(p.tenantName)}</strong>.</p>
<p class="note">This is Baton's sandbox, a local stand-in for Microsoft Entra ID: pick a user, no password is asked.</p>
<form method="post" action="${escapeHtml(p.action)}">
<input type="hidden" name="request" value="${escapeHtml(p.requestId)}">
<ul>
${items}
</ul>
</form>
<p class="note">Permissions asked: ${escapeHtml(p.scopes.join(' '))}</p>
</main></body></html>`;
}

function messagePage(title: string, message: string, details?: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title></head>
<body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>${details === undefined ? '' : `<pre>${escapeHtml(details)}</pre>`}</main></body></html>`;
}
