/**
 * The values the source spells out: object-literal properties, `const` initializers followed a few hops,
 * and constant strings and numbers. Anything computed at run time reads as undefined, which the rules
 * treat as "not proven unsafe" rather than guessing.
 */
import type { SourceCode } from 'eslint';
import type * as ESTree from 'estree';
import { readKeyName } from './ast-names.js';
import { unwrapNode, type AstNode } from './ast-tree.js';

/**
 * Finds a property of an object literal by name and returns its value node.
 *
 * @example
 * ```ts
 * findProperty(options, 'expiresIn'); // the `'15m'` node of `{ expiresIn: '15m' }`
 * ```
 */
export function findProperty(node: AstNode | undefined, name: string): AstNode | undefined {
  if (node?.type !== 'ObjectExpression') return undefined;
  for (const prop of node.properties) {
    if (prop.type === 'Property' && readKeyName(prop.key as AstNode, prop.computed) === name)
      return prop.value as AstNode;
  }
  return undefined;
}

/**
 * Tells whether an object literal may hold properties the source does not show (a spread).
 *
 * @example
 * ```ts
 * isOpenObject(node); // true for `{ ...defaults, audience }`
 * ```
 */
export function isOpenObject(node: AstNode): boolean {
  return (
    node.type === 'ObjectExpression' && node.properties.some((p) => p.type === 'SpreadElement')
  );
}

/**
 * Follows an identifier to the initializer of the `const` it names in this file, up to a few hops.
 *
 * @example
 * ```ts
 * resolveConst(node, sourceCode); // the object literal behind `jwt.verify(t, k, OPTIONS)`
 * ```
 */
export function resolveConst(node: AstNode, sourceCode: SourceCode): AstNode {
  let current = unwrapNode(node);
  for (let hop = 0; hop < 4 && current.type === 'Identifier'; hop += 1) {
    const init = findConstInit(current, sourceCode);
    if (init === undefined) break;
    current = unwrapNode(init);
  }
  return current;
}

function findConstInit(node: ESTree.Identifier, sourceCode: SourceCode): AstNode | undefined {
  let scope: ReturnType<SourceCode['getScope']> | null = sourceCode.getScope(node);
  while (scope) {
    const variable = scope.set.get(node.name);
    if (variable) {
      const def = variable.defs[0];
      if (variable.defs.length !== 1 || def?.type !== 'Variable' || def.parent.kind !== 'const')
        return undefined;
      const declarator = def.node as ESTree.VariableDeclarator;
      return declarator.id.type === 'Identifier' && declarator.init
        ? (declarator.init as AstNode)
        : undefined;
    }
    scope = scope.upper;
  }
  return undefined;
}

/**
 * Evaluates a string the source spells out: literals, template literals without expressions, `+` of those, consts.
 *
 * @example
 * ```ts
 * readStaticString(node, sourceCode); // 'secret' for `const S = 'sec' + 'ret'; ... S`
 * ```
 */
export function readStaticString(
  node: AstNode | undefined,
  sourceCode: SourceCode,
): string | undefined {
  if (node === undefined) return undefined;
  const value = resolveConst(node, sourceCode);
  if (value.type === 'Literal') return typeof value.value === 'string' ? value.value : undefined;
  if (value.type === 'TemplateLiteral')
    return value.expressions.length === 0
      ? (value.quasis[0]?.value.cooked ?? undefined)
      : undefined;
  if (value.type === 'BinaryExpression' && value.operator === '+') {
    const left = readStaticString(value.left as AstNode, sourceCode);
    const right = readStaticString(value.right as AstNode, sourceCode);
    return left !== undefined && right !== undefined ? left + right : undefined;
  }
  return undefined;
}

/**
 * Evaluates constant arithmetic such as `60 * 60 * 24` or a `const` holding it.
 *
 * @example
 * ```ts
 * readStaticNumber(node, sourceCode); // 86400
 * ```
 */
export function readStaticNumber(
  node: AstNode | undefined,
  sourceCode: SourceCode,
): number | undefined {
  if (node === undefined) return undefined;
  const value = resolveConst(node, sourceCode);
  if (value.type === 'Literal') return typeof value.value === 'number' ? value.value : undefined;
  if (value.type === 'UnaryExpression' && value.operator === '-') {
    const inner = readStaticNumber(value.argument as AstNode, sourceCode);
    return inner === undefined ? undefined : -inner;
  }
  if (value.type !== 'BinaryExpression') return undefined;
  const left = readStaticNumber(value.left as AstNode, sourceCode);
  const right = readStaticNumber(value.right as AstNode, sourceCode);
  if (left === undefined || right === undefined) return undefined;
  switch (value.operator) {
    case '+':
      return left + right;
    case '-':
      return left - right;
    case '*':
      return left * right;
    case '/':
      return right === 0 ? undefined : left / right;
    default:
      return undefined;
  }
}
