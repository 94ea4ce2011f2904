/** Rule: access and refresh tokens share a key, or a refresh token is accepted without checking its type. */
import type * as ESTree from 'estree';
import { readKeyName, readLastName } from '../ast-names.js';
import { type AstNode, findEnclosingFunction, hasDescendant } from '../ast-tree.js';
import { findProperty } from '../ast-values.js';
import { describeSign, describeVerify } from '../jwt-sites.js';
import { defineRule } from '../rule-kit.js';
import { inferTokenKind } from '../token-kind.js';

const TYPE_FIELDS = new Set(['typ', 'type', 'token_use', 'tokenType', 'token_type', 'kind']);

interface KeyUse {
  readonly kind: 'access' | 'refresh';
  readonly key: string;
  readonly node: AstNode;
}

export default defineRule({
  meta: {
    type: 'problem',
    docs: {
      description:
        'Require separate keys for access and refresh tokens and a type check before accepting a refresh token.',
      bucket: 'validation',
      severity: 'warn',
      why: 'When both token types share a key and nobody checks typ, a refresh token works as a long-lived access token and an access token as a refresh token.',
      fix: "Sign refresh tokens with their own key (or an opaque random token), put typ ('access' or 'refresh') in each, and check it when verifying.",
      recommended: true,
    },
    messages: {
      sameKey: 'Access and refresh tokens are signed or verified with the same key ({{key}}).',
      noTypeCheck: 'The refresh token is accepted without checking its type (typ).',
    },
    schema: [],
  },
  create(context) {
    const { sourceCode } = context;
    const uses: KeyUse[] = [];
    const onCall = (node: ESTree.CallExpression | ESTree.NewExpression): void => {
      const verify = describeVerify(node, sourceCode);
      if (verify?.key && verify.token) {
        const tokenName = readLastName(verify.token) ?? '';
        const kind = /refresh/i.test(tokenName)
          ? 'refresh'
          : /access|bearer|^token$|^jwt$/i.test(tokenName)
            ? 'access'
            : undefined;
        if (kind) uses.push({ kind, key: sourceCode.getText(verify.key), node: node as AstNode });
        // A refresh key of its own (REFRESH_TOKEN_SECRET) already keeps access tokens out.
        if (kind === 'refresh' && !/refresh/i.test(sourceCode.getText(verify.key as never))) {
          const fn = findEnclosingFunction(node as AstNode) ?? (node as AstNode);
          const typOption =
            verify.options.kind === 'object' && findProperty(verify.options.node, 'typ');
          const checksType =
            hasDescendant(
              fn,
              sourceCode,
              (n) =>
                n.type === 'MemberExpression' &&
                TYPE_FIELDS.has(readKeyName(n.property as AstNode, n.computed) ?? ''),
            ) ||
            hasDescendant(
              fn,
              sourceCode,
              (n) =>
                n.type === 'Property' &&
                n.parent?.type === 'ObjectPattern' &&
                TYPE_FIELDS.has(readKeyName(n.key as AstNode, n.computed) ?? ''),
            );
          if (!typOption && !checksType) context.report({ node, messageId: 'noTypeCheck' });
        }
        return;
      }
      if (verify || node.type !== 'CallExpression') return;
      const sign = describeSign(node, sourceCode);
      if (!sign?.key) return;
      const kind = inferTokenKind(sign, sourceCode);
      if (kind === 'access' || kind === 'refresh')
        uses.push({ kind, key: sourceCode.getText(sign.key), node: node as AstNode });
    };
    return {
      CallExpression: onCall,
      NewExpression: onCall,
      'Program:exit'() {
        const accessKeys = new Set(uses.filter((u) => u.kind === 'access').map((u) => u.key));
        for (const use of uses) {
          if (use.kind === 'refresh' && accessKeys.has(use.key))
            context.report({
              node: use.node,
              messageId: 'sameKey',
              data: { key: use.key.slice(0, 60) },
            });
        }
      },
    };
  },
});
