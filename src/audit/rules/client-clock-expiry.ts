/** Rule: the client ends the session because the token's `exp` passed on the device's own clock. */
import type * as ESTree from 'estree';
import { readLastName, readMemberPath } from '../ast-names.js';
import { type AstNode, hasDescendant } from '../ast-tree.js';
import { defineRule } from '../rule-kit.js';

const COMPARISON = new Set(['<', '<=', '>', '>=']);
// What ending the session looks like in client code.
const ENDS_SESSION =
  /log_?out|sign_?out|end_?session|(remove|clear|delete)(Item|User|Token|Tokens|Session|Auth)?$|^clear$/i;

export default defineRule({
  meta: {
    type: 'problem',
    docs: {
      description:
        "Disallow logging the user out because a token's exp passed on the device clock.",
      bucket: 'time',
      severity: 'warn',
      why: 'Device clocks are often minutes or hours off: a clock ahead logs users out early or at once after login, one behind keeps a dead session on screen; only the server can say a token has expired.',
      fix: 'Send the request and refresh on the 401 the server answers; if you schedule a refresh from exp, measure the offset against the server (Date header or iat) and refresh, never log out.',
      recommended: true,
    },
    messages: {
      deviceClock:
        "The session is ended when exp passes on this device's clock, which can be minutes or hours off the server's.",
    },
    schema: [],
  },
  create(context) {
    const { sourceCode } = context;
    const mentions = (node: AstNode, test: (n: AstNode) => boolean): boolean =>
      test(node) || hasDescendant(node, sourceCode, test);
    const isExp = (n: AstNode): boolean =>
      (n.type === 'MemberExpression' && readLastName(n) === 'exp') ||
      // A bare `exp` (destructured from the payload), not the `expiresAt` of `session.expiresAt`.
      (n.type === 'Identifier' &&
        /^(exp|tokenExp)$/.test(n.name) &&
        !(n.parent?.type === 'MemberExpression' && n.parent.property === n));
    const isNow = (n: AstNode): boolean =>
      (n.type === 'CallExpression' &&
        /^Date\.now$/.test(readMemberPath(n.callee as AstNode) ?? '')) ||
      (n.type === 'NewExpression' &&
        readLastName(n.callee as AstNode) === 'Date' &&
        n.arguments.length === 0) ||
      (n.type === 'CallExpression' && readLastName(n.callee as AstNode) === 'getTime');
    return {
      BinaryExpression(node: ESTree.BinaryExpression & AstNode) {
        if (!COMPARISON.has(node.operator)) return;
        const left = node.left as AstNode;
        const right = node.right as AstNode;
        const compares =
          (mentions(left, isExp) && mentions(right, isNow)) ||
          (mentions(right, isExp) && mentions(left, isNow));
        if (!compares) return;
        let child = node as AstNode;
        for (let p = child.parent as AstNode | null | undefined; p; child = p, p = p.parent) {
          if (p.type === 'IfStatement' || p.type === 'ConditionalExpression') {
            if (p.test !== child) return;
            const ends = hasDescendant(
              p.consequent as AstNode,
              sourceCode,
              (n) =>
                n.type === 'CallExpression' &&
                ENDS_SESSION.test(readLastName(n.callee as AstNode) ?? ''),
            );
            if (ends) context.report({ node, messageId: 'deviceClock' });
            return;
          }
          if (!['LogicalExpression', 'UnaryExpression', 'ChainExpression'].includes(p.type)) return;
        }
      },
    };
  },
});
