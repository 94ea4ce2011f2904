/** Rule: access tokens living over 1 h, refresh tokens over 30 days, clock tolerance over 5 min. */
import type * as ESTree from 'estree';
import { formatDuration } from '../../errors/explain.js';
import { readMemberPath } from '../ast-names.js';
import { type AstNode, findEnclosingFunction, hasDescendant, unwrapNode } from '../ast-tree.js';
import { findProperty, readStaticNumber, readStaticString, resolveConst } from '../ast-values.js';
import { parseDurationSeconds } from '../durations.js';
import { describeSign, describeVerify } from '../jwt-sites.js';
import { defineRule } from '../rule-kit.js';
import { inferTokenKind } from '../token-kind.js';

const MAX_ACCESS_SECONDS = 3600;
const MAX_REFRESH_SECONDS = 30 * 86_400;
const MAX_TOLERANCE_SECONDS = 300;
const DATE_SETTERS: Record<string, number> = {
  setDate: 86_400,
  setHours: 3600,
  setMinutes: 60,
  setSeconds: 1,
};

export default defineRule({
  meta: {
    type: 'suggestion',
    fixable: 'code',
    docs: {
      description:
        'Limit access tokens to 1 h, refresh tokens to 30 days and clock tolerance to 5 min.',
      bucket: 'time',
      severity: 'warn',
      why: 'Long-lived tokens turn a leak into weeks of access, and a wide clock tolerance quietly extends every expiry.',
      fix: 'Keep access tokens at 5-15 min with refresh, refresh tokens at 30 days at most, and clockTolerance at 5 min at most (fix the clocks with NTP).',
      recommended: true,
    },
    messages: {
      accessTooLong: 'This access token lives {{lifetime}}; keep access tokens to 1 h or less.',
      refreshTooLong:
        'This refresh token lives {{lifetime}}; keep refresh tokens to 30 days or less.',
      toleranceTooWide: 'A clock tolerance of {{tolerance}} is wider than 5 min.',
    },
    schema: [],
  },
  create(context) {
    const { sourceCode } = context;
    const readDuration = (node: AstNode | undefined, unit: number): number | undefined => {
      if (!node) return undefined;
      const value = readStaticNumber(node, sourceCode) ?? readStaticString(node, sourceCode);
      return value === undefined
        ? undefined
        : parseDurationSeconds(value, { bareNumberUnit: unit });
    };
    // exp: Math.floor(Date.now() / 1000) + 7 * 24 * 3600 — the constant side is the lifetime.
    const readExpClaim = (payload: AstNode | undefined): number | undefined => {
      const exp = findProperty(payload ? resolveConst(payload, sourceCode) : undefined, 'exp');
      if (exp?.type === 'BinaryExpression' && exp.operator === '/') return readDateExp(exp);
      if (exp?.type !== 'BinaryExpression' || exp.operator !== '+') return undefined;
      const isNow = (n: AstNode): boolean =>
        hasDescendant(n, sourceCode, (d) => readMemberPath(d) === 'Date.now') ||
        readMemberPath(n) === 'Date.now';
      if (isNow(exp.left as AstNode)) return readStaticNumber(exp.right as AstNode, sourceCode);
      if (isNow(exp.right as AstNode)) return readStaticNumber(exp.left as AstNode, sourceCode);
      return undefined;
    };
    // exp: d.getTime() / 1000 after d.setDate(today.getDate() + 60): the added amount is the lifetime.
    const readDateExp = (exp: ESTree.BinaryExpression & AstNode): number | undefined => {
      const left = unwrapNode(exp.left as AstNode);
      if (left.type !== 'CallExpression' || left.callee.type !== 'MemberExpression')
        return undefined;
      const date = left.callee.object;
      if (
        date.type !== 'Identifier' ||
        readMemberPath(left.callee as AstNode)?.endsWith('.getTime') !== true
      )
        return undefined;
      const scope = findEnclosingFunction(exp) ?? (sourceCode.ast as AstNode);
      let seconds: number | undefined;
      hasDescendant(scope, sourceCode, (n) => {
        if (n.type !== 'CallExpression' || n.callee.type !== 'MemberExpression') return false;
        const path = readMemberPath(n.callee as AstNode) ?? '';
        const unit = DATE_SETTERS[path.slice(date.name.length + 1)];
        if (!path.startsWith(`${date.name}.`) || unit === undefined) return false;
        const arg = n.arguments[0] as AstNode | undefined;
        if (arg?.type !== 'BinaryExpression' || arg.operator !== '+') return false;
        const amount =
          readStaticNumber(arg.right as AstNode, sourceCode) ??
          readStaticNumber(arg.left as AstNode, sourceCode);
        if (amount !== undefined) seconds = amount * unit;
        return amount !== undefined;
      });
      return seconds;
    };
    const onCall = (node: ESTree.CallExpression | ESTree.NewExpression): void => {
      const verify = describeVerify(node, sourceCode);
      if (verify) {
        const tolerance =
          verify.options.kind === 'object'
            ? findProperty(verify.options.node, 'clockTolerance')
            : undefined;
        // fast-jwt counts in milliseconds; the others in seconds.
        const unit = verify.library === 'fast-jwt' ? 0.001 : 1;
        const seconds = readDuration(tolerance, unit);
        if (tolerance && seconds !== undefined && seconds > MAX_TOLERANCE_SECONDS) {
          const literal = tolerance.type === 'Literal';
          context.report({
            node: tolerance,
            messageId: 'toleranceTooWide',
            data: { tolerance: formatDuration(seconds) },
            // Clamping to the limit keeps every token that a sane clock accepts; only skew past 5 min starts failing.
            fix: literal
              ? (fixer) =>
                  fixer.replaceText(
                    tolerance,
                    typeof tolerance.value === 'string'
                      ? "'5m'"
                      : String(MAX_TOLERANCE_SECONDS / unit),
                  )
              : null,
          });
        }
        return;
      }
      if (node.type !== 'CallExpression') return;
      const sign = describeSign(node, sourceCode);
      if (!sign) return;
      const unit = sign.library === 'fast-jwt' ? 0.001 : 1;
      let lifetime =
        sign.options.kind === 'object'
          ? readDuration(findProperty(sign.options.node, 'expiresIn'), unit)
          : undefined;
      if (sign.library === 'jose') {
        let call: AstNode | undefined = (node.callee as ESTree.MemberExpression).object as AstNode;
        while (call?.type === 'CallExpression' && call.callee.type === 'MemberExpression') {
          if (readMemberPath(call.callee.property as AstNode) === 'setExpirationTime') {
            const arg = call.arguments[0] as AstNode | undefined;
            lifetime =
              readStaticString(arg, sourceCode) === undefined ? undefined : readDuration(arg, 1);
          }
          call = call.callee.object as AstNode;
        }
      }
      lifetime ??= readExpClaim(sign.payload);
      if (lifetime === undefined) return;
      const kind = inferTokenKind(sign, sourceCode);
      if (kind === 'refresh' && lifetime > MAX_REFRESH_SECONDS) {
        context.report({
          node,
          messageId: 'refreshTooLong',
          data: { lifetime: formatDuration(lifetime) },
        });
      } else if ((kind === 'access' || kind === 'unknown') && lifetime > MAX_ACCESS_SECONDS) {
        context.report({
          node,
          messageId: 'accessTooLong',
          data: { lifetime: formatDuration(lifetime) },
        });
      }
    };
    return { CallExpression: onCall, NewExpression: onCall };
  },
});
