/**
 * One shape for "a token is verified here" and "a token is signed here", whichever library does it,
 * so each rule states its check once instead of once per library.
 */
import type { SourceCode } from 'eslint';
import type * as ESTree from 'estree';
import { type KnownLibrary, resolveCallee } from './libraries.js';
import {
  type AstNode,
  findProperty,
  isFunctionNode,
  readFunctionName,
  readKeyName,
  readLastName,
  readStaticString,
  resolveConst,
  unwrapNode,
} from './rule-kit.js';

/** Options as the source shows them: an object literal, absent, or something the audit cannot see into. */
export type OptionsView =
  | { readonly kind: 'object'; readonly node: AstNode }
  | { readonly kind: 'absent' }
  | { readonly kind: 'unknown' };

/** A place where a token is verified. `key` is undefined when the library takes it inside the options. */
export interface VerifySite {
  readonly library: KnownLibrary;
  readonly api: string;
  readonly node: AstNode;
  readonly token: AstNode | undefined;
  readonly key: AstNode | undefined;
  readonly options: OptionsView;
}

/** A place where a token is signed; `chain` lists jose builder calls (`setExpirationTime`, ...). */
export interface SignSite {
  readonly library: KnownLibrary;
  readonly node: AstNode;
  readonly payload: AstNode | undefined;
  readonly key: AstNode | undefined;
  readonly options: OptionsView;
  readonly chain: ReadonlySet<string>;
}

function viewOptions(node: AstNode | undefined, sourceCode: SourceCode): OptionsView {
  if (node === undefined || isFunctionNode(node)) return { kind: 'absent' };
  const value = resolveConst(node, sourceCode);
  if (value.type === 'Identifier' && value.name === 'undefined') return { kind: 'absent' };
  return value.type === 'ObjectExpression' ? { kind: 'object', node: value } : { kind: 'unknown' };
}

function args(node: ESTree.CallExpression | ESTree.NewExpression): AstNode[] {
  return node.arguments.map((a) => a as AstNode);
}

/**
 * Describes a verification call of jsonwebtoken, jose, fast-jwt, express-jwt, passport-jwt or jwt-simple.
 *
 * @example
 * ```ts
 * describeVerify(node, sourceCode)?.options; // { kind: 'object', node } for `jwt.verify(t, k, { algorithms })`
 * ```
 */
export function describeVerify(
  node: ESTree.CallExpression | ESTree.NewExpression,
  sourceCode: SourceCode,
): VerifySite | undefined {
  const cached = VERIFY_SITES.get(node);
  if (cached !== undefined) return cached ?? undefined;
  const site = describeVerifyUncached(node, sourceCode);
  VERIFY_SITES.set(node, site ?? null);
  return site;
}

// Every rule looks at the same call sites; describe each once per file.
const VERIFY_SITES = new WeakMap<object, VerifySite | null>();
const SIGN_SITES = new WeakMap<object, SignSite | null>();

function describeVerifyUncached(
  node: ESTree.CallExpression | ESTree.NewExpression,
  sourceCode: SourceCode,
): VerifySite | undefined {
  const resolved = resolveCallee(node, sourceCode);
  if (!resolved) return undefined;
  const a = args(node);
  const { library, name } = resolved;
  const site = (
    token: AstNode | undefined,
    key: AstNode | undefined,
    options: OptionsView,
  ): VerifySite => ({ library, api: name, node: node as AstNode, token, key, options });
  if (library === 'jsonwebtoken' && name === 'verify')
    return site(a[0], a[1], viewOptions(a[2], sourceCode));
  if (library === 'jose' && name === 'jwtVerify')
    return site(a[0], a[1], viewOptions(a[2], sourceCode));
  if (library === 'jwt-simple' && name === 'decode') return site(a[0], a[1], { kind: 'unknown' });
  const options = viewOptions(a[0], sourceCode);
  const keyOf = (prop: string): AstNode | undefined =>
    options.kind === 'object' ? findProperty(options.node, prop) : undefined;
  if (library === 'fast-jwt' && name === 'createVerifier')
    return site(undefined, keyOf('key'), options);
  if (library === 'express-jwt' && (name === 'expressjwt' || name === 'default'))
    return site(undefined, keyOf('secret'), options);
  if (
    library === 'passport-jwt' &&
    node.type === 'NewExpression' &&
    (name === 'Strategy' || name === 'default')
  ) {
    return site(undefined, keyOf('secretOrKey') ?? keyOf('secretOrKeyProvider'), options);
  }
  return undefined;
}

/**
 * Describes a signing call: jsonwebtoken `sign`, jose `new SignJWT(...)...sign(key)`, fast-jwt `createSigner`,
 * jwt-simple `encode`. For jose, pass the final `.sign(...)` call.
 *
 * @example
 * ```ts
 * describeSign(node, sourceCode)?.chain.has('setExpirationTime');
 * ```
 */
export function describeSign(
  node: ESTree.CallExpression,
  sourceCode: SourceCode,
): SignSite | undefined {
  const cached = SIGN_SITES.get(node);
  if (cached !== undefined) return cached ?? undefined;
  const site = describeSignUncached(node, sourceCode);
  SIGN_SITES.set(node, site ?? null);
  return site;
}

function describeSignUncached(
  node: ESTree.CallExpression,
  sourceCode: SourceCode,
): SignSite | undefined {
  const a = args(node);
  const none = new Set<string>();
  const resolved = resolveCallee(node, sourceCode);
  if (resolved?.library === 'jsonwebtoken' && resolved.name === 'sign') {
    return {
      library: 'jsonwebtoken',
      node: node as AstNode,
      payload: a[0],
      key: a[1],
      options: viewOptions(a[2], sourceCode),
      chain: none,
    };
  }
  if (resolved?.library === 'fast-jwt' && resolved.name === 'createSigner') {
    const options = viewOptions(a[0], sourceCode);
    return {
      library: 'fast-jwt',
      node: node as AstNode,
      payload: undefined,
      key: options.kind === 'object' ? findProperty(options.node, 'key') : undefined,
      options,
      chain: none,
    };
  }
  if (resolved?.library === 'jwt-simple' && resolved.name === 'encode') {
    return {
      library: 'jwt-simple',
      node: node as AstNode,
      payload: a[0],
      key: a[1],
      options: { kind: 'absent' },
      chain: none,
    };
  }
  const callee = unwrapNode(node.callee as AstNode);
  if (
    callee.type !== 'MemberExpression' ||
    readKeyName(callee.property as AstNode, callee.computed) !== 'sign'
  )
    return undefined;
  const chain = new Set<string>();
  let current = unwrapNode(callee.object as AstNode);
  while (current.type === 'CallExpression' && current.callee.type === 'MemberExpression') {
    const method = readKeyName(current.callee.property as AstNode, current.callee.computed);
    if (method !== undefined) chain.add(method);
    current = unwrapNode(current.callee.object as AstNode);
  }
  if (current.type !== 'NewExpression') return undefined;
  const ctor = resolveCallee(current, sourceCode);
  if (ctor?.library !== 'jose' || ctor.name !== 'SignJWT') return undefined;
  return {
    library: 'jose',
    node: node as AstNode,
    payload: current.arguments[0] as AstNode | undefined,
    key: a[0],
    options: { kind: 'absent' },
    chain,
  };
}

/** What a token is for, as far as names and claims tell. `other` covers e-mail, reset and invite links. */
export type TokenKind = 'access' | 'refresh' | 'other' | 'unknown';

function classifyName(name: string | undefined): TokenKind {
  if (!name) return 'unknown';
  if (/refresh/i.test(name)) return 'refresh';
  if (/access|auth|session|bearer|id_?token/i.test(name)) return 'access';
  if (
    /verif|reset|invite|email|magic|confirm|download|unsubscribe|activation|otp|csrf|state|nonce/i.test(
      name,
    )
  )
    return 'other';
  return 'unknown';
}

/**
 * Infers what a signed token is for, from its `typ`/`type`/`token_use` claim, the name it is stored
 * under, the function issuing it, or the key's name.
 *
 * @example
 * ```ts
 * inferTokenKind(site, sourceCode); // 'refresh' for `const refreshToken = jwt.sign(...)`
 * ```
 */
export function inferTokenKind(site: SignSite, sourceCode: SourceCode): TokenKind {
  const payload = site.payload ? resolveConst(site.payload, sourceCode) : undefined;
  for (const claim of ['typ', 'type', 'token_use', 'tokenType', 'kind']) {
    const kind = classifyName(readStaticString(findProperty(payload, claim), sourceCode));
    if (kind !== 'unknown') return kind;
  }
  const holders: (string | undefined)[] = [];
  let p = site.node.parent;
  while (
    p &&
    (p.type === 'AwaitExpression' ||
      (p.type as string) === 'TSAsExpression' ||
      p.type === 'ReturnStatement')
  )
    p = p.parent;
  if (p?.type === 'VariableDeclarator') holders.push(readLastName(p.id as AstNode));
  if (p?.type === 'Property') holders.push(readKeyName(p.key as AstNode, p.computed));
  if (p?.type === 'AssignmentExpression') holders.push(readLastName(p.left as AstNode));
  for (let f = site.node.parent; f; f = f.parent) {
    if (isFunctionNode(f)) {
      holders.push(readFunctionName(f));
      break;
    }
  }
  holders.push(site.key ? sourceCode.getText(site.key) : undefined);
  for (const holder of holders) {
    const kind = classifyName(holder);
    if (kind !== 'unknown') return kind;
  }
  return 'unknown';
}

const UNIT_SECONDS: Record<string, number> = {
  ms: 0.001,
  msec: 0.001,
  msecs: 0.001,
  millisecond: 0.001,
  milliseconds: 0.001,
  s: 1,
  sec: 1,
  secs: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  mins: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hr: 3600,
  hrs: 3600,
  hour: 3600,
  hours: 3600,
  d: 86_400,
  day: 86_400,
  days: 86_400,
  w: 604_800,
  week: 604_800,
  weeks: 604_800,
  y: 31_557_600,
  yr: 31_557_600,
  yrs: 31_557_600,
  year: 31_557_600,
  years: 31_557_600,
};

/**
 * Parses a duration the way the JWT libraries do (`'15m'`, `'7 days'`, `3600`), into seconds.
 * `bareNumberUnit` is the unit of a plain number: seconds for jsonwebtoken and jose, milliseconds for fast-jwt.
 *
 * @example
 * ```ts
 * parseDurationSeconds('2h', { bareNumberUnit: 1 }); // 7200
 * ```
 */
export function parseDurationSeconds(
  value: string | number,
  options: { bareNumberUnit: number },
): number | undefined {
  if (typeof value === 'number') return value * options.bareNumberUnit;
  const match = /^\s*(-?\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = (match[2] ?? '').toLowerCase();
  // jsonwebtoken reads a unit-less string as milliseconds (the `ms` package), which surprises everyone.
  if (unit === '') return amount * 0.001;
  const factor = UNIT_SECONDS[unit];
  return factor === undefined ? undefined : amount * factor;
}
