/** The building blocks of the OpenAPI document: schema shorthands, shared answers and the components. */

/** A JSON Schema / OpenAPI object, as plain data. */
export type Schema = Record<string, unknown>;

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const bool = { type: 'boolean' } as const;
const obj = (
  properties: Record<string, Schema>,
  required: string[] = Object.keys(properties),
): Schema => ({ type: 'object', properties, required });
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Schema, description = 'OK'): Schema => ({
  description,
  content: { 'application/json': { schema } },
});
const problem = (description: string): Schema => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});
const noContent = { description: 'No Content' };
const bearer = [{ bearer: [] }];
const errors = {
  '400': problem('Malformed request'),
  '401': problem('Token or credential failure'),
  '403': problem('CSRF check failed'),
  '413': problem('Body too large'),
  '415': problem('Content type not JSON'),
  '429': problem('Rate limited'),
};

/**
 * Shorthands the document's paths are written with.
 *
 * @example
 * ```ts
 * const { obj, str, json } = OPENAPI_SCHEMA;
 * const answer = json(obj({ ok: str }));
 * ```
 */
export const OPENAPI_SCHEMA = {
  str,
  int,
  bool,
  obj,
  ref,
  json,
  problem,
  noContent,
  bearer,
  errors,
};

/**
 * The document's `components`: the bearer scheme and the shared schemas (Problem, TokenResponse, ...).
 *
 * @example
 * ```ts
 * Object.keys(OPENAPI_COMPONENTS.schemas); // ['Problem', 'TokenResponse', 'Credentials', 'Session']
 * ```
 */
export const OPENAPI_COMPONENTS = {
  securitySchemes: {
    bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (RFC 9068 at+jwt)' },
    feedCredential: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'tsf_ feed credential (tessera feeds create)',
    },
  },
  schemas: {
    Problem: obj({
      type: str,
      title: str,
      status: int,
      detail: str,
      code: str,
      bucket: { type: ['string', 'null'], enum: ['time', 'storage', 'validation', null] },
    }),
    TokenResponse: {
      ...obj({
        access_token: str,
        token_type: { const: 'Bearer' },
        expires_in: int,
        refresh_grace_s: int,
        session_id: str,
        grace: bool,
      }),
      properties: {
        access_token: str,
        token_type: { const: 'Bearer' },
        expires_in: int,
        refresh_grace_s: int,
        session_id: str,
        grace: bool,
        refresh_token: { ...str, description: 'Only with Token-Transport: body' },
      },
    },
    Credentials: obj({
      email: { type: 'string', format: 'email' },
      password: { type: 'string', minLength: 8, maxLength: 256 },
    }),
    Session: obj({
      id: str,
      created_at: str,
      last_used_at: str,
      idle_expires_at: str,
      absolute_expires_at: str,
      user_agent: { type: ['string', 'null'] },
      ip: { type: ['string', 'null'] },
      current: bool,
    }),
  },
};
