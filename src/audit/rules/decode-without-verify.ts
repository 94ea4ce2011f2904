/** Rule: a token is decoded where it must be verified: server-side auth code, catch-and-decode fallbacks, hand-rolled parsing. */
import type * as ESTree from 'estree';
import { type ResolvedCallee, isServerFile, resolveCallee } from '../libraries.js';
import { readFunctionName, readLastName, readMemberPath } from '../ast-names.js';
import { type AstNode, findEnclosingFunction, hasDescendant } from '../ast-tree.js';
import { describeVerify } from '../jwt-sites.js';
import { defineRule, type TesseraRule } from '../rule-kit.js';

const HANDLER_NAME =
  /auth|guard|middleware|protect|current_?user|require_?user|session|verify|validate|check_?token|is_?logged/i;
const HANDLER_PARAM = /^(req|request|ctx|context|event)$/;

function isDecode(resolved: ResolvedCallee | undefined): boolean {
  if (!resolved) return false;
  const { library, name } = resolved;
  return (
    (library === 'jsonwebtoken' && name === 'decode') ||
    (library === 'jose' && name === 'decodeJwt') ||
    (library === 'jwt-decode' && (name === 'default' || name === 'jwtDecode')) ||
    (library === 'fast-jwt' && name === 'createDecoder')
  );
}

function isSplitDot(node: AstNode): boolean {
  if (node.type !== 'CallExpression' || readLastName(node.callee as AstNode) !== 'split')
    return false;
  const arg = node.arguments[0];
  return (
    arg?.type === 'Literal' &&
    arg.value === '.' &&
    /token|jwt|bearer|auth|header|credential/i.test(
      readLastName((node.callee as ESTree.MemberExpression).object as AstNode) ?? '',
    )
  );
}

const rule: TesseraRule = defineRule({
  meta: {
    type: 'problem',
    docs: {
      description:
        'Disallow decoding a token where it must be verified: server-side auth code, catch-and-decode fallbacks, hand-rolled split and JSON.parse.',
      bucket: 'validation',
      severity: 'error',
      why: 'Decoding does not check the signature, so a forged or expired token is accepted as if it were valid.',
      fix: 'Verify the token with its key, algorithm allow-list, audience and issuer; on TokenExpiredError answer 401 and let the client refresh.',
      recommended: true,
    },
    messages: {
      decodeInCatch: 'A failed verification falls back to decoding the token without checking it.',
      decodeOnServer: 'Server-side auth code decodes the token without verifying its signature.',
      noVerify: 'jwt-simple decode is called with noVerify set, so the signature is not checked.',
      handRolled:
        "The token is split on '.' and JSON-parsed by hand, without verifying its signature.",
    },
    schema: [],
  },
  create(context) {
    const { sourceCode } = context;
    const server = isServerFile(sourceCode);
    const verifiesIn = (root: AstNode): boolean =>
      hasDescendant(
        root,
        sourceCode,
        (n) =>
          ((n.type === 'CallExpression' || n.type === 'NewExpression') &&
            describeVerify(n, sourceCode) !== undefined) ||
          (n.type === 'CallExpression' &&
            /^(createHmac|timingSafeEqual|verify|subtle)$/.test(
              readLastName(n.callee as AstNode) ?? '',
            )),
      );
    const looksLikeAuthHandler = (fn: ESTree.Function & AstNode): boolean =>
      HANDLER_NAME.test(readFunctionName(fn) ?? '') ||
      fn.params.some((p) => p.type === 'Identifier' && HANDLER_PARAM.test(p.name));
    const inVerifyCatch = (node: AstNode): boolean => {
      for (
        let p = node.parent;
        p &&
        !(
          p.type === 'FunctionDeclaration' ||
          p.type === 'FunctionExpression' ||
          p.type === 'ArrowFunctionExpression'
        );
        p = p.parent
      ) {
        if (
          p.type === 'CatchClause' &&
          p.parent?.type === 'TryStatement' &&
          verifiesIn(p.parent.block as AstNode)
        )
          return true;
      }
      return false;
    };
    return {
      CallExpression(node) {
        const resolved = resolveCallee(node, sourceCode);
        if (resolved?.library === 'jwt-simple' && resolved.name === 'decode') {
          const flag = node.arguments[2];
          if (flag?.type === 'Literal' && flag.value === true)
            context.report({ node, messageId: 'noVerify' });
          return;
        }
        if (isDecode(resolved)) {
          if (inVerifyCatch(node as AstNode)) {
            context.report({ node, messageId: 'decodeInCatch' });
            return;
          }
          const fn = findEnclosingFunction(node as AstNode);
          if (server && fn && looksLikeAuthHandler(fn) && !verifiesIn(fn))
            context.report({ node, messageId: 'decodeOnServer' });
          return;
        }
        if (!server || readMemberPath(node.callee as AstNode) !== 'JSON.parse') return;
        const fn = findEnclosingFunction(node as AstNode);
        if (
          fn &&
          looksLikeAuthHandler(fn) &&
          hasDescendant(fn, sourceCode, isSplitDot) &&
          !verifiesIn(fn)
        )
          context.report({ node, messageId: 'handRolled' });
      },
    };
  },
});

export default rule;
