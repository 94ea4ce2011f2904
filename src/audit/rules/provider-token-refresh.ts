/**
 * Rule: Auth.js / next-auth callbacks that keep the provider's access token in the session JWT and never
 * refresh it, or hand the provider's refresh token to the browser through the session.
 */
import type * as ESTree from 'estree';
import { readKeyName, readLastName } from '../ast-names.js';
import { type AstNode, hasDescendant } from '../ast-tree.js';
import { defineRule } from '../rule-kit.js';

const ACCESS = /^(access_token|accessToken)$/;
const REFRESH = /^(refresh_token|refreshToken)$/;
// Any of these in the jwt callback means it looks at the token's lifetime or renews it.
const LIFETIME =
  /^(expires_at|expires_in|expiresAt|accessTokenExpires|refresh_token|refreshToken)$/;

// The `jwt` or `session` member of an object that is the value of a `callbacks` property.
function callbackName(node: ESTree.Property & AstNode): 'jwt' | 'session' | undefined {
  const name = readKeyName(node.key as AstNode, node.computed);
  if (name !== 'jwt' && name !== 'session') return undefined;
  const owner = node.parent as AstNode;
  const holder = owner.parent as AstNode | undefined;
  if (owner.type !== 'ObjectExpression' || holder?.type !== 'Property') return undefined;
  return readKeyName(holder.key as AstNode, holder.computed) === 'callbacks' ? name : undefined;
}

export default defineRule({
  meta: {
    type: 'problem',
    docs: {
      description:
        "Refresh the provider's access token that an Auth.js jwt callback keeps, and keep its refresh token out of the session.",
      bucket: 'time',
      severity: 'warn',
      why: "A provider's access token lives minutes to an hour, the Auth.js session 30 days: calls made with the stored token start failing while the app still shows the user signed in; a refresh token copied into the session is readable by every script through /api/auth/session.",
      fix: 'In the jwt callback, store account.expires_at with the token and refresh it with the refresh_token once it has passed (the Auth.js "refresh token rotation" guide); keep the refresh token in the JWT only, never in the session callback\'s result.',
      recommended: true,
    },
    messages: {
      neverRefreshed:
        "The provider's access token is kept in the session JWT, but this jwt callback never looks at its expiry or refreshes it.",
      refreshInSession:
        "The provider's refresh token is copied into the session, which the browser can read from /api/auth/session.",
    },
    schema: [],
  },
  create(context) {
    const { sourceCode } = context;
    const member = (pattern: RegExp) => (n: AstNode) =>
      n.type === 'MemberExpression' && pattern.test(readLastName(n) ?? '');
    // `owner.field`: account.access_token where the provider's answer is kept, token.refreshToken leaked.
    const fieldOf = (pattern: RegExp, owner: string) => (n: AstNode) =>
      member(pattern)(n) &&
      readLastName((n as ESTree.MemberExpression).object as AstNode) === owner;
    const named = (pattern: RegExp) => (n: AstNode) =>
      (n.type === 'MemberExpression' && pattern.test(readLastName(n) ?? '')) ||
      (n.type === 'Identifier' && pattern.test(n.name));
    return {
      Property(node: ESTree.Property & AstNode) {
        const kind = callbackName(node);
        const body = node.value as AstNode;
        if (
          kind === undefined ||
          (body.type !== 'FunctionExpression' && body.type !== 'ArrowFunctionExpression')
        )
          return;
        if (kind === 'jwt') {
          // `account.access_token` is read only when the provider answered: this is where it is kept.
          const keepsAccess = hasDescendant(body, sourceCode, fieldOf(ACCESS, 'account'));
          if (keepsAccess && !hasDescendant(body, sourceCode, named(LIFETIME)))
            context.report({ node, messageId: 'neverRefreshed' });
          return;
        }
        const leaks = hasDescendant(body, sourceCode, fieldOf(REFRESH, 'token'));
        if (leaks) context.report({ node, messageId: 'refreshInSession' });
      },
    };
  },
});
