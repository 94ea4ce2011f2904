import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const CLIENT = new URL('../../src/client/', import.meta.url);
// The one server module the client may run: the wire names, a leaf the server and the doctor share.
const WIRE_NAMES = '../wire/names.js';

/** The browser entry's module graph, followed from index.ts through its relative imports. */
function browserGraph(): Map<string, string> {
  const files = new Map<string, string>();
  const visit = (name: string): void => {
    if (files.has(name)) return;
    const source = readFileSync(new URL(name, CLIENT), 'utf8');
    files.set(name, source);
    for (const [, specifier] of source.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gm)) {
      if (specifier!.startsWith('./')) visit(specifier!.slice(2).replace(/\.js$/, '.ts'));
      if (specifier === WIRE_NAMES) visit(WIRE_NAMES.replace(/\.js$/, '.ts'));
    }
  };
  visit('index.ts');
  return files;
}

describe('the browser entry (tessera-auth/client)', () => {
  // Minified by rolldown (oxc's minifier), which vitest already brings along; a bundler a browser app
  // would use produces the same graph. Missing rolldown fails here rather than skipping the size check.
  // 6 KB since "no logout nobody asked for": the misconfigured status with the server's detail, the
  // COOKIE_NOT_SENT diagnosis (session marker, site check, both origins) and the server's warnings, each
  // with its fix in words a developer can act on, cost about 1.1 KB; most of it is those words.
  it('weighs at most 6 KB minified and gzipped', async () => {
    const { rolldown } = await import('rolldown');
    const bundle = await rolldown({
      input: fileURLToPath(new URL('index.ts', CLIENT)),
      platform: 'browser',
      logLevel: 'silent',
    });
    const { output } = await bundle.generate({ format: 'esm', minify: true });
    await bundle.close();
    const minified = output[0].code;
    const gzipped = gzipSync(minified, { level: 9 }).length;
    const plain = [...browserGraph().values()]
      .map(
        (source) =>
          ts.transpileModule(source, {
            compilerOptions: {
              target: ts.ScriptTarget.ES2022,
              module: ts.ModuleKind.ESNext,
              removeComments: true,
              verbatimModuleSyntax: true,
            },
          }).outputText,
      )
      .join('\n');
    console.info(
      `[bundle] browser entry: ${minified.length} B minified, ${gzipped} B min+gzip; unminified tsc output ${plain.length} B, ${gzipSync(plain, { level: 9 }).length} B gzipped`,
    );
    expect(minified).not.toMatch(/from\s*["']/);
    expect(gzipped).toBeLessThanOrEqual(6 * 1024);
  });

  it('has no runtime dependencies: no node: modules, no packages, nothing from the server but the wire names and types', () => {
    for (const name of readdirSync(CLIENT).filter((file) => file.endsWith('.ts'))) {
      const source = readFileSync(new URL(name, CLIENT), 'utf8');
      for (const match of source.matchAll(
        /^(import|export)\s+(type\s+)?[^;]*?from\s+'([^']+)'/gm,
      )) {
        const [, , typeOnly, specifier] = match;
        if (specifier!.startsWith('./') || specifier === WIRE_NAMES) continue;
        expect({ name, specifier, typeOnly: typeOnly !== undefined }).toMatchObject({
          typeOnly: true,
          specifier: expect.stringMatching(/^\.\.\/errors\/codes\.js$/),
        });
      }
    }
    // What the client runs of the server's code stays a leaf: it imports nothing at all.
    const wire = readFileSync(new URL(WIRE_NAMES.replace(/\.js$/, '.ts'), CLIENT), 'utf8');
    expect(wire).not.toMatch(/^\s*(import|export)\s[^;]*?from\s+'/m);
    expect(wire).not.toMatch(/\bimport\s*\(/);
  });
});
