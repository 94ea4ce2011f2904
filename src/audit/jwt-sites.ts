/**
 * One shape for "a token is verified here" and "a token is signed here", whichever library does it,
 * so each rule states its check once instead of once per library. What a signed token is for lives in
 * `token-kind.ts`; how the libraries read durations, in `durations.ts`.
 */
import type { SourceCode } from 'eslint';
import type * as ESTree from 'estree';
import { readKeyName } from './ast-names.js';
import { isFunctionNode, unwrapNode, type AstNode } from './ast-tree.js';
import { findProperty, resolveConst } from './ast-values.js';
import { type KnownLibrary, resolveCallee } from './libraries.js';

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
