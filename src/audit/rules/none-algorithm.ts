/** Rule: the `none` algorithm is accepted or produced, or a token is verified with a falsy key. */
import type * as ESTree from 'estree';
import { resolveCallee } from '../libraries.js';
import { type AstNode } from '../ast-tree.js';
import { findProperty, readStaticString, resolveConst } from '../ast-values.js';
import { describeSign, describeVerify } from '../jwt-sites.js';
import { defineRule } from '../rule-kit.js';

function isFalsyKey(node: AstNode | undefined): boolean {
  if (!node) return true;
  if (node.type === 'Literal') return !node.value && !('regex' in node && node.regex);
  if (node.type === 'Identifier') return node.name === 'undefined';
  return node.type === 'UnaryExpression' && node.operator === 'void';
}

export default defineRule({
  meta: {
    type: 'problem',
    fixable: 'code',
    docs: {
      description:
        "Disallow the unsigned 'none' algorithm and verification with a missing or falsy key.",
      bucket: 'validation',
      severity: 'error',
      why: "A token with alg 'none' carries no signature, so anyone can write one that passes verification.",
      fix: "Remove 'none' from every algorithm list and always verify with a real key from configuration.",
      recommended: true,
    },
    messages: {
      noneAllowed: "The algorithm allow-list accepts 'none'.",
      noneSigned: "Tokens are signed with alg 'none', which means no signature at all.",
      unsecured: 'An unsecured JWT (alg none) is created or read.',
      falsyKey: 'The token is verified with a missing or falsy key.',
    },
    schema: [],
  },
  create(context) {
    const { sourceCode } = context;
    const checkAlgorithms = (list: AstNode | undefined): void => {
      const array = list ? resolveConst(list, sourceCode) : undefined;
      if (array?.type !== 'ArrayExpression') return;
      const elements = array.elements as (AstNode | null)[];
      const none = elements.find(
        (e) => e && readStaticString(e, sourceCode)?.toLowerCase() === 'none',
      );
      if (!none) return;
      const others = elements.filter((e) => e !== none);
      context.report({
        node: none,
        messageId: 'noneAllowed',
        // Dropping 'none' only removes tokens nobody signed, so it is safe whenever another algorithm remains.
        fix:
          others.length === 0
            ? null
            : (fixer) =>
                fixer.replaceText(
                  array,
                  `[${others.map((e) => (e ? sourceCode.getText(e) : '')).join(', ')}]`,
                ),
      });
    };
    const onCall = (node: ESTree.CallExpression | ESTree.NewExpression): void => {
      const verify = describeVerify(node, sourceCode);
      if (verify) {
        if (verify.options.kind === 'object')
          checkAlgorithms(findProperty(verify.options.node, 'algorithms'));
        // Libraries that take the key as an argument fail open on a missing one; option-based ones only on a falsy value.
        const keyIsArgument =
          verify.library === 'jsonwebtoken' ||
          verify.library === 'jose' ||
          verify.library === 'jwt-simple';
        const key = verify.key && resolveConst(verify.key, sourceCode);
        if ((keyIsArgument || key !== undefined) && isFalsyKey(key))
          context.report({ node, messageId: 'falsyKey' });
        return;
      }
      if (node.type === 'CallExpression') {
        const sign = describeSign(node, sourceCode);
        if (sign?.options.kind === 'object') {
          const alg = findProperty(sign.options.node, 'algorithm');
          if (readStaticString(alg, sourceCode)?.toLowerCase() === 'none')
            context.report({ node: alg ?? node, messageId: 'noneSigned' });
        }
        if (sign) return;
      }
      const resolved = resolveCallee(node, sourceCode);
      if (
        resolved?.library === 'jose' &&
        (resolved.name === 'UnsecuredJWT' || resolved.name === 'UnsecuredJWT.decode')
      ) {
        context.report({ node, messageId: 'unsecured' });
      }
    };
    return { CallExpression: onCall, NewExpression: onCall };
  },
});
