/** Rule: verification without an algorithm allow-list, with HMAC and asymmetric mixed, or with the algorithm or key taken from the token. */
import type { Rule } from 'eslint';
import type * as ESTree from 'estree';
import { resolveCallee } from '../libraries.js';
import { readKeyName, readLastName } from '../ast-names.js';
import { type AstNode, unwrapNode } from '../ast-tree.js';
import { findProperty, isOpenObject, readStaticString, resolveConst } from '../ast-values.js';
import { describeKeyKind, describeVerify } from '../jwt-sites.js';
import { defineRule } from '../rule-kit.js';

// jose binds the algorithm family to the key type, so only the libraries that trust a bare secret need the list.
const NEEDS_LIST = new Set(['jsonwebtoken', 'express-jwt', 'passport-jwt', 'fast-jwt']);
const HEADER_FIELDS = new Set(['alg', 'jku', 'jwk', 'x5u']);
const KEY_IMPORTS =
  /^(importJWK|importSPKI|importX509|importPKCS8|createPublicKey|createSecretKey|createRemoteJWKSet|fetch|get|jwksClient)$/;

function describeFamily(alg: string): 'hmac' | 'asymmetric' | undefined {
  if (/^HS\d+$/i.test(alg)) return 'hmac';
  if (/^(RS|PS|ES)\d+K?$|^EdDSA$|^Ed25519$/i.test(alg)) return 'asymmetric';
  return undefined;
}

function suggestAlgorithms(
  site: NonNullable<ReturnType<typeof describeVerify>>,
): Rule.SuggestionReportDescriptor[] {
  if (site.library !== 'jsonwebtoken') return [];
  return ['HS256', 'RS256', 'ES256'].map((alg) => ({
    messageId: 'addAlgorithms',
    data: { alg },
    fix: (fixer: Rule.RuleFixer) => {
      const property = `algorithms: ['${alg}']`;
      if (site.options.kind === 'object') {
        const obj = site.options.node as ESTree.ObjectExpression;
        const first = obj.properties[0];
        if (obj !== unwrapNode((site.node as ESTree.CallExpression).arguments[2] as AstNode))
          return null;
        return first
          ? fixer.insertTextBefore(first, `${property}, `)
          : fixer.replaceText(obj, `{ ${property} }`);
      }
      const args = (site.node as ESTree.CallExpression).arguments;
      const third = args[2];
      if (third) return fixer.insertTextBefore(third, `{ ${property} }, `);
      const key = args[1];
      return key ? fixer.insertTextAfter(key, `, { ${property} }`) : null;
    },
  }));
}

export default defineRule({
  meta: {
    type: 'problem',
    hasSuggestions: true,
    docs: {
      description:
        'Require an algorithm allow-list of one family on verification, never taken from the token header.',
      bucket: 'validation',
      severity: 'error',
      why: 'Without a fixed allow-list an attacker picks the algorithm, for example signing with HS256 using your public key as the secret.',
      fix: "Pass algorithms: ['RS256'] (or the one algorithm you sign with) and a key from configuration, never from the token's alg, jku or jwk.",
      recommended: true,
    },
    messages: {
      missing: 'The token is verified without an algorithms allow-list.',
      mixed: 'The allow-list mixes HMAC and asymmetric algorithms ({{algs}}).',
      fromHeader: "The {{field}} used for verification is read from the token's own header.",
      embeddedKey: 'The verification key is taken from the token itself (EmbeddedJWK).',
      addAlgorithms: "Add algorithms: ['{{alg}}']",
    },
    schema: [],
  },
  create(context) {
    const { sourceCode } = context;
    const onCall = (node: ESTree.CallExpression | ESTree.NewExpression): void => {
      const site = describeVerify(node, sourceCode);
      if (!site) return;
      if (site.library === 'jose' && site.key) {
        const key = resolveConst(site.key, sourceCode);
        const resolved =
          key.type === 'Identifier' || key.type === 'MemberExpression'
            ? readLastName(key)
            : undefined;
        if (resolved === 'EmbeddedJWK')
          context.report({ node: site.key, messageId: 'embeddedKey' });
      }
      if (!NEEDS_LIST.has(site.library) || site.options.kind === 'unknown') return;
      const list =
        site.options.kind === 'object' ? findProperty(site.options.node, 'algorithms') : undefined;
      if (!list) {
        if (site.options.kind === 'object' && isOpenObject(site.options.node)) return;
        // With an HMAC secret these libraries already refuse other families (jsonwebtoken 9 derives
        // the list from the key); the confusion attack needs a public key, so only that is reported.
        if (describeKeyKind(site.key, sourceCode) !== 'asymmetric') return;
        context.report({ node, messageId: 'missing', suggest: suggestAlgorithms(site) });
        return;
      }
      const array = resolveConst(list, sourceCode);
      if (array.type !== 'ArrayExpression') return;
      const algs = array.elements
        .map((e) => (e ? readStaticString(e as AstNode, sourceCode) : undefined))
        .filter((a): a is string => a !== undefined);
      const families = new Set(algs.map(describeFamily).filter(Boolean));
      if (families.size > 1)
        context.report({ node: list, messageId: 'mixed', data: { algs: algs.join(', ') } });
    };
    return {
      CallExpression: onCall,
      NewExpression: onCall,
      MemberExpression(node) {
        const field = readKeyName(node.property as AstNode, node.computed);
        if (
          field === undefined ||
          !HEADER_FIELDS.has(field) ||
          !/header$/i.test(readLastName(node.object as AstNode) ?? '')
        )
          return;
        // Reading the header is fine (kid lookups do it); feeding alg/jku/jwk into key or algorithm selection is the trap.
        let child: AstNode = node;
        for (let p = node.parent as AstNode | null | undefined; p; child = p, p = p.parent) {
          if (p.type === 'Property' && p.value === child) {
            const key = readKeyName(p.key as AstNode, p.computed);
            if (
              key === 'algorithms' ||
              key === 'algorithm' ||
              key === 'jwksUri' ||
              key === 'key' ||
              key === 'secretOrKey'
            ) {
              context.report({ node, messageId: 'fromHeader', data: { field } });
              return;
            }
            continue;
          }
          if (p.type === 'CallExpression' || p.type === 'NewExpression') {
            const name = readLastName(p.callee as AstNode) ?? '';
            const verify = resolveCallee(p, sourceCode);
            if (
              KEY_IMPORTS.test(name) ||
              (verify &&
                /^(verify|jwtVerify)$/.test(verify.name) &&
                p.arguments.includes(child as ESTree.Expression))
            ) {
              if (field !== 'alg' || name !== 'fetch')
                context.report({ node, messageId: 'fromHeader', data: { field } });
            }
            return;
          }
          if (
            ![
              'ArrayExpression',
              'ObjectExpression',
              'TemplateLiteral',
              'AwaitExpression',
              'TSAsExpression',
              'TSNonNullExpression',
            ].includes(p.type)
          )
            return;
        }
      },
    };
  },
});
