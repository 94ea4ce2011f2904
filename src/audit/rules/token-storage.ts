/** Rule: tokens kept in Web Storage or in cookies written from JavaScript, and token cookies missing httpOnly, Secure or SameSite. */
import type * as ESTree from 'estree';
import { readKeyName, readLastName, readMemberPath } from '../ast-names.js';
import { type AstNode } from '../ast-tree.js';
import { findProperty, isOpenObject, readStaticString, resolveConst } from '../ast-values.js';
import { readProjectFacts } from '../project-facts.js';
import { defineRule } from '../rule-kit.js';
import { readIndexedDbFacts, writesIndexedDbToken, type IndexedDbFacts } from './indexed-db.js';

const TOKEN_NAME = /token|jwt|bearer|credential|^auth$|^auth[_-]|^session$|session_?id|^sid$/i;
const STORAGE = /(^|\.)(localStorage|sessionStorage|AsyncStorage|localforage|SecureStore)$/i;
// Expo SecureStore and react-native-keychain are the platform's secure stores, not a trap.
const SAFE_STORE = /SecureStore$/;

export default defineRule({
  meta: {
    type: 'problem',
    hasSuggestions: true,
    docs: {
      description:
        'Keep tokens out of localStorage, sessionStorage, IndexedDB and script-written cookies, and set httpOnly, Secure and SameSite on token cookies.',
      bucket: 'storage',
      severity: 'error',
      why: 'Any script on the page, including one injected through XSS or a compromised dependency, can read a token kept where JavaScript reaches it.',
      fix: 'Let the server set the refresh token in an httpOnly, Secure, SameSite cookie and keep the access token in memory only.',
      recommended: true,
    },
    messages: {
      webStorage: 'A token is written to {{storage}}, where every script on the page can read it.',
      scriptCookie: 'A token cookie is written from JavaScript, so it cannot be httpOnly.',
      cookieFlags: 'The token cookie "{{name}}" is set without {{missing}}.',
      addFlags: 'Add {{flags}}',
    },
    schema: [],
  },
  create(context) {
    const { sourceCode } = context;
    const tokenKeys = new Set(readProjectFacts(context.settings)?.tokenStorageKeys ?? []);
    // Writing '' (or null) is how code forgets a token, not how it keeps one.
    const isCleared = (node: AstNode | undefined): boolean =>
      node !== undefined &&
      ((node.type === 'Literal' && (node.value === '' || node.value === null)) ||
        (node.type === 'Identifier' && node.name === 'undefined'));
    const isTokenish = (node: AstNode | undefined): boolean => {
      if (!node) return false;
      const text = readStaticString(node, sourceCode) ?? readLastName(node);
      return text !== undefined && TOKEN_NAME.test(text);
    };
    const checkCookieOptions = (node: ESTree.CallExpression, name: string, koa: boolean): void => {
      const arg = node.arguments[2] as AstNode | undefined;
      const options = arg ? resolveConst(arg, sourceCode) : undefined;
      if (options && (options.type !== 'ObjectExpression' || isOpenObject(options))) return;
      const isFalse = (n: AstNode | undefined): boolean =>
        n?.type === 'Literal' && (n.value === false || n.value === 'false');
      const httpOnly = findProperty(options, 'httpOnly');
      const secure = findProperty(options, 'secure');
      const sameSite = findProperty(options, 'sameSite');
      const missing: string[] = [];
      // Koa's cookies default to httpOnly; Express and Fastify do not.
      if ((!httpOnly && !koa) || isFalse(httpOnly)) missing.push('httpOnly');
      if (!secure || isFalse(secure)) missing.push('Secure');
      if (!sameSite || isFalse(sameSite)) missing.push('SameSite');
      if (missing.length === 0) return;
      const flags = [
        !httpOnly && missing.includes('httpOnly') ? 'httpOnly: true' : '',
        !secure ? 'secure: true' : '',
        !sameSite ? "sameSite: 'lax'" : '',
      ]
        .filter(Boolean)
        .join(', ');
      const target = options as ESTree.ObjectExpression | undefined;
      const canFix = flags !== '' && (target === undefined || target === node.arguments[2]);
      context.report({
        node,
        messageId: 'cookieFlags',
        data: { name, missing: missing.join(', ') },
        suggest: !canFix
          ? []
          : [
              {
                messageId: 'addFlags',
                data: { flags },
                fix: (fixer) => {
                  if (!target)
                    return fixer.insertTextAfter(
                      node.arguments[1] as ESTree.Node,
                      `, { ${flags} }`,
                    );
                  const last = target.properties[target.properties.length - 1];
                  return last
                    ? fixer.insertTextAfter(last, `, ${flags}`)
                    : fixer.replaceText(target, `{ ${flags} }`);
                },
              },
            ],
      });
    };
    let indexedDb: IndexedDbFacts = {
      keyvalSetters: new Set(),
      namespaces: new Set(),
      used: false,
    };
    return {
      Program(program) {
        indexedDb = readIndexedDbFacts(program, sourceCode.text);
      },
      CallExpression(node) {
        if (writesIndexedDbToken(node, indexedDb, isTokenish)) {
          context.report({ node, messageId: 'webStorage', data: { storage: 'IndexedDB' } });
          return;
        }
        const path = readMemberPath(node.callee as AstNode) ?? '';
        const method = readLastName(node.callee as AstNode);
        const first = node.arguments[0] as AstNode | undefined;
        const storagePath =
          node.callee.type === 'MemberExpression'
            ? (readMemberPath(node.callee.object as AstNode) ?? '')
            : '';
        if (
          (method === 'setItem' || method === 'setItemAsync') &&
          STORAGE.test(storagePath) &&
          !SAFE_STORE.test(storagePath) &&
          node.callee.type === 'MemberExpression'
        ) {
          const value = node.arguments[1] as AstNode | undefined;
          if (isCleared(value)) return;
          const key = first ? readStaticString(first, sourceCode) : undefined;
          // An object written under a key the project later reads a token field from holds a token.
          const holdsToken = key !== undefined && tokenKeys.has(key);
          if (isTokenish(first) || isTokenish(value) || holdsToken) {
            context.report({
              node,
              messageId: 'webStorage',
              data: { storage: readLastName(node.callee.object as AstNode) ?? 'Web Storage' },
            });
          }
          return;
        }
        if (/^Cookies?\.set$/.test(path)) {
          if (isTokenish(first) && !isCleared(node.arguments[1] as AstNode | undefined))
            context.report({ node, messageId: 'scriptCookie' });
          return;
        }
        const server =
          method === 'cookie' || method === 'setCookie' || /(^|\.)cookies\.set$/.test(path);
        if (!server || node.arguments.length < 2 || !first) return;
        // Overwriting the cookie with '' to delete it carries no token to protect.
        if (isCleared(node.arguments[1] as AstNode)) return;
        const name = readStaticString(first, sourceCode);
        if (name === undefined || !/token|jwt|refresh|access|auth|session|sid/i.test(name)) return;
        checkCookieOptions(node, name, /(^|\.)ctx\.cookies\.set$/.test(path));
      },
      AssignmentExpression(node) {
        const left = node.left as AstNode;
        if (left.type !== 'MemberExpression') return;
        const path = readMemberPath(left.object as AstNode) ?? '';
        const key =
          readKeyName(left.property as AstNode, left.computed) ??
          readStaticString(left.property as AstNode, sourceCode);
        if (STORAGE.test(path) && key !== undefined && TOKEN_NAME.test(key)) {
          context.report({
            node,
            messageId: 'webStorage',
            data: { storage: path.split('.').pop() ?? path },
          });
        } else if (
          /(^|\.)document$/.test(path) &&
          key === 'cookie' &&
          TOKEN_NAME.test(sourceCode.getText(node.right))
        ) {
          if (!/max-age=0|expires=Thu, 01 Jan 1970/i.test(sourceCode.getText(node.right)))
            context.report({ node, messageId: 'scriptCookie' });
        }
      },
    };
  },
});
