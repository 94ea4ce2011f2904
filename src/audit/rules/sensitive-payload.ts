/** Rule: passwords, hashes, keys, card numbers or whole user records placed in a token payload. */
import type * as ESTree from 'estree';
import { readKeyName, readLastName } from '../ast-names.js';
import { type AstNode, unwrapNode } from '../ast-tree.js';
import { resolveConst } from '../ast-values.js';
import { describeSign } from '../jwt-sites.js';
import { defineRule } from '../rule-kit.js';

const SENSITIVE =
  /^(password|passwd|pwd|pass|password_?hash|passwordhash|hashed_?password|hash|salt|secret|client_?secret|api_?key|apikey|api_?secret|private_?key|card|card_?number|cc_?number|credit_?card|cvv|cvc|pan|ssn|social_?security(_?number)?|pin|otp_?secret|mfa_?secret|totp_?secret|bank_?account|iban)$/i;
const RECORD_NAME =
  /^(user|account|member|customer|profile|doc|document|record|row|entity|found_?user|existing_?user|db_?user|current_?user|new_?user)$/i;
const SERIALIZERS = new Set(['toObject', 'toJSON', 'get', 'dataValues', 'lean']);

function isWholeRecord(node: AstNode): boolean {
  const n = unwrapNode(node);
  if (n.type === 'Identifier') return RECORD_NAME.test(n.name);
  if (n.type === 'MemberExpression') {
    const last = readKeyName(n.property as AstNode, n.computed);
    if (last === 'dataValues' || last === '_doc') return true;
    return last !== undefined && RECORD_NAME.test(last) && n.object.type !== 'ThisExpression';
  }
  if (n.type === 'CallExpression') {
    const name = readLastName(n.callee as AstNode);
    if (name === 'stringify' || name === 'parse')
      return n.arguments[0] !== undefined && isWholeRecord(n.arguments[0] as AstNode);
    return (
      name !== undefined &&
      SERIALIZERS.has(name) &&
      n.callee.type === 'MemberExpression' &&
      isWholeRecord(n.callee.object as AstNode)
    );
  }
  return false;
}

export default defineRule({
  meta: {
    type: 'problem',
    docs: {
      description:
        'Disallow secrets, credentials, card data and whole user records in token payloads.',
      bucket: 'storage',
      severity: 'error',
      why: 'A JWT payload is only base64-encoded: every browser, proxy log and error tracker that sees the token can read it.',
      fix: 'Put only identifiers and authorization facts in the payload (sub, roles, scope) and look the rest up on the server.',
      recommended: true,
    },
    messages: {
      sensitiveClaim: 'The payload carries "{{name}}", which must never leave the server.',
      wholeRecord:
        'A whole {{name}} record is copied into the payload, with every field it has now or later.',
    },
    schema: [],
  },
  create(context) {
    const { sourceCode } = context;
    const checkObject = (object: ESTree.ObjectExpression, depth: number): void => {
      for (const prop of object.properties) {
        if (prop.type === 'SpreadElement') {
          if (isWholeRecord(prop.argument as AstNode))
            context.report({
              node: prop,
              messageId: 'wholeRecord',
              data: { name: readLastName(prop.argument as AstNode) ?? 'user' },
            });
          continue;
        }
        const name = readKeyName(prop.key as AstNode, prop.computed);
        if (name !== undefined && SENSITIVE.test(name)) {
          context.report({ node: prop, messageId: 'sensitiveClaim', data: { name } });
          continue;
        }
        const value = unwrapNode(prop.value as AstNode);
        if (value.type === 'ObjectExpression' && depth < 2) checkObject(value, depth + 1);
        else if (!prop.shorthand && value.type !== 'Identifier' && isWholeRecord(value)) {
          context.report({ node: prop, messageId: 'wholeRecord', data: { name: name ?? 'user' } });
        } else if (
          value.type === 'Identifier' &&
          name !== undefined &&
          RECORD_NAME.test(name) &&
          RECORD_NAME.test(value.name)
        ) {
          context.report({ node: prop, messageId: 'wholeRecord', data: { name } });
        }
      }
    };
    const checkPayload = (payload: AstNode | undefined): void => {
      if (!payload) return;
      const value = resolveConst(payload, sourceCode);
      if (value.type === 'ObjectExpression') checkObject(value, 0);
      else if (isWholeRecord(value))
        context.report({
          node: payload,
          messageId: 'wholeRecord',
          data: { name: readLastName(value) ?? 'user' },
        });
    };
    return {
      CallExpression(node) {
        const sign = describeSign(node, sourceCode);
        if (sign) checkPayload(sign.payload);
      },
    };
  },
});
