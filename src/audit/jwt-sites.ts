/**
 * One shape for "a token is verified here" and "a token is signed here", whichever library does it,
 * so each rule states its check once instead of once per library. What a signed token is for lives in
 * `token-kind.ts`; how the libraries read durations, in `durations.ts`.
 */
import type { SourceCode } from 'eslint';
import type * as ESTree from 'estree';
import { readKeyName, readLastName, readMemberPath } from './ast-names.js';
import { isFunctionNode, unwrapNode, type AstNode } from './ast-tree.js';
import { findProperty, resolveConst } from './ast-values.js';
import { importsLibrary, type KnownLibrary, resolveBinding, resolveCallee } from './libraries.js';

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
  const a = args(node);
  // Nest: class JwtStrategy extends PassportStrategy(Strategy) { constructor() { super({ ... }) } }
  if (node.type === 'CallExpression' && (node.callee.type as string) === 'Super') {
    if (!extendsPassportJwt(node as AstNode, sourceCode)) return undefined;
    const options = viewOptions(a[0], sourceCode);
    const key =
      options.kind === 'object'
        ? (findProperty(options.node, 'secretOrKey') ??
          findProperty(options.node, 'secretOrKeyProvider'))
        : undefined;
    return {
      library: 'passport-jwt',
      api: 'Strategy',
      node: node as AstNode,
      token: undefined,
      key,
      options,
    };
  }
  const nest = describeNestCall(node, sourceCode);
  if (nest?.api === 'verify')
    return {
      library: '@nestjs/jwt',
      api: 'verify',
      node: node as AstNode,
      token: a[0],
      key: nest.options.kind === 'object' ? findProperty(nest.options.node, 'secret') : undefined,
      options: nest.options,
    };
  const resolved = resolveCallee(node, sourceCode);
  if (!resolved) return undefined;
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

/** `this.jwtService.sign(payload, options)`, `.verifyAsync(token, options)`, `JwtModule.register(options)`. */
function describeNestCall(
  node: ESTree.CallExpression | ESTree.NewExpression,
  sourceCode: SourceCode,
): { api: 'sign' | 'verify' | 'register'; options: OptionsView } | undefined {
  if (node.type !== 'CallExpression' || node.callee.type !== 'MemberExpression') return undefined;
  if (!importsLibrary(sourceCode, '@nestjs/jwt')) return undefined;
  const method = readKeyName(node.callee.property as AstNode, node.callee.computed) ?? '';
  const owner = readMemberPath(node.callee.object as AstNode) ?? '';
  const a = args(node);
  if (/^JwtModule$/.test(owner) && method === 'register')
    return { api: 'register', options: viewOptions(a[0], sourceCode) };
  if (!/^this\.\w*jwt\w*$/i.test(owner)) return undefined;
  if (method === 'sign' || method === 'signAsync')
    return { api: 'sign', options: viewOptions(a[1], sourceCode) };
  if (method === 'verify' || method === 'verifyAsync')
    return { api: 'verify', options: viewOptions(a[1], sourceCode) };
  return undefined;
}

function extendsPassportJwt(node: AstNode, sourceCode: SourceCode): boolean {
  for (let p = node.parent as AstNode | null | undefined; p; p = p.parent) {
    if (p.type !== 'ClassDeclaration' && p.type !== 'ClassExpression') continue;
    const base = p.superClass ? unwrapNode(p.superClass as AstNode) : undefined;
    const strategy =
      base?.type === 'CallExpression' && readLastName(base.callee as AstNode) === 'PassportStrategy'
        ? (base.arguments[0] as AstNode | undefined)
        : base;
    return (
      strategy?.type === 'Identifier' &&
      resolveBinding(strategy.name, sourceCode)?.library === 'passport-jwt'
    );
  }
  return false;
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
  const nest = describeNestCall(node, sourceCode);
  if (nest?.api === 'sign' || nest?.api === 'register') {
    const options = nest.options;
    const secret =
      options.kind === 'object'
        ? (findProperty(options.node, 'secret') ?? findProperty(options.node, 'privateKey'))
        : undefined;
    // JwtModule.register({ secret, signOptions: { expiresIn } }): the sign options are nested.
    const signOptions =
      nest.api === 'register' && options.kind === 'object'
        ? viewOptions(findProperty(options.node, 'signOptions'), sourceCode)
        : options;
    return {
      library: '@nestjs/jwt',
      node: node as AstNode,
      payload: nest.api === 'sign' ? a[0] : undefined,
      key: secret,
      options: signOptions,
      chain: none,
    };
  }
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

/** What a verification key is, as far as the source shows. */
export type KeyKind = 'secret' | 'asymmetric' | 'unknown';

const ASYMMETRIC_KEY =
  /public|\bpub\b|pubkey|\.pem\b|\.crt\b|cert|jwks|jwk|rsa|ecdsa|spki|x509|readFileSync|KeyProvider|getKey|getSigningKey/i;
const SECRET_KEY = /secret|hmac|jwt_?key|token_?key|signing_?key|^['"`]/i;

/**
 * Tells whether a verification key is an HMAC secret or a public key / key set: the algorithm-family
 * and audience/issuer rules only matter for the second, where another issuer's tokens or a public key
 * used as an HMAC secret can get in.
 *
 * @example
 * ```ts
 * describeKeyKind(site.key, sourceCode); // 'secret' for process.env.JWT_SECRET, 'asymmetric' for publicKey
 * ```
 */
export function describeKeyKind(key: AstNode | undefined, sourceCode: SourceCode): KeyKind {
  if (key === undefined) return 'unknown';
  const value = resolveConst(key, sourceCode);
  if (isFunctionNode(value)) return 'asymmetric';
  const text = sourceCode.getText(value as never);
  if (/BEGIN [A-Z ]*(PUBLIC KEY|CERTIFICATE)/.test(text)) return 'asymmetric';
  if (value.type === 'Literal' || value.type === 'TemplateLiteral') return 'secret';
  const named = sourceCode.getText(key as never);
  if (ASYMMETRIC_KEY.test(named) || ASYMMETRIC_KEY.test(text)) return 'asymmetric';
  if (SECRET_KEY.test(named) || SECRET_KEY.test(text)) return 'secret';
  return 'unknown';
}
