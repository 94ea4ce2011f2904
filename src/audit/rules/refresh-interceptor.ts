/** Rule: 401 interceptors that retry forever, deadlock on their own refresh call, or refresh once per failed request. */
import type { SourceCode } from 'eslint';
import type * as ESTree from 'estree';
import { readKeyName, readLastName, readMemberPath } from '../ast-names.js';
import { type AstNode, hasDescendant, isFunctionNode, visitDescendants } from '../ast-tree.js';
import { readStaticString } from '../ast-values.js';
import { defineRule } from '../rule-kit.js';

const RETRY_FLAG =
  /^_?(retry|retried|is_?retry|sent|retry_?count|__is_?retry_?request|_?retried)$/i;
const SHARED =
  /refresh(ing)?_?(promise|request|call|task|lock)|in_?flight|pending|is_?refreshing|refreshing|queue|subscribers|waiters|mutex|lock/i;

function findFunction(
  node: AstNode | undefined,
  sourceCode: SourceCode,
): (ESTree.Function & AstNode) | undefined {
  if (!node) return undefined;
  if (isFunctionNode(node)) return node;
  if (node.type !== 'Identifier') return undefined;
  for (
    let scope: ReturnType<SourceCode['getScope']> | null = sourceCode.getScope(node);
    scope;
    scope = scope.upper
  ) {
    const def = scope.set.get(node.name)?.defs[0];
    if (!def) continue;
    if (def.type === 'FunctionName') return def.node as ESTree.Function & AstNode;
    const init = def.type === 'Variable' ? (def.node as ESTree.VariableDeclarator).init : undefined;
    return init && isFunctionNode(init as AstNode)
      ? (init as ESTree.Function & AstNode)
      : undefined;
  }
  return undefined;
}

function mentionsRefresh(node: AstNode | undefined, sourceCode: SourceCode): boolean {
  if (!node) return false;
  if (node.type === 'Literal' && 'regex' in node && node.regex)
    return /refresh/i.test(node.regex.pattern);
  return /refresh/i.test(
    readStaticString(node, sourceCode) ??
      (node.type === 'TemplateLiteral' ? sourceCode.getText(node) : readLastName(node)) ??
      '',
  );
}

// What a guard that lets the refresh request's own 401 through looks like: its URL, or a skip flag on the request.
function isRefreshMarker(node: AstNode, sourceCode: SourceCode): boolean {
  if (node.type === 'Literal' || node.type === 'TemplateLiteral')
    return mentionsRefresh(node, sourceCode);
  const name =
    node.type === 'Identifier' || node.type === 'MemberExpression' ? readLastName(node) : undefined;
  return /refresh_?(url|path|endpoint|route|uri)|skip_?auth|skip_?refresh|is_?refresh_?(request|call)/i.test(
    name ?? '',
  );
}

export default defineRule({
  meta: {
    type: 'problem',
    docs: {
      description:
        'Require 401 refresh interceptors to mark retries, skip the refresh call itself and share one in-flight refresh.',
      bucket: 'time',
      severity: 'warn',
      why: 'Without these guards an expired token turns into an infinite retry loop, a refresh that waits on itself forever, or parallel refreshes that revoke each other under rotation.',
      fix: 'Set config._retry before retrying, pass 401s from the refresh URL straight through, and keep one module-level refresh promise that every failed request awaits.',
      recommended: true,
    },
    messages: {
      noRetryFlag:
        'The 401 handler retries the request without marking it, so a second 401 loops forever.',
      noRefreshExclusion:
        'The 401 handler does not exclude the refresh request, so a 401 from the refresh waits on itself forever.',
      noSharedRefresh:
        'Each failed request starts its own refresh instead of sharing one in-flight refresh.',
      refreshOn403:
        'A 403 starts a token refresh: a refused permission is not an expired token, so this refreshes (and retries) on every forbidden request.',
      clearsAllTabs:
        "localStorage.clear() after a failed refresh ends the session in every tab and wipes all the origin's other data.",
    },
    schema: [],
  },
  create(context) {
    const { sourceCode } = context;
    const callsRefresh = (root: AstNode): boolean =>
      hasDescendant(
        root,
        sourceCode,
        (n) =>
          n.type === 'CallExpression' &&
          (/refresh/i.test(readLastName(n.callee as AstNode) ?? '') ||
            // A URL ('/auth/refresh'), not a sentence that mentions refreshing.
            n.arguments.some(
              (a) =>
                mentionsRefresh(a as AstNode, sourceCode) &&
                !/\s/.test(readStaticString(a as AstNode, sourceCode) ?? ''),
            )),
      );
    return {
      Literal(node) {
        if (node.value !== 403) return;
        // `if (status === 403)` or `if ([401, 403].includes(status))` whose branch refreshes.
        let child = node as AstNode;
        for (let p = child.parent as AstNode | null | undefined; p; child = p, p = p.parent) {
          if (p.type === 'IfStatement') {
            if (p.test === child && callsRefresh(p.consequent as AstNode))
              context.report({ node, messageId: 'refreshOn403' });
            return;
          }
          if (
            ![
              'BinaryExpression',
              'LogicalExpression',
              'ArrayExpression',
              'CallExpression',
              'MemberExpression',
              'ChainExpression',
              'UnaryExpression',
            ].includes(p.type)
          )
            return;
        }
      },
      'CallExpression[callee.property.name="clear"]'(node: ESTree.CallExpression) {
        if (
          !/(^|\.)localStorage$/.test(
            readMemberPath((node.callee as ESTree.MemberExpression).object as AstNode) ?? '',
          )
        )
          return;
        // Only where a refresh failed: a catch clause or else branch of code that refreshes.
        for (let p = (node as AstNode).parent as AstNode | null | undefined; p; p = p.parent) {
          if (isFunctionNode(p)) {
            if (callsRefresh(p)) context.report({ node, messageId: 'clearsAllTabs' });
            return;
          }
        }
      },
      CallExpression(node) {
        const path = readMemberPath(node.callee as AstNode) ?? '';
        if (!path.endsWith('.interceptors.response.use')) return;
        const instance = path.slice(0, -'.interceptors.response.use'.length);
        const handler = findFunction(node.arguments[1] as AstNode | undefined, sourceCode);
        if (
          !handler ||
          !hasDescendant(handler, sourceCode, (n) => n.type === 'Literal' && n.value === 401)
        )
          return;
        const calls: ESTree.CallExpression[] = [];
        const helpers: AstNode[] = [handler];
        const collect = (root: AstNode): void => {
          visitDescendants(root, sourceCode, (n) => {
            if (n.type !== 'CallExpression') return;
            calls.push(n);
            // A refresh helper defined in this file counts as part of the handler.
            const helper =
              n.callee.type === 'Identifier'
                ? findFunction(n.callee as AstNode, sourceCode)
                : undefined;
            if (helper && !helpers.includes(helper) && helpers.length < 4) {
              helpers.push(helper);
              collect(helper);
            }
          });
        };
        collect(handler);
        const retries = calls.some((c) => {
          const callee = readMemberPath(c.callee as AstNode);
          return (
            callee === instance ||
            callee === `${instance}.request` ||
            callee === 'axios' ||
            callee === 'axios.request'
          );
        });
        if (!retries) return;
        const inBody = (test: (n: AstNode) => boolean): boolean =>
          helpers.some((h) => hasDescendant(h, sourceCode, test));
        const hasRetryFlag = inBody(
          (n) =>
            n.type === 'MemberExpression' &&
            RETRY_FLAG.test(readKeyName(n.property as AstNode, n.computed) ?? ''),
        );
        if (!hasRetryFlag) context.report({ node: handler, messageId: 'noRetryFlag' });
        const refreshCalls = calls.filter((c) =>
          c.arguments.some((a) => mentionsRefresh(a as AstNode, sourceCode)),
        );
        const selfRefresh = refreshCalls.some(
          (c) =>
            c.callee.type === 'MemberExpression' &&
            readMemberPath(c.callee.object as AstNode) === instance,
        );
        const excludes = inBody(
          (n) =>
            (n.type === 'IfStatement' ||
              n.type === 'ConditionalExpression' ||
              n.type === 'LogicalExpression') &&
            hasDescendant(
              n.type === 'LogicalExpression' ? n : (n.test as AstNode),
              sourceCode,
              (d) => isRefreshMarker(d, sourceCode),
            ),
        );
        if (selfRefresh && !excludes)
          context.report({ node: handler, messageId: 'noRefreshExclusion' });
        const shares = inBody(
          (n) =>
            (n.type === 'Identifier' && SHARED.test(n.name)) ||
            (n.type === 'MemberExpression' && SHARED.test(readLastName(n) ?? '')),
        );
        if (refreshCalls.length + helpers.length > 1 && !shares)
          context.report({ node: handler, messageId: 'noSharedRefresh' });
      },
    };
  },
});
