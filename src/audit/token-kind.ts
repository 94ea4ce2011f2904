/**
 * What a signed token is for (access, refresh, a one-off link), told from what the source shows: the
 * token's type claim first, then the names around the signing call. Rules use it to hold refresh tokens
 * and access tokens to different lifetimes and checks.
 */
import type { SourceCode } from 'eslint';
import { readFunctionName, readKeyName, readLastName } from './ast-names.js';
import { isFunctionNode, type AstNode } from './ast-tree.js';
import { findProperty, readStaticString, resolveConst } from './ast-values.js';
import type { SignSite } from './jwt-sites.js';

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
