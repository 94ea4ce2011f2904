/** Rule: signing keys generated when the module loads, so every restart or extra instance invalidates all sessions. */
import { readKeyName, readLastName, readMemberPath } from '../ast-names.js';
import { type AstNode, hasDescendant } from '../ast-tree.js';
import { defineRule } from '../rule-kit.js';

const KEY_NAME = /secret|signing|jwt|private_?key|^key$|token_?key|hmac_?key|key_?pair|keys$/i;
const NOT_A_KEY =
  /api_?key|cache|request|nonce|salt|^iv$|trace|correlation|instance|cookie_?name|public/i;
const GENERATORS =
  /^(randomBytes|randomUUID|generateKeyPairSync|generateKeySync|generateKeyPair|generateSecret|generateKey|uuid|v4|uuidv4|nanoid|getRandomValues)$/;

function isAtModuleLevel(node: AstNode): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (
      p.type === 'FunctionDeclaration' ||
      p.type === 'FunctionExpression' ||
      p.type === 'ArrowFunctionExpression' ||
      p.type === 'ClassBody'
    )
      return false;
  }
  return true;
}

export default defineRule({
  meta: {
    type: 'problem',
    docs: {
      description:
        'Disallow signing keys generated at module load with randomBytes, randomUUID, Math.random or key generators.',
      bucket: 'validation',
      severity: 'error',
      why: 'A key created at startup changes on every restart, deploy and extra instance, so every token issued before stops verifying and users are logged out at random.',
      fix: 'Load the key from configuration or a key store shared by all instances, and rotate it with overlapping kids.',
      recommended: true,
    },
    messages: {
      ephemeral:
        '"{{name}}" is generated when the module loads, so it changes on every restart and differs between instances.',
    },
    schema: [],
  },
  create(context) {
    const { sourceCode } = context;
    const isGenerated = (init: AstNode): boolean =>
      hasDescendant(
        { type: 'ExpressionStatement', expression: init } as unknown as AstNode,
        sourceCode,
        (n) => {
          if (n.type !== 'CallExpression') return false;
          const name = readLastName(n.callee as AstNode) ?? '';
          return GENERATORS.test(name) || readMemberPath(n.callee as AstNode) === 'Math.random';
        },
      );
    const check = (
      name: string | undefined,
      init: AstNode | null | undefined,
      node: AstNode,
    ): void => {
      if (!name || !init || !KEY_NAME.test(name) || NOT_A_KEY.test(name) || !isAtModuleLevel(node))
        return;
      if (isGenerated(init)) context.report({ node, messageId: 'ephemeral', data: { name } });
    };
    return {
      VariableDeclarator(node) {
        const id = node.id as AstNode;
        // Object literals are checked property by property, so `const jwtConfig = { secret: ... }` reports once.
        if (node.init?.type === 'ObjectExpression') return;
        const names =
          id.type === 'Identifier'
            ? [id.name]
            : id.type === 'ObjectPattern'
              ? id.properties.map((p) =>
                  p.type === 'Property' ? (readKeyName(p.key as AstNode, p.computed) ?? '') : '',
                )
              : [];
        check(
          names.find((n) => KEY_NAME.test(n) && !NOT_A_KEY.test(n)),
          node.init as AstNode | null,
          node as AstNode,
        );
      },
      Property(node) {
        if (node.parent.type !== 'ObjectExpression' || node.value.type === 'ObjectExpression')
          return;
        check(
          readKeyName(node.key as AstNode, node.computed),
          node.value as AstNode,
          node as AstNode,
        );
      },
      PropertyDefinition(node) {
        // Static class fields run once per process, exactly like a module-level const.
        if (!node.static) return;
        const name = readKeyName(node.key as AstNode, node.computed);
        if (
          name &&
          KEY_NAME.test(name) &&
          !NOT_A_KEY.test(name) &&
          node.value &&
          isGenerated(node.value as AstNode)
        ) {
          context.report({ node, messageId: 'ephemeral', data: { name } });
        }
      },
    };
  },
});
