/** Rule: refresh handlers that issue new tokens but leave the presented one valid, or revoke by hashing the whole JWT. */
import type * as ESTree from 'estree';
import { readRoutePath, resolveCallee } from '../libraries.js';
import { readFunctionName, readLastName } from '../ast-names.js';
import { type AstNode, findEnclosingFunction, hasDescendant } from '../ast-tree.js';
import { readStaticString } from '../ast-values.js';
import { describeSign } from '../jwt-sites.js';
import { defineRule } from '../rule-kit.js';

const REFRESH_NAME =
  /^(handle|post|do|on)?_?refresh(_?tokens?|_?session|_?access(_?token)?)?(_?handler|_?controller|_?route)?$/i;
const ISSUES = /^(sign|issue|generate|create|mint|make|new)\w*(token|tokens|pair|session|jwt)s?$/i;
const INVALIDATES =
  /revoke|invalidat|delete|destroy|remove|^del$|unlink|blacklist|blocklist|denylist|deny|rotate|consume|mark_?used|redeem|replace|expire|spend|burn|retire|^srem$|^hdel$/i;
const STORE_WRITE = /\b(delete\s+from|update\s+\w+\s+set)\b/i;
const STATE_FIELD =
  /^(revoked|revoked_?at|used|used_?at|rotated|rotated_?at|replaced_?by|invalidated|is_?revoked|is_?used)$/i;

export default defineRule({
  meta: {
    type: 'problem',
    docs: {
      description:
        'Require refresh handlers to invalidate the presented refresh token, tracked by its id.',
      bucket: 'validation',
      severity: 'error',
      why: 'If the old refresh token stays valid after use, a stolen copy keeps minting sessions and reuse can never be detected.',
      fix: 'Rotate: mark the presented token (by jti or family id) as used in the same transaction that issues the new pair, and revoke the family when a used one comes back.',
      recommended: true,
    },
    messages: {
      noInvalidation:
        'This refresh handler issues new tokens without invalidating the refresh token it was given.',
      hashWholeToken: 'The token is revoked by hashing the whole JWT instead of tracking its jti.',
    },
    schema: [],
  },
  create(context) {
    const { sourceCode } = context;
    const issuesTokens = (fn: AstNode): boolean =>
      hasDescendant(fn, sourceCode, (n) => {
        if (n.type === 'NewExpression') return resolveCallee(n, sourceCode)?.name === 'SignJWT';
        return (
          n.type === 'CallExpression' &&
          (describeSign(n, sourceCode) !== undefined ||
            ISSUES.test(readLastName(n.callee as AstNode) ?? ''))
        );
      });
    const readsPresented = (fn: AstNode): boolean =>
      hasDescendant(
        fn,
        sourceCode,
        (n) =>
          (n.type === 'Identifier' || n.type === 'MemberExpression' || n.type === 'Literal') &&
          /refresh[_-]?token|^rt$/i.test(readLastName(n) ?? readStaticString(n, sourceCode) ?? ''),
      );
    // Deleting the token only on the "it expired" branch that returns an error is not a rotation.
    const inErrorBranch = (n: AstNode, fn: AstNode): boolean => {
      for (let p = n.parent as AstNode | null | undefined; p && p !== fn; p = p.parent) {
        if (
          p.parent?.type === 'IfStatement' &&
          (p.parent as ESTree.IfStatement).consequent === p &&
          hasDescendant(
            p,
            sourceCode,
            (d) => d.type === 'ReturnStatement' || d.type === 'ThrowStatement',
          )
        )
          return true;
      }
      return false;
    };
    const invalidates = (fn: AstNode): boolean =>
      hasDescendant(fn, sourceCode, (n) => {
        if (n.type === 'CallExpression')
          return INVALIDATES.test(readLastName(n.callee as AstNode) ?? '') && !inErrorBranch(n, fn);
        if (n.type === 'Literal' || n.type === 'TemplateLiteral')
          return STORE_WRITE.test(sourceCode.getText(n));
        if (n.type === 'Property') return STATE_FIELD.test(readLastName(n.key as AstNode) ?? '');
        if (n.type === 'AssignmentExpression')
          return STATE_FIELD.test(readLastName(n.left as AstNode) ?? '');
        return false;
      });
    const onFunction = (node: ESTree.Function & AstNode): void => {
      const route = readRoutePath(node);
      const isHandler =
        route !== undefined
          ? /refresh/i.test(route)
          : REFRESH_NAME.test(readFunctionName(node) ?? '');
      if (!isHandler || !issuesTokens(node) || !readsPresented(node) || invalidates(node)) return;
      context.report({
        node: route !== undefined ? (node.parent as AstNode) : node,
        messageId: 'noInvalidation',
      });
    };
    return {
      FunctionDeclaration: onFunction,
      FunctionExpression: onFunction,
      ArrowFunctionExpression: onFunction,
      CallExpression(node) {
        if (
          readLastName(node.callee as AstNode) !== 'update' ||
          node.callee.type !== 'MemberExpression'
        )
          return;
        if (readLastName(node.callee.object as AstNode) !== 'createHash') return;
        const hashed = node.arguments[0] as AstNode | undefined;
        const fn = findEnclosingFunction(node as AstNode);
        if (!hashed || !fn || !/token|jwt/i.test(readLastName(hashed) ?? '')) return;
        const text = sourceCode.getText(hashed);
        // Only a token this function verified or decoded as a JWT has a jti to track instead.
        const isJwt = hasDescendant(fn, sourceCode, (n) => {
          if (n.type !== 'CallExpression') return false;
          const callee = resolveCallee(n, sourceCode);
          return (
            (callee?.library === 'jsonwebtoken' || callee?.library === 'jose') &&
            /verify|decode/i.test(callee.name) &&
            n.arguments[0] !== undefined &&
            sourceCode.getText(n.arguments[0]) === text
          );
        });
        const revokes =
          hasDescendant(
            fn,
            sourceCode,
            (n) =>
              n.type === 'CallExpression' &&
              /revoke|blacklist|blocklist|denylist|deny|invalidat|logout/i.test(
                readLastName(n.callee as AstNode) ?? '',
              ),
          ) || /revoke|logout|blacklist|denylist/i.test(readFunctionName(fn) ?? '');
        if (isJwt && revokes) context.report({ node, messageId: 'hashWholeToken' });
      },
    };
  },
});
