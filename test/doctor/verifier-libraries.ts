// Runs the real JWT libraries people verify with, on a token the test forged, and reports what each
// one threw (or answered over HTTP) in the doctor's LibraryError shape. Nothing here is copied from the
// doctor's table: the catalogue compares the two.
import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import express from 'express';
import { expressjwt } from 'express-jwt';
import { createVerifier } from 'fast-jwt';
import { jwtVerify } from 'jose';
import jwt from 'jsonwebtoken';
import passport from 'passport';
import { ExtractJwt, Strategy as JwtStrategy } from 'passport-jwt';
import type { LibraryError } from '../../src/doctor/diagnosis.js';
import type { VerifierName } from '../../src/doctor/token/verifier-rules.js';

export interface VerifyConfig {
  readonly secret: string;
  readonly audience?: string;
  readonly issuer?: string;
}

type Generic = Exclude<VerifierName, 'tessera'>;

const thrown = (error: unknown): LibraryError => {
  const e = error as { constructor: { name: string }; code?: unknown; message: string };
  return {
    name: e.constructor.name,
    code: typeof e.code === 'string' ? e.code : null,
    message: e.message,
    status: null,
    response: null,
  };
};

/** Starts one Express app with express-jwt and passport-jwt routes for one configuration. */
export async function startMiddlewareApp(config: VerifyConfig): Promise<{
  url: string;
  close: () => Promise<void>;
}> {
  const app = express();
  app.get(
    '/express-jwt',
    expressjwt({
      secret: config.secret,
      algorithms: ['HS256'],
      ...(config.audience ? { audience: config.audience } : {}),
      ...(config.issuer ? { issuer: config.issuer } : {}),
    }),
    (_req, res) => {
      res.json({ ok: true });
    },
  );
  const strategy = new JwtStrategy(
    {
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.secret,
      ...(config.audience ? { audience: config.audience } : {}),
      ...(config.issuer ? { issuer: config.issuer } : {}),
    },
    (payload: unknown, done: (error: unknown, user: unknown) => void) => done(null, payload),
  );
  const authenticator = new passport.Passport();
  authenticator.use('jwt', strategy);
  app.use(authenticator.initialize());
  // The bare route answers as passport does by default; the info route exposes what it failed with.
  app.get('/passport', authenticator.authenticate('jwt', { session: false }), (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/passport-info', (req, res, next) => {
    const callback = (_error: unknown, user: unknown, info: unknown): void => {
      if (user) {
        res.json({ ok: true });
        return;
      }
      const e = info as { constructor: { name: string }; message: string };
      res.json({ name: e.constructor.name, message: e.message });
    };
    (authenticator.authenticate('jwt', { session: false }, callback) as express.RequestHandler)(
      req,
      res,
      next,
    );
  });
  app.use(
    (error: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
      if (res.headersSent) return next(error);
      const e = error as { constructor: { name: string }; code?: string; status?: number };
      res.status(e.status ?? 500).json({
        name: e.constructor.name,
        code: e.code ?? null,
        message: (error as Error).message,
        status: e.status ?? null,
      });
    },
  );
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What one library does with the token: its error, or null when it accepts the token. */
export async function runLibrary(
  verifier: Generic,
  token: string,
  config: VerifyConfig,
  app: { url: string },
): Promise<LibraryError | null> {
  const options = {
    ...(config.audience ? { audience: config.audience } : {}),
    ...(config.issuer ? { issuer: config.issuer } : {}),
  };
  switch (verifier) {
    case 'jsonwebtoken':
      try {
        jwt.verify(token, config.secret, options);
        return null;
      } catch (error) {
        return thrown(error);
      }
    case 'jose':
      try {
        await jwtVerify(token, new TextEncoder().encode(config.secret), options);
        return null;
      } catch (error) {
        return thrown(error);
      }
    case 'fast-jwt':
      try {
        createVerifier({
          key: config.secret,
          ...(config.audience ? { allowedAud: config.audience } : {}),
          ...(config.issuer ? { allowedIss: config.issuer } : {}),
        })(token);
        return null;
      } catch (error) {
        return thrown(error);
      }
    case '@nestjs/jwt': {
      // The guard every Nest tutorial writes: verifyAsync, and UnauthorizedException on any failure.
      const service = new JwtService({ secret: config.secret, verifyOptions: options });
      try {
        await service.verifyAsync(token);
        return null;
      } catch (error) {
        const response = new UnauthorizedException().getResponse();
        return { ...thrown(error), status: 401, response: JSON.stringify(response) };
      }
    }
    case 'express-jwt': {
      const response = await fetch(`${app.url}/express-jwt`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = (await response.json()) as Record<string, unknown>;
      if (response.ok) return null;
      return {
        name: String(body.name),
        code: typeof body.code === 'string' ? body.code : null,
        message: String(body.message),
        status: typeof body.status === 'number' ? body.status : null,
        response: null,
      };
    }
    case 'passport-jwt': {
      const headers = { authorization: `Bearer ${token}` };
      const bare = await fetch(`${app.url}/passport`, { headers });
      const text = await bare.text();
      if (bare.ok) return null;
      const info = (await (await fetch(`${app.url}/passport-info`, { headers })).json()) as {
        name: string;
        message: string;
      };
      return {
        name: info.name,
        code: null,
        message: info.message,
        status: bare.status,
        response: text,
      };
    }
  }
}
