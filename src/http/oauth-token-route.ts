import { TesseraError } from '../errors/tessera-error.js';
import type { Route } from './handler-options.js';
import { MAX_BODY_BYTES, readBodyText } from './request-body.js';
import { TOKEN_EXCHANGE_GRANT, tokenExchangeGrant } from './token-exchange.js';
import { jsonResponse } from './response-text.js';

/**
 * `POST /oauth/token` with `grant_type=refresh_token` (RFC 6749 section 6) for standard OAuth clients.
 * Form-encoded, ignores unknown parameters, never reads cookies, and answers errors in the section 5.2
 * shape. The handler maps thrown errors to that shape for this path. With `legacy` configured it also
 * takes the RFC 8693 token exchange of an old app's JWT (`token-exchange.ts`).
 */
export const oauthTokenRoute: Route = async ({ request, ip }, deps) => {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new TesseraError(
      'REQUEST_INVALID',
      'The token endpoint accepts application/x-www-form-urlencoded only.',
    );
  }
  const form = new URLSearchParams(await readBodyText(request, { maxBytes: MAX_BODY_BYTES }));
  for (const name of ['grant_type', 'refresh_token', 'client_id']) {
    if (form.getAll(name).length > 1)
      throw new TesseraError('REQUEST_INVALID', `The parameter ${name} appears more than once.`);
  }
  const grant = form.get('grant_type');
  if (grant !== 'refresh_token' && grant !== TOKEN_EXCHANGE_GRANT)
    throw new TesseraError(
      'GRANT_TYPE_UNSUPPORTED',
      'Only grant_type=refresh_token (and the token exchange, with legacy configured) is supported.',
    );
  const clientId = form.get('client_id');
  if (clientId === null || !(deps.options.clientIds ?? ['tessera']).includes(clientId)) {
    throw new TesseraError(
      'CLIENT_UNKNOWN',
      'The client_id is missing or not one of the configured public clients (--client-ids).',
    );
  }
  if (grant === TOKEN_EXCHANGE_GRANT)
    return tokenExchangeGrant(form, { request, ip }, deps, clientId);
  const tokens = await deps.options.sessions.refresh(form.get('refresh_token') ?? undefined, {
    ip,
    transport: 'body',
  });
  return jsonResponse(
    {
      access_token: tokens.accessToken,
      token_type: 'Bearer',
      expires_in: tokens.expiresIn,
      refresh_token: tokens.refreshToken,
      refresh_grace_s: tokens.refreshGraceSeconds,
    },
    { headers: { 'cache-control': 'no-store', pragma: 'no-cache' } },
  );
};
