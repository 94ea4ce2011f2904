/**
 * What every audit rule is made of: its metadata shape and the small AST helpers the rules share.
 * The helpers stay syntactic on purpose: the audit runs without type information, so a rule only
 * reports what the source itself shows, and anything it cannot resolve counts as "not proven unsafe".
 */
import type { Rule, SourceCode } from 'eslint';
import type * as ESTree from 'estree';
import type { Bucket } from '../errors/codes.js';

/** An ESTree node with its parent link, as ESLint hands it to rules (TS-only nodes included). */
export type AstNode = ESTree.Node & { parent?: AstNode | null };

/** Severity a rule carries in the `recommended` preset. */
export type RuleSeverity = 'error' | 'warn';

/** The `meta.docs` every Tessera rule carries; the report and SARIF read `why` and `fix` from here. */
export interface TesseraRuleDocs {
  readonly description: string;
  readonly bucket: Bucket;
  readonly severity: RuleSeverity;
  /** One sentence: what goes wrong in production when this trap is left in. */
  readonly why: string;
  /** One sentence: what to write instead. */
  readonly fix: string;
  readonly recommended: true;
  readonly url?: string;
}

/** An ESLint rule module whose docs are always Tessera's. */
export interface TesseraRule extends Rule.RuleModule {
  meta: Rule.RuleMetaData & { docs: TesseraRuleDocs };
}

/**
 * Declares a rule with Tessera's metadata; exists so every rule is type-checked against {@link TesseraRule}.
 *
 * @example
 * ```ts
 * export default defineRule({ meta: { type: 'problem', docs, messages, schema: [] }, create: () => ({}) });
 * ```
 */
export function defineRule(rule: TesseraRule): TesseraRule {
  return rule;
}

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
