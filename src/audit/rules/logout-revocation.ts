/** Rule: logout that only forgets the token locally and revokes nothing on the server. */
import type * as ESTree from 'estree';
import { isServerFile, readRoutePath } from '../libraries.js';
import { readFunctionName, readLastName, readMemberPath } from '../ast-names.js';
import { type AstNode, hasDescendant, visitDescendants } from '../ast-tree.js';
import { readProjectFacts } from '../project-facts.js';
import { defineRule } from '../rule-kit.js';

const LOGOUT_NAME =
  /^(handle|do|on|post)?_?(logout|log_?out|sign_?out|signoff)(_?handler|_?controller|_?user)?$/i;
const RESPONSE_OBJECT = /^(res|reply|response|ctx|c|h)$/;
// Calls that only touch the response or the browser; anything else may be the revocation we want.
const LOCAL_CALL =
  /(^|\.)(local|session)Storage\.(removeItem|clear)$|^Cookies?\.(remove|expire)$|^set[A-Z]\w*$|(^|\.)dispatch$|(^|\.)navigate$|(^|\.)(push|replace|reload|assign|redirect)$|^redirect$|^console\.|(^|\.)(clearCookie|clearCookies|status|json|send|sendStatus|end|code|header|setHeader|redirect|type)$|(^|\.)cookies\.(set|delete)$|(^|\.)cookie$|(^|\.)(remove|clear|delete|forget)(User|Users|Token|Tokens|Session|Auth|Credentials|LocalStorage)$/;
// Helpers that forget the local copy (TokenService.removeUser(), clearTokens()).
const FORGET_CALL =
  /Storage\.(removeItem|clear)$|^Cookies?\.remove$|(^|\.)(remove|clear|delete|forget)(User|Users|Token|Tokens|Session|Auth|Credentials|LocalStorage)$/;

export default defineRule({
  meta: {
    type: 'problem',
    docs: {
      description:
        'Require logout to revoke the session or refresh token on the server, not only forget it in the client.',
      bucket: 'validation',
      severity: 'warn',
      why: 'A logout that only clears the cookie or local copy leaves the refresh token valid, so anyone holding a copy stays logged in.',
      fix: 'On logout, revoke the refresh token family (or session) on the server, then clear the cookie; the client calls that endpoint before forgetting its state.',
      recommended: true,
    },
    messages: {
      noServerRevoke:
        'This logout handler clears the cookie or answers without revoking anything on the server.',
      clientOnly:
        'This logout forgets the token in the browser without telling the server to revoke it.',
    },
    schema: [],
  },
  create(context) {
    const { sourceCode } = context;
    const server = isServerFile(sourceCode);
    // Without refresh tokens a client-side logout has nothing on the server to revoke; only a
    // stand-alone ESLint run (no project facts) keeps the old, stricter reading.
    const facts = readProjectFacts(context.settings);
    const clientHasSomethingToRevoke = facts === undefined || facts.usesRefreshTokens;
    const onFunction = (node: ESTree.Function & AstNode): void => {
      const route = readRoutePath(node);
      const isLogout =
        route !== undefined
          ? /log-?out|sign-?out/i.test(route)
          : LOGOUT_NAME.test(readFunctionName(node) ?? '');
      if (!isLogout) return;
      const calls: string[] = [];
      visitDescendants(node, sourceCode, (n) => {
        if (n.type === 'CallExpression')
          calls.push(
            readMemberPath(n.callee as AstNode) ?? readLastName(n.callee as AstNode) ?? '?',
          );
        if (n.type === 'UnaryExpression' && n.operator === 'delete') calls.push('delete');
      });
      const allLocal = calls.every((c) => LOCAL_CALL.test(c));
      if (!allLocal) return;
      const handlesRequest =
        node.params.length >= 2 &&
        node.params.some((p) => p.type === 'Identifier' && RESPONSE_OBJECT.test(p.name));
      if (server && (handlesRequest || route !== undefined)) {
        context.report({
          node: route !== undefined ? (node.parent as AstNode) : node,
          messageId: 'noServerRevoke',
        });
        return;
      }
      const forgets =
        calls.some((c) => FORGET_CALL.test(c)) ||
        hasDescendant(
          node,
          sourceCode,
          (n) =>
            n.type === 'AssignmentExpression' &&
            readMemberPath(n.left as AstNode)?.endsWith('document.cookie') === true,
        );
      if (!server && forgets && clientHasSomethingToRevoke)
        context.report({ node, messageId: 'clientOnly' });
    };
    return {
      FunctionDeclaration: onFunction,
      FunctionExpression: onFunction,
      ArrowFunctionExpression: onFunction,
    };
  },
});
