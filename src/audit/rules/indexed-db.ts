/** IndexedDB writes that keep a token: idb-keyval's `set`, and `put`/`add` through idb, Dexie or the raw API. */
import type * as ESTree from 'estree';
import { readLastName, readMemberPath } from '../ast-names.js';
import type { AstNode } from '../ast-tree.js';

/** What a file says about IndexedDB before any call is judged. */
export interface IndexedDbFacts {
  /** Local names bound to idb-keyval's writers (`set`, `setMany`, `update`). */
  readonly keyvalSetters: ReadonlySet<string>;
  /** Local names of `import * as x from 'idb-keyval'`. */
  readonly namespaces: ReadonlySet<string>;
  /** The file imports idb or Dexie, or names `indexedDB`: its `put`/`add` calls are IndexedDB writes. */
  readonly used: boolean;
}

const KEYVAL_WRITERS = new Set(['set', 'setMany', 'update']);
const WRAPPERS = new Set(['idb', 'dexie']);

/**
 * Reads the imports and globals that make a file's calls IndexedDB writes.
 *
 * @example
 * ```ts
 * const facts = readIndexedDbFacts(program, sourceCode.text); // in a rule's Program visitor
 * ```
 */
export function readIndexedDbFacts(program: ESTree.Program, text: string): IndexedDbFacts {
  const keyvalSetters = new Set<string>();
  const namespaces = new Set<string>();
  let used = false;
  for (const statement of program.body) {
    if (statement.type !== 'ImportDeclaration') continue;
    const source = String(statement.source.value);
    if (WRAPPERS.has(source)) used = true;
    if (source !== 'idb-keyval') continue;
    for (const specifier of statement.specifiers) {
      if (specifier.type === 'ImportNamespaceSpecifier') namespaces.add(specifier.local.name);
      if (specifier.type !== 'ImportSpecifier') continue;
      const imported =
        specifier.imported.type === 'Identifier'
          ? specifier.imported.name
          : String(specifier.imported.value);
      if (KEYVAL_WRITERS.has(imported)) keyvalSetters.add(specifier.local.name);
    }
  }
  // A file that opens the database itself names the global; its text says so without a tree walk.
  return { keyvalSetters, namespaces, used: used || /\bindexedDB\b/.test(text) };
}

function holdsTokenProperty(
  node: AstNode | undefined,
  isTokenish: (n: AstNode) => boolean,
): boolean {
  if (node?.type !== 'ObjectExpression') return false;
  return node.properties.some(
    (property) =>
      property.type === 'Property' &&
      (isTokenish(property.key as AstNode) || isTokenish(property.value as AstNode)),
  );
}

/**
 * Whether a call writes a token to IndexedDB: a token-named key, value, store or record field.
 *
 * @example
 * ```ts
 * if (writesIndexedDbToken(node, facts, isTokenish)) context.report({ node, messageId: 'webStorage' });
 * ```
 */
export function writesIndexedDbToken(
  node: ESTree.CallExpression,
  facts: IndexedDbFacts,
  isTokenish: (node: AstNode | undefined) => boolean,
): boolean {
  const args = node.arguments as AstNode[];
  const tokenArgument = args.some((arg) => isTokenish(arg) || holdsTokenProperty(arg, isTokenish));
  const callee = node.callee as AstNode;
  if (callee.type === 'Identifier') return facts.keyvalSetters.has(callee.name) && tokenArgument;
  if (callee.type !== 'MemberExpression') return false;
  const method = readLastName(callee);
  const owner = readMemberPath(callee.object as AstNode) ?? '';
  if (facts.namespaces.has(owner) && method !== undefined && KEYVAL_WRITERS.has(method))
    return tokenArgument;
  if (!facts.used || (method !== 'put' && method !== 'add')) return false;
  // Dexie's `db.tokens.put(row)` and idb's `objectStore('auth')` name the store after what it keeps.
  return tokenArgument || isTokenish(callee.object as AstNode);
}
