/**
 * The syntax tree as the rules walk it: the node type, the wrappers that never change a value, functions
 * and descent. Syntactic on purpose: the audit runs without type information, so a rule only reports what
 * the source itself shows, and anything it cannot resolve counts as "not proven unsafe".
 */
import type { SourceCode } from 'eslint';
import type * as ESTree from 'estree';

/** An ESTree node with its parent link, as ESLint hands it to rules (TS-only nodes included). */
export type AstNode = ESTree.Node & { parent?: AstNode | null };

const WRAPPERS = new Set([
  'TSAsExpression',
  'TSNonNullExpression',
  'TSSatisfiesExpression',
  'TSTypeAssertion',
  'ChainExpression',
]);

/**
 * Strips TypeScript casts, non-null assertions and optional-chain wrappers, which never change what a value is.
 *
 * @example
 * ```ts
 * unwrapNode(node); // `secret as string` -> `secret`
 * ```
 */
export function unwrapNode(node: AstNode): AstNode {
  let current = node;
  while (WRAPPERS.has(current.type as string))
    current = (current as unknown as { expression: AstNode }).expression;
  return current;
}

/**
 * Tells whether a node is a function of any syntax.
 *
 * @example
 * ```ts
 * isFunctionNode(node); // true for `async (req, res) => {}`
 * ```
 */
export function isFunctionNode(
  node: AstNode | null | undefined,
): node is ESTree.Function & AstNode {
  return (
    node?.type === 'FunctionDeclaration' ||
    node?.type === 'FunctionExpression' ||
    node?.type === 'ArrowFunctionExpression'
  );
}

/**
 * The nearest function around a node, or undefined at module level.
 *
 * @example
 * ```ts
 * findEnclosingFunction(callNode); // the route handler the call sits in
 * ```
 */
export function findEnclosingFunction(node: AstNode): (ESTree.Function & AstNode) | undefined {
  for (let p = node.parent; p; p = p.parent) if (isFunctionNode(p)) return p;
  return undefined;
}

/**
 * Visits every descendant of a node (TS nodes included, through the parser's visitor keys).
 * Return `false` from the callback to skip a subtree.
 *
 * @example
 * ```ts
 * visitDescendants(fn.body, sourceCode, (n) => { if (n.type === 'CallExpression') calls.push(n); });
 * ```
 */
export function visitDescendants(
  root: AstNode,
  sourceCode: SourceCode,
  visit: (node: AstNode) => boolean | void,
): void {
  const keys = sourceCode.visitorKeys;
  const stack: AstNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as AstNode;
    if (node !== root && visit(node) === false) continue;
    const childKeys = keys[node.type] ?? [];
    for (const key of childKeys) {
      const child = (node as unknown as Record<string, unknown>)[key];
      if (Array.isArray(child)) {
        for (const c of child)
          if (c && typeof (c as AstNode).type === 'string') stack.push(c as AstNode);
      } else if (child && typeof (child as AstNode).type === 'string') {
        stack.push(child as AstNode);
      }
    }
  }
}

/**
 * Tells whether any descendant matches a predicate.
 *
 * @example
 * ```ts
 * hasDescendant(fn, sourceCode, (n) => n.type === 'Literal' && n.value === 401);
 * ```
 */
export function hasDescendant(
  root: AstNode,
  sourceCode: SourceCode,
  test: (node: AstNode) => boolean,
): boolean {
  let found = false;
  visitDescendants(root, sourceCode, (node) => {
    if (found) return false;
    if (test(node)) found = true;
    return !found;
  });
  return found;
}
