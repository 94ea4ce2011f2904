/**
 * Library awareness: which call is `jsonwebtoken.verify`, which is jose's `jwtVerify`, which `new` is a
 * passport-jwt strategy. Built once per file from its imports and requires, and shared by every rule.
 */
import type { SourceCode } from 'eslint';
import type * as ESTree from 'estree';
import { readKeyName, readMemberPath } from './ast-names.js';
import { type AstNode, unwrapNode } from './ast-tree.js';

/** The libraries the rules know by name. */
export type KnownLibrary =
  | 'jsonwebtoken'
  | 'jose'
  | 'express-jwt'
  | 'passport-jwt'
  | 'jwt-decode'
  | 'jwt-simple'
  | 'fast-jwt'
  | '@nestjs/jwt'
  | 'axios'
  | 'crypto';

const MODULES: Record<string, KnownLibrary> = {
  jsonwebtoken: 'jsonwebtoken',
  jose: 'jose',
  'express-jwt': 'express-jwt',
  'passport-jwt': 'passport-jwt',
  'jwt-decode': 'jwt-decode',
  'jwt-simple': 'jwt-simple',
  'fast-jwt': 'fast-jwt',
  '@nestjs/jwt': '@nestjs/jwt',
  axios: 'axios',
  crypto: 'crypto',
  'node:crypto': 'crypto',
};

// Server frameworks: a file importing one of these runs where a token must be verified, not just read.
const SERVER_MODULES =
  /^(express|fastify|koa|@koa\/router|@nestjs\/.*|@hapi\/hapi|hono|node:http|http|https|node:https|next\/server|passport|passport-jwt|express-jwt|jsonwebtoken|@fastify\/.*)$/;

interface Binding {
  readonly library: KnownLibrary;
  /** 'default' and '*' both mean "the module object" for member calls. */
  readonly imported: string;
}

/** What a call or `new` resolves to: the library and the export called (`verify`, `SignJWT`, `ExtractJwt.fromUrlQueryParameter`). */
export interface ResolvedCallee {
  readonly library: KnownLibrary;
  readonly name: string;
}

interface FileFacts {
  readonly bindings: Map<string, Binding>;
  readonly server: boolean;
}

const FACTS = new WeakMap<object, FileFacts>();

function readModuleSource(node: AstNode | null | undefined): string | undefined {
  if (!node) return undefined;
  const n = unwrapNode(node);
  if (
    n.type === 'CallExpression' &&
    n.callee.type === 'Identifier' &&
    n.callee.name === 'require'
  ) {
    const arg = n.arguments[0];
    return arg?.type === 'Literal' && typeof arg.value === 'string' ? arg.value : undefined;
  }
  if (n.type === 'AwaitExpression') return readModuleSource(n.argument as AstNode);
  if (
    n.type === 'ImportExpression' &&
    n.source.type === 'Literal' &&
    typeof n.source.value === 'string'
  )
    return n.source.value;
  return undefined;
}

function bindPattern(
  pattern: ESTree.Pattern,
  library: KnownLibrary,
  bindings: Map<string, Binding>,
): void {
  if (pattern.type === 'Identifier') {
    bindings.set(pattern.name, { library, imported: '*' });
    return;
  }
  if (pattern.type !== 'ObjectPattern') return;
  for (const prop of pattern.properties) {
    if (prop.type !== 'Property') continue;
    const imported = readKeyName(prop.key as AstNode, prop.computed);
    const local = prop.value.type === 'AssignmentPattern' ? prop.value.left : prop.value;
    if (imported !== undefined && local.type === 'Identifier')
      bindings.set(local.name, { library, imported });
  }
}

function collectFacts(program: ESTree.Program): FileFacts {
  const bindings = new Map<string, Binding>();
  let server = false;
  const noteSource = (source: string): KnownLibrary | undefined => {
    if (SERVER_MODULES.test(source)) server = true;
    return MODULES[source];
  };
  for (const statement of program.body) {
    if (statement.type === 'ImportDeclaration') {
      const library = noteSource(String(statement.source.value));
      if (!library) continue;
      for (const spec of statement.specifiers) {
        const imported =
          spec.type === 'ImportSpecifier'
            ? (readKeyName(spec.imported as AstNode) ?? 'default')
            : spec.type === 'ImportDefaultSpecifier'
              ? 'default'
              : '*';
        bindings.set(spec.local.name, { library, imported });
      }
    } else if (statement.type === 'VariableDeclaration') {
      for (const decl of statement.declarations) {
        const init = decl.init ? unwrapNode(decl.init as AstNode) : undefined;
        // const JwtStrategy = require('passport-jwt').Strategy
        if (init?.type === 'MemberExpression' && decl.id.type === 'Identifier') {
          const inner = readModuleSource(init.object as AstNode);
          const library = inner === undefined ? undefined : noteSource(inner);
          const imported = readKeyName(init.property as AstNode, init.computed);
          if (library && imported !== undefined) bindings.set(decl.id.name, { library, imported });
          continue;
        }
        const source = readModuleSource(decl.init as AstNode | null);
        const library = source === undefined ? undefined : noteSource(source);
        if (library) bindPattern(decl.id, library, bindings);
      }
    } else if ((statement.type as string) === 'TSImportEqualsDeclaration') {
      const s = statement as unknown as {
        id: ESTree.Identifier;
        moduleReference: { expression?: ESTree.Literal };
      };
      const library = noteSource(String(s.moduleReference.expression?.value ?? ''));
      if (library) bindings.set(s.id.name, { library, imported: '*' });
    }
  }
  return { bindings, server };
}

function readFacts(sourceCode: SourceCode): FileFacts {
  const program = sourceCode.ast;
  let facts = FACTS.get(program);
  if (!facts) {
    facts = collectFacts(program);
    FACTS.set(program, facts);
  }
  return facts;
}

/**
 * Resolves the callee of a call or `new` to a known library export, through this file's imports.
 * Without an import, a bare `jwt.verify`/`jwt.sign`/`jwt.decode` is still taken as jsonwebtoken, the
 * way most snippets and wrappers name it.
 *
 * @example
 * ```ts
 * resolveCallee(node, sourceCode); // { library: 'jsonwebtoken', name: 'verify' } for `jwt.verify(t, k)`
 * ```
 */
export function resolveCallee(
  node: ESTree.CallExpression | ESTree.NewExpression,
  sourceCode: SourceCode,
): ResolvedCallee | undefined {
  // Sixteen rules ask about the same calls; resolve each once per file.
  const cached = RESOLVED.get(node);
  if (cached !== undefined) return cached ?? undefined;
  const resolved = resolveUncached(node, sourceCode);
  RESOLVED.set(node, resolved ?? null);
  return resolved;
}

const RESOLVED = new WeakMap<object, ResolvedCallee | null>();

function resolveUncached(
  node: ESTree.CallExpression | ESTree.NewExpression,
  sourceCode: SourceCode,
): ResolvedCallee | undefined {
  const { bindings } = readFacts(sourceCode);
  const callee = unwrapNode(node.callee as AstNode);
  if (callee.type === 'Identifier') {
    const binding = bindings.get(callee.name);
    if (binding)
      return {
        library: binding.library,
        name: binding.imported === '*' ? 'default' : binding.imported,
      };
    return undefined;
  }
  if (callee.type !== 'MemberExpression') return undefined;
  const name = readKeyName(callee.property as AstNode, callee.computed);
  if (name === undefined) return undefined;
  const object = unwrapNode(callee.object as AstNode);
  if (object.type === 'Identifier') {
    const binding = bindings.get(object.name);
    if (binding) {
      const isModule = binding.imported === '*' || binding.imported === 'default';
      return { library: binding.library, name: isModule ? name : `${binding.imported}.${name}` };
    }
    if (
      (object.name === 'jwt' || object.name === 'jsonwebtoken') &&
      /^(verify|sign|decode)$/.test(name)
    ) {
      return { library: 'jsonwebtoken', name };
    }
    if (object.name === 'crypto') return { library: 'crypto', name };
  }
  const path = readMemberPath(object);
  if (path === 'ExtractJwt' || path?.endsWith('.ExtractJwt'))
    return { library: 'passport-jwt', name: `ExtractJwt.${name}` };
  return undefined;
}

/**
 * What an identifier is bound to by this file's imports (`Strategy` → passport-jwt's `Strategy`).
 *
 * @example
 * ```ts
 * resolveBinding('Strategy', sourceCode); // { library: 'passport-jwt', name: 'Strategy' }
 * ```
 */
export function resolveBinding(name: string, sourceCode: SourceCode): ResolvedCallee | undefined {
  const binding = readFacts(sourceCode).bindings.get(name);
  if (!binding) return undefined;
  return {
    library: binding.library,
    name: binding.imported === '*' ? 'default' : binding.imported,
  };
}

/**
 * Tells whether the file imports a library at all (a Nest service calls `this.jwtService.sign`, with
 * `JwtService` only in the constructor's types).
 *
 * @example
 * ```ts
 * importsLibrary(sourceCode, '@nestjs/jwt'); // true
 * ```
 */
export function importsLibrary(sourceCode: SourceCode, library: KnownLibrary): boolean {
  for (const binding of readFacts(sourceCode).bindings.values())
    if (binding.library === library) return true;
  return false;
}

/**
 * Tells whether a call resolves to one of the given exports of a library.
 *
 * @example
 * ```ts
 * isLibraryCall(node, sourceCode, 'jsonwebtoken', ['verify']);
 * ```
 */
export function isLibraryCall(
  node: ESTree.CallExpression | ESTree.NewExpression,
  sourceCode: SourceCode,
  library: KnownLibrary,
  names: readonly string[],
): boolean {
  const resolved = resolveCallee(node, sourceCode);
  return resolved?.library === library && names.includes(resolved.name);
}

/**
 * Tells whether the file runs on a server: it imports a server framework or a server-only JWT library,
 * or has a route handler shaped `(req, res)`.
 *
 * @example
 * ```ts
 * isServerFile(sourceCode); // true for an Express app
 * ```
 */
export function isServerFile(sourceCode: SourceCode): boolean {
  return (
    readFacts(sourceCode).server ||
    /\(\s*(req|request)\s*(:\s*\w+)?\s*,\s*(res|reply|response)\b/.test(sourceCode.text)
  );
}

/**
 * The path of the route a handler serves, for `app.post('/refresh', handler)` and the like.
 *
 * @example
 * ```ts
 * readRoutePath(fn); // '/auth/refresh'
 * ```
 */
export function readRoutePath(fn: AstNode): string | undefined {
  const call = fn.parent;
  if (call?.type !== 'CallExpression' || call.callee.type !== 'MemberExpression') return undefined;
  const method = readKeyName(call.callee.property as AstNode, call.callee.computed);
  if (method === undefined || !/^(get|post|put|patch|delete|all|use|route)$/.test(method))
    return undefined;
  const first = call.arguments[0];
  if (first?.type === 'Literal' && typeof first.value === 'string') return first.value;
  if (first?.type === 'TemplateLiteral') return first.quasis.map((q) => q.value.cooked).join('*');
  return undefined;
}
