/**
 * `tessera doctor [TOKEN]`: says why a token fails, in the server's own words, and how to fix it; with
 * `--server` and no token, checks a running deployment. This is where the doctor's two paths meet: the
 * deployment check judges the tokens it is issued with the token path's judge, handed over here.
 * Exit codes: 0 valid (or no failure found), 1 invalid with a verdict, 2 could not judge.
 */
import { parseArgs } from 'node:util';
import { isTesseraError } from '../errors/tessera-error.js';
import { isAlgorithm, type Algorithm } from '../jwa/algorithms.js';
import { checkDeployment } from '../doctor/deployment/check-deployment.js';
import { renderDeployment, renderDiagnosis, renderJson, shouldColor } from '../doctor/render.js';
import { CannotJudgeError } from '../doctor/server-client.js';
import { diagnoseIssuedToken, diagnoseToken } from '../doctor/token/diagnose-token.js';
import type { ExpectedToken } from '../doctor/token/judge-token.js';
import { VERIFIER_NAMES, type VerifierName } from '../doctor/token/verifier-rules.js';
import { matchErrorMessage } from '../doctor/message/match-error.js';
import { renderMessageReport } from '../doctor/message/render-message.js';
import { analyseHar } from '../doctor/har/analyse-har.js';
import { HarUnusableError, readHarFile } from '../doctor/har/read-har.js';
import { renderHarReport } from '../doctor/har/render-har.js';
import type { CliCommand } from './command.js';
import { readMessageInput, readTokenInput, type TokenInput } from './doctor-input.js';

const USAGE = `Usage: tessera doctor [TOKEN | -] [options]
       tessera doctor --server URL [--origin URL] [--email EMAIL --password-env NAME]
       tessera doctor --error "MESSAGE" | --error -     rank the causes of a pasted error message
       tessera doctor --har FILE                         explain the session a browser recording shows

The token is read from stdin by default (or "-"), from --token-env NAME, or from an argument
(arguments land in shell history and process lists). It is never printed back.

  --server URL        a Tessera server: reads its metadata and JWKS, measures its clock, asks it
  --jwks URL|FILE     verify with this JWKS            --key FILE    a PEM or JWK public key
  --secret-env NAME   verify HS256 with this secret    --alg ALG     RS256 or PS256 for an RSA --key
  --iss ISSUER  --aud AUDIENCE  --leeway SECONDS      expectations (default: what --server publishes)
  --expect access|refresh                              what kind of token belongs here (default access)
  --verifier NAME     judge by the rules of the library your API verifies with: jsonwebtoken, jose,
                      express-jwt, passport-jwt, @nestjs/jwt, fast-jwt or tessera (default: detected
                      from the token, else the rules jsonwebtoken, jose and fast-jwt share)
  --no-probe          do not present the token to the server's GET /auth/me
  --json              JSON for tools instead of the report
Without a token, --server checks the deployment; --origin is the app's browser origin, and
--email with --password-env NAME a test account for the cookie, CORS and refresh checks.

Exit codes: 0 valid, 1 invalid (with a verdict, or a known error message), 2 could not judge.`;

interface DoctorArgs {
  readonly token: TokenInput | undefined;
  readonly server: string | undefined;
  readonly jwks: string | undefined;
  readonly keyFile: string | undefined;
  readonly alg: Algorithm | undefined;
  readonly secret: { value: string; name: string } | undefined;
  readonly issuer: string | undefined;
  readonly audience: string | undefined;
  readonly leewaySeconds: number | undefined;
  readonly expect: ExpectedToken;
  readonly verifier: VerifierName | undefined;
  readonly probe: boolean;
  readonly json: boolean;
  readonly origin: string | undefined;
  readonly email: string | undefined;
  readonly password: string | undefined;
  readonly error: string | undefined;
  readonly har: string | undefined;
}

/**
 * The `doctor` command.
 *
 * @example
 * ```sh
 * pbpaste | npx tessera doctor --server https://auth.example.com
 * ```
 */
export const command: CliCommand = {
  summary: 'explain why a token fails (time, storage or validation) and check a running deployment',
  usage: USAGE,
  async run(args) {
    let parsed: DoctorArgs | undefined;
    try {
      parsed = await parseDoctorArgs(args);
    } catch (error) {
      process.stderr.write(
        `tessera doctor: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`,
      );
      return 2;
    }
    if (parsed === undefined) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const color = !parsed.json && shouldColor({ isTTY: process.stdout.isTTY, env: process.env });
    if (parsed.error !== undefined) return runErrorMessage(parsed.error, parsed.json);
    if (parsed.har !== undefined) return runHar(parsed.har, parsed.json);
    try {
      if (parsed.token === undefined) {
        if (parsed.server === undefined)
          throw new CannotJudgeError(
            'no token: pipe one into stdin, use --token-env NAME, or give --server URL to check a deployment',
          );
        const report = await checkDeployment({
          server: parsed.server,
          origin: parsed.origin,
          email: parsed.email,
          password: parsed.password,
          judgeIssuedToken: diagnoseIssuedToken,
        });
        const exitCode = report.findings.some((f) => f.severity === 'danger') ? 1 : 0;
        process.stdout.write(
          parsed.json
            ? renderJson({ kind: 'deployment', exitCode, ...report })
            : renderDeployment(report, { color }),
        );
        return exitCode;
      }
      if (parsed.token.fromArgument)
        process.stderr.write(
          'note: a token given as an argument lands in shell history and process lists; prefer stdin or --token-env.\n',
        );
      const diagnosis = await diagnoseToken({
        input: parsed.token.value,
        expect: parsed.expect,
        server: parsed.server,
        jwks: parsed.jwks,
        keyFile: parsed.keyFile,
        alg: parsed.alg,
        secret: parsed.secret,
        issuer: parsed.issuer,
        audience: parsed.audience,
        leewaySeconds: parsed.leewaySeconds,
        verifier: parsed.verifier,
        probe: parsed.probe,
      });
      const exitCode =
        diagnosis.verdict.status === 'valid' ? 0 : diagnosis.verdict.status === 'invalid' ? 1 : 2;
      process.stdout.write(
        parsed.json
          ? renderJson({ kind: 'token', exitCode, ...diagnosis })
          : renderDiagnosis(diagnosis, { color }),
      );
      return exitCode;
    } catch (error) {
      if (!(error instanceof CannotJudgeError) && !isTesseraError(error)) throw error;
      const message = isTesseraError(error) ? `${error.code}: ${error.message}` : error.message;
      if (parsed.json)
        process.stdout.write(renderJson({ kind: 'error', exitCode: 2, error: message }));
      process.stderr.write(`tessera doctor: could not judge: ${message}\n`);
      return 2;
    }
  },
};

async function parseDoctorArgs(args: readonly string[]): Promise<DoctorArgs | undefined> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      'token-env': { type: 'string' },
      server: { type: 'string' },
      jwks: { type: 'string' },
      key: { type: 'string' },
      alg: { type: 'string' },
      'secret-env': { type: 'string' },
      iss: { type: 'string' },
      aud: { type: 'string' },
      leeway: { type: 'string' },
      expect: { type: 'string', default: 'access' },
      verifier: { type: 'string' },
      'no-probe': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      origin: { type: 'string' },
      email: { type: 'string' },
      'password-env': { type: 'string' },
      error: { type: 'string' },
      har: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return undefined;
  if (positionals.length > 1)
    throw new Error(`expected at most one token, got ${positionals.length} arguments`);
  if (values.expect !== 'access' && values.expect !== 'refresh')
    throw new Error('--expect must be access or refresh');
  if (
    values.verifier !== undefined &&
    !(VERIFIER_NAMES as readonly string[]).includes(values.verifier)
  )
    throw new Error(`--verifier must be one of ${VERIFIER_NAMES.join(', ')}`);
  if (values.alg !== undefined && !isAlgorithm(values.alg))
    throw new Error('--alg must be EdDSA, ES256, RS256, PS256 or HS256');
  const sources = [values.jwks, values.key, values['secret-env']].filter(
    (v) => v !== undefined,
  ).length;
  if (sources > 1) throw new Error('give one of --jwks, --key and --secret-env');
  for (const name of ['server', 'origin'] as const) {
    const value = values[name];
    if (value !== undefined && !/^https?:\/\/[^/]/i.test(value))
      throw new Error(`--${name} must be an http(s) URL`);
  }
  let leewaySeconds: number | undefined;
  if (values.leeway !== undefined) {
    leewaySeconds = Number(values.leeway.replace(/s$/, ''));
    if (!Number.isInteger(leewaySeconds) || leewaySeconds < 0 || leewaySeconds > 300)
      throw new Error('--leeway must be a whole number of seconds from 0 to 300');
  }
  const fromEnv = (flag: string, name: string | undefined): string | undefined => {
    if (name === undefined) return undefined;
    const value = process.env[name];
    if (value === undefined)
      throw new Error(`${flag} ${name}: the environment variable ${name} is not set`);
    return value;
  };
  const secretValue = fromEnv('--secret-env', values['secret-env']);
  const password = fromEnv('--password-env', values['password-env']);
  if ((values.email === undefined) !== (password === undefined))
    throw new Error('--email and --password-env go together');
  if (values.error !== undefined) {
    if (positionals.length > 0 || values.har !== undefined)
      throw new Error('--error takes the message alone: no token and no --har with it');
    return { ...EMPTY_ARGS, json: values.json, error: await readMessageInput(values.error) };
  }
  if (values.har !== undefined) {
    if (positionals.length > 0) throw new Error('--har takes a file alone: no token with it');
    return { ...EMPTY_ARGS, json: values.json, har: values.har };
  }
  return {
    error: undefined,
    har: undefined,
    token: await readTokenInput({
      positional: positionals[0],
      fromEnv: fromEnv('--token-env', values['token-env']),
      hasServer: values.server !== undefined,
    }),
    server: values.server,
    jwks: values.jwks,
    keyFile: values.key,
    alg: values.alg as Algorithm | undefined,
    secret:
      secretValue === undefined
        ? undefined
        : { value: secretValue, name: values['secret-env'] as string },
    issuer: values.iss,
    audience: values.aud,
    leewaySeconds,
    expect: values.expect,
    verifier: values.verifier as VerifierName | undefined,
    probe: !values['no-probe'],
    json: values.json,
    origin: values.origin,
    email: values.email,
    password,
  };
}

const EMPTY_ARGS: DoctorArgs = {
  token: undefined,
  server: undefined,
  jwks: undefined,
  keyFile: undefined,
  alg: undefined,
  secret: undefined,
  issuer: undefined,
  audience: undefined,
  leewaySeconds: undefined,
  expect: 'access',
  verifier: undefined,
  probe: false,
  json: false,
  origin: undefined,
  email: undefined,
  password: undefined,
  error: undefined,
  har: undefined,
};

function runErrorMessage(message: string, json: boolean): number {
  if (message.trim() === '') {
    process.stderr.write(
      'tessera doctor: could not judge: the error message is empty; paste it as --error "..." or pipe it into --error -\n',
    );
    return 2;
  }
  const report = matchErrorMessage(message);
  const exitCode = report.matches.length > 0 ? 1 : 2;
  process.stdout.write(
    json ? renderJson({ kind: 'error-message', exitCode, ...report }) : renderMessageReport(report),
  );
  return exitCode;
}

async function runHar(file: string, json: boolean): Promise<number> {
  let report;
  try {
    report = analyseHar(await readHarFile(file));
  } catch (error) {
    if (!(error instanceof HarUnusableError)) throw error;
    if (json)
      process.stdout.write(renderJson({ kind: 'error', exitCode: 2, error: error.message }));
    process.stderr.write(`tessera doctor: could not judge: ${error.message}\n`);
    return 2;
  }
  const exitCode =
    report.firstFailure !== null || report.findings.some((f) => f.severity === 'danger') ? 1 : 0;
  process.stdout.write(
    json ? renderJson({ kind: 'har', exitCode, ...report }) : renderHarReport(report),
  );
  return exitCode;
}
