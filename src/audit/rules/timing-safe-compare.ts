/** Rule: signatures, MACs, tokens or API keys compared with ===, which leaks how many leading bytes matched. */
import type * as ESTree from 'estree';
import { readLastName } from '../ast-names.js';
import { type AstNode, unwrapNode } from '../ast-tree.js';
import { defineRule } from '../rule-kit.js';

const SECRET =
  /^(x[_-])?(expected|actual|computed|provided|given|received|incoming|stored|valid|calculated|known|request|header|client|supplied|submitted|presented|raw)?[_-]?(signature|sig|hmac|digest|mac|token|csrf[_-]?token|xsrf[_-]?token|api[_-]?key|secret|webhook[_-]?secret)$/i;

function isSecretOperand(node: AstNode): boolean {
  const n = unwrapNode(node);
  if (n.type === 'CallExpression') {
    const name = readLastName(n.callee as AstNode);
    // createHmac(...).digest('hex') and its .toString() are the computed MAC itself.
    if (name === 'digest') return true;
    if (name === 'toString' && n.callee.type === 'MemberExpression')
      return readLastName(n.callee.object as AstNode) === 'digest';
    return false;
  }
  if (n.type !== 'Identifier' && n.type !== 'MemberExpression') return false;
  return SECRET.test(readLastName(n) ?? '');
}

function isConstantOperand(node: AstNode): boolean {
  const n = unwrapNode(node);
  if (n.type === 'Literal' || n.type === 'UnaryExpression') return true;
  if (n.type === 'TemplateLiteral') return n.expressions.length === 0;
  if (n.type === 'Identifier')
    return (
      n.name === 'undefined' ||
      (/^[A-Z][A-Z0-9_]*$/.test(n.name) && !/KEY|SECRET|TOKEN/.test(n.name))
    );
  return n.type === 'MemberExpression' && readLastName(n) === 'length';
}

// `tokens.find((t) => t.token === presented)` looks a token up in the server's own list: the
// attacker learns nothing from its timing that the lookup's result does not already say.
function isListLookup(node: AstNode): boolean {
  const fn = node.parent?.type === 'ArrowFunctionExpression' ? node.parent : undefined;
  const call = fn?.parent;
  return (
    call?.type === 'CallExpression' &&
    /^(find|findIndex|filter|some|every|findLast)$/.test(readLastName(call.callee as AstNode) ?? '')
  );
}

export default defineRule({
  meta: {
    type: 'problem',
    docs: {
      description: 'Require constant-time comparison of signatures, MACs, tokens and API keys.',
      bucket: 'validation',
      severity: 'error',
      why: 'An early-exit comparison takes longer the more leading bytes match, which lets an attacker recover a valid signature or key byte by byte.',
      fix: 'Compare with crypto.timingSafeEqual on equal-length Buffers (check the lengths first), or let the JWT library verify the signature.',
      recommended: true,
    },
    messages: {
      compared:
        'A signature, token or key is compared with {{operator}}, which is not constant-time.',
    },
    schema: [],
  },
  create(context) {
    return {
      BinaryExpression(node) {
        if (!['===', '!==', '==', '!='].includes(node.operator)) return;
        const left = node.left as AstNode;
        const right = node.right as AstNode;
        if (isConstantOperand(left) || isConstantOperand(right)) return;
        if (isListLookup(node as AstNode)) return;
        if (isSecretOperand(left) || isSecretOperand(right))
          context.report({ node, messageId: 'compared', data: { operator: node.operator } });
      },
      CallExpression(node: ESTree.CallExpression) {
        if (
          node.callee.type !== 'MemberExpression' ||
          readLastName(node.callee as AstNode) !== 'equals' ||
          node.arguments.length !== 1
        )
          return;
        if (
          isSecretOperand(node.callee.object as AstNode) ||
          isSecretOperand(node.arguments[0] as AstNode)
        ) {
          context.report({ node, messageId: 'compared', data: { operator: '.equals()' } });
        }
      },
    };
  },
});
