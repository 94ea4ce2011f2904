// packages/client/build.js ships only what the client reaches, and refuses, naming the file, any
// import it cannot ship: a package name (static or dynamic, node: built-ins too) or a compiled file
// of the server. Each case is a small hostile compiled tree handed to the real script with --from.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const SCRIPT = join(process.cwd(), 'packages/client/build.js');
const ENTRIES = ['index', 'ticket', 'file-storage', 'axios', 'react'];
const work = mkdtempSync(join(tmpdir(), 'tessera-client-build-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let count = 0;

/** A compiled tree with the five entry points; `index.js` is `index`, plus any `extra` files. */
function tree(index: string, extra: Record<string, string> = {}): string {
  const dist = join(work, `dist-${++count}`);
  const files: Record<string, string> = {
    ...Object.fromEntries(
      ENTRIES.flatMap((entry) => [
        [`client/${entry}.js`, 'export {};\n'],
        [`client/${entry}.d.ts`, 'export {};\n'],
      ]),
    ),
    'client/index.js': index,
    ...extra,
  };
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dist, file)), { recursive: true });
    writeFileSync(join(dist, file), text);
  }
  return dist;
}

async function build(dist: string): Promise<{ ok: boolean; stderr: string; out: string }> {
  const out = join(work, `out-${count}`);
  return run(process.execPath, [SCRIPT, out, '--from', dist]).then(
    () => ({ ok: true, stderr: '', out }),
    (error: { stderr: string }) => ({ ok: false, stderr: error.stderr, out }),
  );
}

describe('packages/client/build.js', () => {
  it('follows imports into errors/ and wire/ and ships those files with their declarations', async () => {
    const dist = tree("import { A } from '../wire/names.js';\nexport const b = A;\n", {
      'wire/names.js': "export * from '../errors/codes.js';\n",
      'wire/names.d.ts': 'export {};\n',
      'errors/codes.js': 'export const A = 1;\n',
      'errors/codes.d.ts': 'export declare const A = 1;\n',
      'errors/unused.js': 'export {};\n',
    });
    const built = await build(dist);
    expect(built).toMatchObject({ ok: true });
    expect(existsSync(join(built.out, 'dist/errors/codes.d.ts'))).toBe(true);
    expect(existsSync(join(built.out, 'dist/errors/unused.js'))).toBe(false);
  });

  it('reads an import in a TSDoc example as the comment it is', async () => {
    const built = await build(tree("/**\n * import * as React from 'react';\n */\nexport {};\n"));
    expect(built).toMatchObject({ ok: true });
  });

  it.each([
    ["import { Hono } from 'hono';\n", '"hono"'],
    ["const fs = await import('node:fs');\nexport { fs };\n", '"node:fs"'],
    ["export { verify } from '../jwt/verify.js';\n", '../jwt/verify.js'],
    ["import '../../outside.js';\n", '../../outside.js'],
  ])('refuses %j, naming %s', async (index, named) => {
    const built = await build(tree(index));
    expect(built.ok).toBe(false);
    expect(built.stderr).toContain('client/index.js imports');
    expect(built.stderr).toContain(named);
    expect(existsSync(join(built.out, 'package.json'))).toBe(false);
  });
});
