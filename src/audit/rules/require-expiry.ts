/** Rule: tokens signed without an expiry, or verified with expiry or not-before checks switched off. */
import type * as ESTree from 'estree';
import { type AstNode } from '../ast-tree.js';
import { findProperty, isOpenObject, resolveConst } from '../ast-values.js';
import { describeSign, describeVerify } from '../jwt-sites.js';
import { defineRule } from '../rule-kit.js';
import { inferTokenKind } from '../token-kind.js';

export default defineRule({
  meta: {
    type: 'problem',
    hasSuggestions: true,
    docs: {
      description:
        'Require an expiry on every signed token and keep expiry and not-before checks on.',
      bucket: 'time',
      severity: 'error',
      why: 'A token without a working expiry stays valid forever once leaked, and no logout or key policy can bound it.',
      fix: 'Sign with expiresIn (15 min for access tokens) and remove ignoreExpiration and ignoreNotBefore; use clockTolerance for skew.',
      recommended: true,
    },
    messages: {
      noExpiry: 'The token is signed without an expiry.',
      ignored: '{{option}} switches off the {{check}} check.',
      addExpiry: "Add expiresIn: '{{value}}'",
      removeOption: 'Remove {{option}}',
    },
    schema: [],
  },
  create(context) {
    const { sourceCode } = context;
    const payloadHasExp = (payload: AstNode | undefined): boolean | undefined => {
      if (!payload) return undefined;
      const value = resolveConst(payload, sourceCode);
      if (value.type === 'Literal' && typeof value.value === 'string') return false;
      if (value.type !== 'ObjectExpression') return undefined;
      if (findProperty(value, 'exp')) return true;
      return isOpenObject(value) ? undefined : false;
    };
    const onCall = (node: ESTree.CallExpression | ESTree.NewExpression): void => {
      const verify = describeVerify(node, sourceCode);
      if (verify?.options.kind === 'object') {
        for (const [option, check] of [
          ['ignoreExpiration', 'expiry'],
          ['ignoreNotBefore', 'not-before'],
        ] as const) {
          const value = findProperty(verify.options.node, option);
          if (value?.type !== 'Literal' || value.value !== true) continue;
          const property = value.parent as AstNode;
          context.report({
            node: property,
            messageId: 'ignored',
            data: { option, check },
            suggest: [
              {
                messageId: 'removeOption',
                data: { option },
                fix: (fixer) => {
                  const after = sourceCode.getTokenAfter(property);
                  return after?.value === ','
                    ? fixer.removeRange([property.range?.[0] ?? 0, after.range[1]])
                    : fixer.remove(property);
                },
              },
            ],
          });
        }
      }
      if (verify || node.type !== 'CallExpression') return;
      const sign = describeSign(node, sourceCode);
      if (!sign || sign.options.kind === 'unknown') return;
      // Nest's JwtService.sign takes its expiry from JwtModule's signOptions, which may be elsewhere.
      if (sign.library === '@nestjs/jwt') return;
      const optionsObject = sign.options.kind === 'object' ? sign.options.node : undefined;
      if (
        optionsObject &&
        (findProperty(optionsObject, 'expiresIn') || isOpenObject(optionsObject))
      )
        return;
      if (sign.chain.has('setExpirationTime')) return;
      // fast-jwt takes the payload later, so only the signer's options can show the expiry.
      const hasExp = sign.library === 'fast-jwt' ? false : payloadHasExp(sign.payload);
      if (hasExp !== false) return;
      const value = inferTokenKind(sign, sourceCode) === 'refresh' ? '14d' : '15m';
      const suggest =
        sign.library !== 'jsonwebtoken'
          ? []
          : [
              {
                messageId: 'addExpiry',
                data: { value },
                fix: (fixer: import('eslint').Rule.RuleFixer) => {
                  const first =
                    optionsObject && (optionsObject as ESTree.ObjectExpression).properties[0];
                  if (optionsObject)
                    return first
                      ? fixer.insertTextBefore(first, `expiresIn: '${value}', `)
                      : fixer.replaceText(optionsObject, `{ expiresIn: '${value}' }`);
                  const args = node.arguments;
                  if (args[2])
                    return fixer.insertTextBefore(args[2], `{ expiresIn: '${value}' }, `);
                  return args[1]
                    ? fixer.insertTextAfter(args[1], `, { expiresIn: '${value}' }`)
                    : null;
                },
              },
            ];
      context.report({ node, messageId: 'noExpiry', suggest });
    };
    return { CallExpression: onCall, NewExpression: onCall };
  },
});
