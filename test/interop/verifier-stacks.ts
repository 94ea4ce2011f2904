// The five JWT stacks teams already run, each configured the way its README tells users to: the JWKS
// URL of the Tessera server, issuer and audience set, the algorithm list the docs show (the one
// algorithm the deployment signs with). The web stacks run as real apps over HTTP, so a refusal is
// what a client of that app would see.
import { once } from 'node:events';
import type { AddressInfo, Server } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { expressjwt } from 'express-jwt';
import fastJwt from 'fast-jwt';
import fastify from 'fastify';
import fastifyJwt from '@fastify/jwt';
import buildGetJwks from 'get-jwks';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import jwksRsa from 'jwks-rsa';
import passport from 'passport';
import { ExtractJwt, Strategy as JwtStrategy } from 'passport-jwt';

/** The stacks, in the README table's column order. */
export const STACKS = [
  'jose',
  'express-jwt + jwks-rsa',
  'passport-jwt + jwks-rsa',
  '@fastify/jwt + get-jwks',
  'fast-jwt + get-jwks',
] as const;

export type Stack = (typeof STACKS)[number];

/** What a stack needs to know about the Tessera deployment. */
export interface Deployment {
  /** The Tessera server's origin, http://127.0.0.1:PORT; also the tokens' issuer. */
  readonly issuer: string;
  readonly audience: string;
  readonly alg: string;
}

/** Accepted with the verified subject, or refused with the stack's own words. */
export type Outcome =
  | { readonly accepted: true; readonly sub: string }
  | { readonly accepted: false; readonly reason: string };

const jwksUri = (deployment: Deployment): string => `${deployment.issuer}/.well-known/jwks.json`;

/** Verifies the token with one stack. */
export async function verifyWith(
  stack: Stack,
  token: string,
  deployment: Deployment,
): Promise<Outcome> {
  switch (stack) {
    case 'jose':
      return viaJose(token, deployment);
    case 'express-jwt + jwks-rsa':
      return viaExpress(expressJwtApp(deployment), token);
    case 'passport-jwt + jwks-rsa':
      return viaExpress(passportApp(deployment), token);
    case '@fastify/jwt + get-jwks':
      return viaFastify(token, deployment);
    case 'fast-jwt + get-jwks':
      return viaFastJwt(token, deployment);
  }
}

async function viaJose(token: string, deployment: Deployment): Promise<Outcome> {
  const jwks = createRemoteJWKSet(new URL(jwksUri(deployment)));
  try {
    const { payload } = await jwtVerify(token, jwks, {
      issuer: deployment.issuer,
      audience: deployment.audience,
      algorithms: [deployment.alg],
    });
    return { accepted: true, sub: String(payload.sub) };
  } catch (error) {
    return refused(error);
  }
}

function expressJwtApp(deployment: Deployment): express.Express {
  const app = express();
  app.get(
    '/protected',
    expressjwt({
      secret: jwksRsa.expressJwtSecret({
        cache: true,
        rateLimit: true,
        jwksRequestsPerMinute: 5,
        jwksUri: jwksUri(deployment),
      }) as never,
      audience: deployment.audience,
      issuer: deployment.issuer,
      algorithms: [deployment.alg as 'RS256'],
    }),
    (request: Request & { auth?: { sub?: string } }, response: Response) => {
      response.json({ sub: request.auth?.sub });
    },
  );
  // Express tells an error handler by its four parameters, so `_next` stays though unused.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  app.use((error: Error, _request: Request, response: Response, _next: NextFunction) => {
    response.status(401).json({ error: error.message });
  });
  return app;
}

function passportApp(deployment: Deployment): express.Express {
  const authenticator = new passport.Passport();
  authenticator.use(
    new JwtStrategy(
      {
        secretOrKeyProvider: jwksRsa.passportJwtSecret({
          cache: true,
          rateLimit: true,
          jwksRequestsPerMinute: 5,
          jwksUri: jwksUri(deployment),
        }),
        jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
        audience: deployment.audience,
        issuer: deployment.issuer,
        algorithms: [deployment.alg as 'RS256'],
      },
      (payload: { sub?: string }, done: (error: null, user: object) => void) => done(null, payload),
    ),
  );
  const app = express();
  app.use(authenticator.initialize());
  // The custom callback is passport's documented way to see why a request was refused (without it
  // the answer is a bare 401).
  app.get('/protected', (request, response, next) => {
    authenticator.authenticate(
      'jwt',
      { session: false },
      (error: Error | null, user: { sub?: string } | false, info: unknown) => {
        if (error !== null || user === false)
          return response.status(401).json({ error: describe(error ?? info) });
        return response.json({ sub: user.sub });
      },
    )(request, response, next);
  });
  return app;
}

async function viaFastify(token: string, deployment: Deployment): Promise<Outcome> {
  const app = fastify();
  const getJwks = buildGetJwks({ issuersWhitelist: [deployment.issuer] });
  await app.register(fastifyJwt, {
    decode: { complete: true },
    secret: (_request: unknown, decoded: unknown) => {
      const { header, payload } = decoded as {
        header: { kid: string; alg: string };
        payload: { iss: string };
      };
      return getJwks.getPublicKey({ kid: header.kid, domain: payload.iss, alg: header.alg });
    },
    verify: {
      allowedIss: deployment.issuer,
      allowedAud: deployment.audience,
      algorithms: [deployment.alg as 'RS256'],
    },
  } as never);
  app.get('/protected', async (request, reply) => {
    try {
      const payload = await request.jwtVerify<{ sub?: string }>();
      return { sub: payload.sub };
    } catch (error) {
      return reply.code(401).send({ error: describe(error) });
    }
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    return await askProtected(app.server, token);
  } finally {
    await app.close();
  }
}

async function viaFastJwt(token: string, deployment: Deployment): Promise<Outcome> {
  const getJwks = buildGetJwks({ issuersWhitelist: [deployment.issuer] });
  const verify = fastJwt.createVerifier({
    key: async ({ header }: { header: { kid: string; alg: string } }) =>
      getJwks.getPublicKey({ kid: header.kid, alg: header.alg, domain: deployment.issuer }),
    allowedIss: deployment.issuer,
    allowedAud: deployment.audience,
    algorithms: [deployment.alg as 'RS256'],
  } as never) as (token: string) => Promise<{ sub?: string }>;
  try {
    return { accepted: true, sub: String((await verify(token)).sub) };
  } catch (error) {
    return refused(error);
  }
}

async function viaExpress(app: express.Express, token: string): Promise<Outcome> {
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    return await askProtected(server, token);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

async function askProtected(server: Server, token: string): Promise<Outcome> {
  const { port } = server.address() as AddressInfo;
  const response = await fetch(`http://127.0.0.1:${port}/protected`, {
    headers: { authorization: `Bearer ${token}`, connection: 'close' },
  });
  const body = (await response.json()) as { sub?: string; error?: string };
  if (response.status === 200 && typeof body.sub === 'string')
    return { accepted: true, sub: body.sub };
  return {
    accepted: false,
    reason: `HTTP ${response.status}: ${body.error ?? 'no reason given'}`,
  };
}

function refused(error: unknown): Outcome {
  return { accepted: false, reason: describe(error) };
}

// fast-jwt wraps the key lookup's failure ("Cannot fetch key.") and keeps the real one aside.
function describe(error: unknown): string {
  if (error instanceof Error) {
    const inner = (error as { originalError?: unknown }).originalError ?? error.cause;
    return inner instanceof Error ? `${error.message} ${inner.message}` : error.message;
  }
  if (typeof error === 'object' && error !== null && 'message' in error)
    return String((error as { message: unknown }).message);
  return String(error);
}
