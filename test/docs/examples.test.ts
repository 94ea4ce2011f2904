import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

// Every TSDoc @example that imports from 'tessera-auth' (or a subpath) is a snippet a user could
// paste: this test compiles each one as its own module against the built package, the way a user's
// project sees it (self-reference through package.json "exports" to dist/, which global-setup builds).
// The entry points a user starts from must each have one, 5 to 15 lines long.

const ROOT = join(import.meta.dirname, '../..');
const WORK = join(ROOT, '.tessera', 'examples');

const ENTRY_POINTS: readonly { file: string; name: string }[] = [
  { file: 'src/server/server-entry.ts', name: 'createTesseraServer' },
  { file: 'src/sessions/session-manager.ts', name: 'createSessionManager' },
  { file: 'src/adapters/express.ts', name: 'requireAuth' },
  { file: 'src/adapters/fastify.ts', name: 'requireAuth' },
  { file: 'src/adapters/hono.ts', name: 'requireAuth' },
  { file: 'src/client/auth-client.ts', name: 'createAuthClient' },
  { file: 'src/client/ticket.ts', name: 'ticketUrl' },
  { file: 'src/http/ticket-auth.ts', name: 'createTicketAuthenticator' },
  { file: 'src/jwt/verify-access-token.ts', name: 'createAccessTokenVerifier' },
  { file: 'src/verify/web.ts', name: 'createGuard' },
  { file: 'src/verify/web.ts', name: 'createVerifier' },
  { file: 'src/store/sqlite/open-sqlite-store.ts', name: 'openSqliteStore' },
  { file: 'src/store/postgres/open-postgres-store.ts', name: 'openPostgresStore' },
];

interface Example {
  readonly file: string;
  readonly symbol: string;
  readonly code: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

/** The ```ts blocks of each @example, with the name of the export the comment documents. */
function examplesOf(path: string): Example[] {
  const text = readFileSync(path, 'utf8');
  const found: Example[] = [];
  for (const comment of text.matchAll(
    /\/\*\*((?:(?!\*\/)[\s\S])*?)\*\/\s*export\s+(?:default\s+)?(?:async\s+)?(?:function|const|class|interface|type|let|abstract class)\s+(\w+)/g,
  )) {
    const body = (comment[1] as string).replace(/^[ \t]*\* ?/gm, '');
    for (const block of body.matchAll(/@example\s*```ts\n([\s\S]*?)```/g)) {
      found.push({
        file: relative(ROOT, path),
        symbol: comment[2] as string,
        code: block[1] as string,
      });
    }
  }
  return found;
}

const all = sourceFiles(join(ROOT, 'src')).flatMap(examplesOf);
const pasteable = all.filter((example) => /from 'tessera-auth(\/[\w/-]+)?'/.test(example.code));

afterAll(() => rmSync(WORK, { recursive: true, force: true }));

describe('TSDoc examples', () => {
  it('gives each entry point a whole snippet of 5 to 15 lines that imports the package', () => {
    const missing = ENTRY_POINTS.filter(
      (entry) =>
        !pasteable.some((example) => {
          const lines = example.code.trim().split('\n').length;
          return (
            example.file === entry.file &&
            example.symbol === entry.name &&
            lines >= 5 &&
            lines <= 15
          );
        }),
    );
    expect(missing).toEqual([]);
  });

  it('compiles every pasteable example against the built package', () => {
    rmSync(WORK, { recursive: true, force: true });
    mkdirSync(WORK, { recursive: true });
    const files = pasteable.map((example, i) => {
      const file = join(WORK, `example-${i}.ts`);
      // `export {}` keeps each snippet a module of its own, so their names never collide.
      writeFileSync(file, `${example.code}\nexport {};\n`);
      return { file, example };
    });
    const program = ts.createProgram(
      files.map((entry) => entry.file),
      {
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        target: ts.ScriptTarget.ES2022,
        lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
        types: ['node'],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
      },
    );
    const problems = ts.getPreEmitDiagnostics(program).map((diagnostic) => {
      const owner = files.find((entry) => entry.file === diagnostic.file?.fileName);
      const where =
        owner === undefined
          ? diagnostic.file?.fileName
          : `${owner.example.file} ${owner.example.symbol}`;
      return `${where}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
    });
    expect(pasteable.length).toBeGreaterThanOrEqual(ENTRY_POINTS.length);
    expect(problems).toEqual([]);
  });
});
