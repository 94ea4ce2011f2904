/** Rule: the signing secret is written in the source, falls back to a literal, is short, or is a published example. */
import type { SourceCode } from 'eslint';
import type * as ESTree from 'estree';
import { readKeyName, readLastName, readMemberPath } from '../ast-names.js';
import { type AstNode, unwrapNode } from '../ast-tree.js';
import { readStaticNumber, readStaticString, resolveConst } from '../ast-values.js';
import { describeSign, describeVerify } from '../jwt-sites.js';
import { defineRule } from '../rule-kit.js';

const MIN_SECRET_BYTES = 32;
// Secrets that appear in READMEs, tutorials and jwt.io: anyone can forge tokens signed with them.
// Provenance: written for Tessera by its authors (generic words and stock phrases, no published
// list copied), so MIT like the rest. Every entry is also under MIN_SECRET_BYTES: the list only
// words the finding ("a published example") more exactly than the length check would.
const WELL_KNOWN = new Set([
  'secret',
  'secretkey',
  'secret-key',
  'secret_key',
  'mysecret',
  'my-secret',
  'my_secret',
  'mysecretkey',
  'your-256-bit-secret',
  'your-secret-key',
  'your_jwt_secret',
  'yoursecret',
  'jwtsecret',
  'jwt-secret',
  'jwt_secret',
  'shhhhh',
  'shhhhhhared-secret',
  'changeme',
  'change-me',
  'keyboard cat',
  'supersecret',
  'super-secret',
  'topsecret',
  's3cr3t',
  'password',
  'test',
  'dev',
  'development',
  'default',
  'abc123',
  'qwerty',
  'secret123',
  'mysupersecretkey',
  'privatekey',
]);
const SECRET_NAME =
  /^(jwt[_-]?)?(signing[_-]?|token[_-]?|access[_-]?(token[_-]?)?|refresh[_-]?(token[_-]?)?|app[_-]?|session[_-]?)?(secret|secret[_-]?key)$|^(jwt|signing)[_-]?key$/i;
const SECRET_ENV = /SECRET|JWT|SIGNING|PRIVATE_KEY/i;
// JWT_EXPIRES_IN || '15m' is a lifetime, not a secret with a fallback.
const NOT_SECRET_ENV = /EXPIR|TTL|LIFETIME|ALGORITHM|ISSUER|AUDIENCE|COOKIE_NAME|HEADER/i;
const isSecretEnv = (name: string): boolean => SECRET_ENV.test(name) && !NOT_SECRET_ENV.test(name);

const CONFIG_FILE =
  /(^|[/\\._-])(config|configs|settings|constants|keys|env|vars|secrets?)([/\\._-]|$)/i;

/** An object a config module exports, or any object literal in a file named like configuration. */
function isConfigObject(object: AstNode, filename: string): boolean {
  if (CONFIG_FILE.test(filename)) return true;
  for (let p = object.parent as AstNode | null | undefined; p; p = p.parent) {
    if (p.type === 'ExportDefaultDeclaration' || p.type === 'ExportNamedDeclaration') return true;
    if (
      p.type === 'AssignmentExpression' &&
      /^(module\.)?exports(\.|$)/.test(readMemberPath(p.left as AstNode) ?? '')
    )
      return true;
    if (p.type === 'ObjectExpression' || p.type === 'Property') continue;
    if (p.type !== 'VariableDeclarator' && p.type !== 'VariableDeclaration') return false;
  }
  return false;
}

export default defineRule({
  meta: {
    type: 'problem',
    docs: {
      description:
        'Disallow signing secrets written in the source, literal fallbacks for them, short secrets and published example secrets.',
      bucket: 'validation',
      severity: 'error',
      why: 'Anyone who can read the repository, a bundle or a leaked image can mint valid tokens for any user.',
      fix: 'Load the secret from a secret manager or an environment variable with no fallback, and fail at startup when it is missing or shorter than 32 bytes.',
      recommended: true,
    },
    messages: {
      hardcoded: 'The signing secret is a literal in the source{{short}}.',
      // Never the value: a report lands in CI logs and SARIF uploads.
      wellKnown:
        'The signing secret is a published example secret, known to anyone who read the same tutorial.',
      envFallback:
        '{{env}} falls back to a literal when the variable is unset, so production can silently run on it.',
      short: 'The signing secret is generated with {{bytes}} bytes; HMAC secrets need at least 32.',
      privateKey: 'A private key is embedded in the source.',
    },
    schema: [],
  },
  create(context) {
    const { sourceCode } = context;
    const reported = new Set<AstNode>();
    const reportLiteral = (node: AstNode, value: string): void => {
      if (reported.has(node)) return;
      reported.add(node);
      if (value.startsWith('-----BEGIN')) {
        if (/PRIVATE KEY/.test(value)) context.report({ node, messageId: 'privateKey' });
        return;
      }
      if (WELL_KNOWN.has(value.trim().toLowerCase())) {
        context.report({ node, messageId: 'wellKnown' });
        return;
      }
      const bytes = Buffer.byteLength(value);
      context.report({
        node,
        messageId: 'hardcoded',
        data: { short: bytes < MIN_SECRET_BYTES ? ` and only ${bytes} bytes long` : '' },
      });
    };
    const reportFallback = (node: AstNode, right: AstNode, env: string): void => {
      const fallback = readStaticString(right, sourceCode);
      if (fallback === undefined || fallback.length === 0) return;
      reported.add(unwrapNode(right));
      context.report({ node, messageId: 'envFallback', data: { env } });
    };
    const checkKey = (key: AstNode | undefined): void => {
      if (!key) return;
      let value = resolveConst(key, sourceCode);
      // Buffer.from('x'), new TextEncoder().encode('x'), createSecretKey(Buffer.from('x')) still hold the literal.
      for (
        let hop = 0;
        hop < 3 && (value.type === 'CallExpression' || value.type === 'NewExpression');
        hop += 1
      ) {
        const name = readLastName(value.callee as AstNode);
        if (name === 'randomBytes') {
          const size = readStaticNumber(value.arguments[0] as AstNode | undefined, sourceCode);
          if (size !== undefined && size < MIN_SECRET_BYTES)
            context.report({ node: key, messageId: 'short', data: { bytes: String(size) } });
          return;
        }
        if (
          !['from', 'encode', 'createSecretKey', 'toString'].includes(name ?? '') ||
          value.arguments.length === 0
        )
          return;
        value = resolveConst(
          (name === 'toString'
            ? (value.callee as ESTree.MemberExpression).object
            : value.arguments[0]) as AstNode,
          sourceCode,
        );
      }
      const text = readStaticString(value, sourceCode);
      if (text !== undefined && text.length > 0) reportLiteral(value, text);
    };
    return {
      CallExpression(node) {
        const site = describeVerify(node, sourceCode) ?? describeSign(node, sourceCode);
        if (site) checkKey(site.key);
      },
      NewExpression(node) {
        checkKey(describeVerify(node, sourceCode)?.key);
      },
      VariableDeclarator(node) {
        if (node.id.type !== 'Identifier' || !SECRET_NAME.test(node.id.name) || !node.init) return;
        const init = unwrapNode(node.init as AstNode);
        const text = readStaticString(init, sourceCode);
        if (text !== undefined && text.length > 0 && init.type !== 'Identifier')
          reportLiteral(init, text);
      },
      Property(node) {
        // A config module (`module.exports = { secret: '...' }`, `export default { jwtSecret }`)
        // is where a signer's secret usually comes from: the import is followed by its name.
        if (node.parent.type !== 'ObjectExpression' || node.computed) return;
        const key = readKeyName(node.key as AstNode, false);
        if (key === undefined || !SECRET_NAME.test(key)) return;
        if (!isConfigObject(node.parent as AstNode, context.filename)) return;
        const value = unwrapNode(node.value as AstNode);
        const text = readStaticString(value, sourceCode);
        if (text !== undefined && text.length > 0 && value.type !== 'Identifier')
          reportLiteral(value, text);
      },
      LogicalExpression(node) {
        if (node.operator === '&&') return;
        const left = unwrapNode(node.left as AstNode);
        const path = readMemberPath(left);
        const env = path?.startsWith('process.env.')
          ? path
          : readConfigServiceKey(left, sourceCode);
        if (env === undefined || !isSecretEnv(env)) return;
        reportFallback(node, node.right as AstNode, env);
      },
      'CallExpression:exit'(node: ESTree.CallExpression) {
        // Nest's ConfigService: configService.get<string>('JWT_SECRET', 'default') is the same fallback.
        const env = readConfigServiceKey(node as AstNode, sourceCode);
        const fallback = node.arguments[1] as AstNode | undefined;
        if (env !== undefined && fallback && isSecretEnv(env))
          reportFallback(node as AstNode, fallback, env);
      },
    };
  },
});

// `config.get('JWT_SECRET')`, `this.configService.get<string>('JWT_SECRET')`: Nest's ConfigService
// reads process.env under another spelling.
function readConfigServiceKey(node: AstNode, sourceCode: SourceCode): string | undefined {
  if (node.type !== 'CallExpression' || node.callee.type !== 'MemberExpression') return undefined;
  if (readLastName(node.callee as AstNode) !== 'get') return undefined;
  const owner = readLastName(node.callee.object as AstNode) ?? '';
  if (!/^(config|configService|_?config_?service|env)$/i.test(owner)) return undefined;
  const key = node.arguments[0] as AstNode | undefined;
  return key ? readStaticString(key, sourceCode) : undefined;
}
