/** Rule: verification that checks neither audience nor issuer, or checks them with unanchored regular expressions. */
import type * as ESTree from 'estree';
import { type AstNode } from '../ast-tree.js';
import { findProperty, isOpenObject, resolveConst } from '../ast-values.js';
import { describeKeyKind, describeVerify } from '../jwt-sites.js';
import { defineRule } from '../rule-kit.js';

// fast-jwt names the options differently; the rest follow jsonwebtoken.
const NAMES: Record<string, { audience: string; issuer: string }> = {
  'fast-jwt': { audience: 'allowedAud', issuer: 'allowedIss' },
};

const ASYMMETRIC_ALG = /['"`](RS|PS|ES)\d+K?['"`]|['"`]EdDSA['"`]/;

function isUnanchored(node: AstNode): boolean {
  if (node.type !== 'Literal' || !('regex' in node) || !node.regex) return false;
  return !node.regex.pattern.startsWith('^') || !node.regex.pattern.endsWith('$');
}

export default defineRule({
  meta: {
    type: 'problem',
    docs: {
      description:
        'Require both an audience and an issuer check on verification, with anchored patterns.',
      bucket: 'validation',
      severity: 'warn',
      why: 'Without audience and issuer checks a token minted for another service or tenant with the same key is accepted here.',
      fix: 'Pass audience and issuer as exact strings (or regular expressions anchored with ^ and $) to every verify call.',
      recommended: true,
    },
    messages: {
      missing: 'The token is verified without {{missing}} check.',
      unanchored:
        'The {{option}} pattern is not anchored with ^ and $, so "evil-{{example}}" also matches.',
    },
    schema: [],
  },
  create(context) {
    const { sourceCode } = context;
    const onCall = (node: ESTree.CallExpression | ESTree.NewExpression): void => {
      const site = describeVerify(node, sourceCode);
      if (!site || site.library === 'jwt-simple' || site.options.kind === 'unknown') return;
      const names = NAMES[site.library] ?? { audience: 'audience', issuer: 'issuer' };
      const options = site.options.kind === 'object' ? site.options.node : undefined;
      if (options && isOpenObject(options)) return;
      const audience = findProperty(options, names.audience);
      const issuer = findProperty(options, names.issuer);
      const missing = [
        audience ? undefined : 'an audience',
        issuer ? undefined : 'an issuer',
      ].filter(Boolean);
      // A service's own HMAC secret mints tokens only it accepts; audience and issuer matter when the
      // key is a public key or key set that other services or tenants also sign for.
      const algorithms = findProperty(options, 'algorithms');
      const shared =
        describeKeyKind(site.key, sourceCode) === 'asymmetric' ||
        (algorithms !== undefined && ASYMMETRIC_ALG.test(sourceCode.getText(algorithms)));
      if (missing.length > 0 && shared)
        context.report({ node, messageId: 'missing', data: { missing: missing.join(' or ') } });
      for (const [option, value] of [
        [names.audience, audience],
        [names.issuer, issuer],
      ] as const) {
        if (!value) continue;
        const resolved = resolveConst(value, sourceCode);
        const candidates =
          resolved.type === 'ArrayExpression'
            ? (resolved.elements as (AstNode | null)[])
            : [resolved];
        for (const candidate of candidates) {
          if (candidate && isUnanchored(candidate))
            context.report({
              node: candidate,
              messageId: 'unanchored',
              data: { option, example: 'example.com' },
            });
        }
      }
    };
    return { CallExpression: onCall, NewExpression: onCall };
  },
});
