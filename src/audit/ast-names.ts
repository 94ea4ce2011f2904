/**
 * The names an expression goes by, as the source spells them: property keys, the last name of a chain,
 * dotted member paths, and what a function is called. The rules judge a value by these names
 * (`refreshToken`, `req.headers.authorization`) because the audit has no type information.
 */
import type * as ESTree from 'estree';
import { unwrapNode, type AstNode } from './ast-tree.js';

/**
 * Returns the static name of a property key, or undefined when it is computed from a runtime value.
 *
 * @example
 * ```ts
 * readKeyName(property.key); // 'algorithms'
 * ```
 */
export function readKeyName(key: AstNode, computed = false): string | undefined {
  if (key.type === 'Identifier' && !computed) return key.name;
  if (key.type === 'Literal' && (typeof key.value === 'string' || typeof key.value === 'number'))
    return String(key.value);
  if (key.type === 'TemplateLiteral' && key.expressions.length === 0)
    return key.quasis[0]?.value.cooked ?? undefined;
  return undefined;
}

/**
 * The last name in an expression: `token` for `token`, `authorization` for `req.headers.authorization`,
 * `toObject` for `user.toObject()`.
 *
 * @example
 * ```ts
 * readLastName(node); // 'refreshToken'
 * ```
 */
export function readLastName(node: AstNode | undefined | null): string | undefined {
  if (!node) return undefined;
  const n = unwrapNode(node);
  if (n.type === 'Identifier') return n.name;
  if (n.type === 'MemberExpression') return readKeyName(n.property as AstNode, n.computed);
  if (n.type === 'CallExpression') return readLastName(n.callee as AstNode);
  if (n.type === 'AwaitExpression') return readLastName(n.argument as AstNode);
  return undefined;
}

/**
 * The dotted path of a member chain (`req.headers.authorization`), or undefined when part of it is dynamic.
 *
 * @example
 * ```ts
 * readMemberPath(node); // 'window.localStorage.setItem'
 * ```
 */
export function readMemberPath(node: AstNode | undefined | null): string | undefined {
  if (!node) return undefined;
  const n = unwrapNode(node);
  if (n.type === 'Identifier') return n.name;
  if (n.type === 'ThisExpression') return 'this';
  if (n.type !== 'MemberExpression') return undefined;
  const head = readMemberPath(n.object as AstNode);
  const tail = readKeyName(n.property as AstNode, n.computed);
  return head === undefined || tail === undefined ? undefined : `${head}.${tail}`;
}

/**
 * The name a function goes by: its own, the variable, property or method it is assigned to.
 *
 * @example
 * ```ts
 * readFunctionName(fn); // 'handleLogout' for `const handleLogout = async () => {}`
 * ```
 */
export function readFunctionName(fn: ESTree.Function & AstNode): string | undefined {
  if ((fn.type === 'FunctionDeclaration' || fn.type === 'FunctionExpression') && fn.id)
    return fn.id.name;
  const parent = fn.parent;
  if (parent?.type === 'VariableDeclarator' && parent.id.type === 'Identifier')
    return parent.id.name;
  if ((parent?.type === 'Property' || parent?.type === 'MethodDefinition') && parent.value === fn) {
    return readKeyName(parent.key as AstNode, parent.computed);
  }
  if (parent?.type === 'AssignmentExpression') return readLastName(parent.left as AstNode);
  return undefined;
}
