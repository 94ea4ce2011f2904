/** Rule: tokens carried in URLs, and Authorization headers, cookies or tokens written to logs. */
import type * as ESTree from 'estree';
import { resolveCallee } from '../libraries.js';
import { readFunctionName, readKeyName, readLastName, readMemberPath } from '../ast-names.js';
import { type AstNode, hasDescendant, isFunctionNode, unwrapNode } from '../ast-tree.js';
import { readStaticString } from '../ast-values.js';
import { defineRule } from '../rule-kit.js';

const QUERY_TOKEN =
  /^(access[_-]?token|token|jwt|id[_-]?token|refresh[_-]?token|auth[_-]?token|bearer)$/i;
const URL_PARAM =
  /[?&](access[_-]?token|token|jwt|id[_-]?token|refresh[_-]?token|auth[_-]?token)=$/i;
// One-time links legitimately carry their token in the URL: it is single-use and not a session credential.
const ONE_TIME = /verif|reset|invite|confirm|magic|unsubscribe|activat|download|share/i;
const LOGGER_OBJECT = /^(console|log|logger|_logger|pino|winston|bunyan|signale|debug)$/i;
const LOG_METHOD = /^(log|info|warn|error|debug|trace|fatal|verbose|silly|http|child)$/;
const SECRET_VALUE =
  /^(access[_-]?token|refresh[_-]?token|id[_-]?token|token|jwt|bearer|bearer[_-]?token|auth[_-]?header|authorization|cookies?|signed_?cookies)$/i;

function isSecretValue(node: AstNode): boolean {
  const n = unwrapNode(node);
  const path = readMemberPath(n);
  if (
    path !== undefined &&
    /(^|\.)headers$/.test(path) &&
    /^(req|request|ctx|context|event)(\.|$)/.test(path)
  )
    return true;
  if (n.type === 'CallExpression') {
    const name = readLastName(n.callee as AstNode);
    const arg = n.arguments[0];
    return (
      (name === 'get' || name === 'header' || name === 'getHeader') &&
      arg?.type === 'Literal' &&
      /^(authorization|cookie)$/i.test(String(arg.value))
    );
  }
  const last = readLastName(n);
  return (
    (n.type === 'Identifier' || n.type === 'MemberExpression') &&
    last !== undefined &&
    SECRET_VALUE.test(last)
  );
}

const EMAIL_LINK =
  /reset|verif|confirm|invit|activat|unsubscrib|magic|forgot|recover|onboard|email/i;

// The handler a node sits in is named (or routed) for an e-mailed link: resetPassword,
// catchAsync(async (req, res) => ...) assigned to verifyEmail, app.post('/reset-password', ...).
function isEmailLinkHandler(node: AstNode): boolean {
  let fn: AstNode | null | undefined = node.parent as AstNode | null | undefined;
  while (fn && !isFunctionNode(fn)) fn = fn.parent as AstNode | null | undefined;
  if (!fn) return false;
  const names: string[] = [readFunctionName(fn as ESTree.Function & AstNode) ?? ''];
  const call = fn.parent as AstNode | null | undefined;
  if (call?.type === 'CallExpression') {
    const route = call.arguments[0] as AstNode | undefined;
    if (route?.type === 'Literal' && typeof route.value === 'string') names.push(route.value);
    const holder = call.parent as AstNode | null | undefined;
    if (holder?.type === 'VariableDeclarator' && holder.id.type === 'Identifier')
      names.push(holder.id.name);
  }
  return names.some((name) => EMAIL_LINK.test(name));
}

export default defineRule({
  meta: {
    type: 'problem',
    docs: {
      description:
        'Keep tokens out of URLs and keep Authorization headers, cookies and tokens out of logs.',
      bucket: 'storage',
      severity: 'error',
      why: 'URLs and logs are copied into browser history, proxy and access logs, Referer headers and log pipelines that many people can read.',
      fix: 'Send tokens only in the Authorization header or an httpOnly cookie, and log a token id (jti) or a redacted header instead of the value.',
      recommended: true,
    },
    messages: {
      urlQuery: 'The token travels in the URL query string.',
      logged: 'A token, Authorization header or cookie is written to a log.',
    },
    schema: [],
  },
  create(context) {
    const { sourceCode } = context;
    const checkTemplate = (
      quasis: readonly string[],
      expressions: readonly AstNode[],
      node: AstNode,
    ): void => {
      if (ONE_TIME.test(quasis.join(''))) return;
      for (let i = 0; i < expressions.length; i += 1) {
        const expression = expressions[i] as AstNode;
        if (URL_PARAM.test(quasis[i] ?? '') && !ONE_TIME.test(readLastName(expression) ?? '')) {
          context.report({ node, messageId: 'urlQuery' });
          return;
        }
      }
    };
    return {
      MemberExpression(node) {
        const name =
          readKeyName(node.property as AstNode, node.computed) ??
          readStaticString(node.property as AstNode, sourceCode);
        if (
          name === undefined ||
          !QUERY_TOKEN.test(name) ||
          readLastName(node.object as AstNode) !== 'query'
        )
          return;
        if (!/^(req|request|ctx|context|event|c\.req)\./.test(readMemberPath(node) ?? '')) return;
        // A single-use link token from an e-mail (reset password, verify address) has to be in the
        // URL; only session and access tokens read from the query are the trap.
        if (isEmailLinkHandler(node as AstNode)) return;
        context.report({ node, messageId: 'urlQuery' });
      },
      TemplateLiteral(node) {
        if (node.expressions.length > 0)
          checkTemplate(
            node.quasis.map((q) => q.value.cooked ?? ''),
            node.expressions as AstNode[],
            node as AstNode,
          );
      },
      BinaryExpression(node) {
        if (node.operator !== '+' || node.parent?.type === 'BinaryExpression') return;
        const parts: AstNode[] = [];
        const flatten = (n: AstNode): void => {
          if (n.type === 'BinaryExpression' && n.operator === '+') {
            flatten(n.left as AstNode);
            flatten(n.right as AstNode);
          } else parts.push(n);
        };
        flatten(node as AstNode);
        const quasis: string[] = [];
        const expressions: AstNode[] = [];
        let pending = '';
        for (const part of parts) {
          const text = readStaticString(part, sourceCode);
          if (text !== undefined && part.type !== 'Identifier') pending += text;
          else {
            quasis.push(pending);
            expressions.push(part);
            pending = '';
          }
        }
        quasis.push(pending);
        checkTemplate(quasis, expressions, node as AstNode);
      },
      CallExpression(node) {
        const resolved = resolveCallee(node, sourceCode);
        if (
          resolved?.library === 'passport-jwt' &&
          resolved.name === 'ExtractJwt.fromUrlQueryParameter'
        ) {
          context.report({ node, messageId: 'urlQuery' });
          return;
        }
        const callee = unwrapNode(node.callee as AstNode);
        const method = readLastName(callee);
        const first = node.arguments[0] as AstNode | undefined;
        if (
          (method === 'set' || method === 'append') &&
          callee.type === 'MemberExpression' &&
          /searchParams|params|query/i.test(readLastName(callee.object as AstNode) ?? '')
        ) {
          const key = readStaticString(first, sourceCode);
          if (
            key !== undefined &&
            QUERY_TOKEN.test(key) &&
            !ONE_TIME.test(readLastName(node.arguments[1] as AstNode) ?? '')
          )
            context.report({ node, messageId: 'urlQuery' });
          return;
        }
        if (
          (callee.type === 'Identifier' && callee.name === 'morgan') ||
          (callee.type === 'MemberExpression' && readMemberPath(callee) === 'morgan.token')
        ) {
          const logsHeader = node.arguments.some(
            (a) =>
              /req\[(authorization|cookie)\]/i.test(
                readStaticString(a as AstNode, sourceCode) ?? '',
              ) ||
              hasDescendant(
                a as AstNode,
                sourceCode,
                (d) =>
                  d.type === 'MemberExpression' &&
                  isSecretValue(d) &&
                  readLastName(d) !== 'headers',
              ),
          );
          if (logsHeader) context.report({ node, messageId: 'logged' });
          return;
        }
        if (
          callee.type !== 'MemberExpression' ||
          !LOG_METHOD.test(method ?? '') ||
          !LOGGER_OBJECT.test(readLastName(callee.object as AstNode) ?? '')
        )
          return;
        for (const arg of node.arguments) {
          const leaks =
            isSecretValue(arg as AstNode) ||
            hasDescendant(
              arg as AstNode,
              sourceCode,
              (d) =>
                ((d.parent?.type === 'Property' && d.parent.value === d) ||
                  d.parent?.type === 'TemplateLiteral') &&
                isSecretValue(d),
            );
          if (leaks) {
            context.report({ node, messageId: 'logged' });
            return;
          }
        }
      },
    };
  },
});
