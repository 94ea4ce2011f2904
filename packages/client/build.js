// Builds `tessera-auth-client`, the client alone, from the compiled tree of `tessera-auth` (dist/):
// the files the client entry points reach, followed import by import, and nothing else. src/client
// imports only errors/ and wire/ (lint enforces it), so what is reached is self-contained; this script
// still refuses any import it could not ship (a package name, a file outside client/, errors/ and
// wire/), so a dependency can never slip into a package that declares none.
//
//   npm run build:client             builds dist/ first, then dist-client/
//   node packages/client/build.js [OUT] [--from DIST]    OUT (default dist-client/) from the dist/ there
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { from: { type: 'string' } },
});
// --from: another compiled tree (the test of this script's refusals builds a hostile one).
const DIST = resolve(values.from ?? join(ROOT, 'dist'));
const OUT = resolve(positionals[0] ?? join(ROOT, 'dist-client'));

// The subpaths of tessera-auth-client and the compiled module each one is (the same modules as
// tessera-auth/client, /client/ticket, /client/file-storage, /axios and /react).
const ENTRIES = {
  '.': 'client/index',
  './ticket': 'client/ticket',
  './file-storage': 'client/file-storage',
  './axios': 'client/axios',
  './react': 'client/react',
};

// The folders of dist/ the client may reach (eslint.config.js LAYERS: client → errors, wire).
const SHIPPED = ['client', 'errors', 'wire'];

// Static imports, re-exports, dynamic imports and the `import("…")` types of declaration files.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g;

/** The specifiers a compiled file imports; comments (TSDoc examples import 'react') are not code. */
function importsOf(text) {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return [...code.matchAll(SPECIFIER)].map((match) => match[1]);
}

/** Every .js and .d.ts file the entries reach, as paths relative to dist/. */
function closure(entries) {
  const seen = new Set();
  const queue = entries.flatMap((entry) => [`${entry}.js`, `${entry}.d.ts`]);
  while (queue.length > 0) {
    const file = queue.pop();
    if (seen.has(file)) continue;
    const path = join(DIST, file);
    if (!existsSync(path)) throw new Error(`${file} is not in dist/: run npm run build first`);
    seen.add(file);
    for (const specifier of importsOf(readFileSync(path, 'utf8'))) {
      if (!specifier.startsWith('./') && !specifier.startsWith('../'))
        throw new Error(
          `${file} imports "${specifier}": tessera-auth-client has no dependencies, so the client may import only errors/ and wire/`,
        );
      const target = relative(DIST, resolve(dirname(path), specifier));
      const base = target.split(sep).join('/').replace(/\.js$/, '');
      if (!SHIPPED.some((folder) => base.startsWith(`${folder}/`)))
        throw new Error(
          `${file} imports ${specifier}: the client package carries only ${SHIPPED.join('/, ')}/`,
        );
      queue.push(`${base}.js`, `${base}.d.ts`);
    }
  }
  return [...seen].sort();
}

const main = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const files = closure(Object.values(ENTRIES));

rmSync(OUT, { recursive: true, force: true });
for (const file of files) {
  const target = join(OUT, 'dist', file);
  mkdirSync(dirname(target), { recursive: true });
  if (file.endsWith('.js'))
    // The source maps point into src/, which this package does not carry.
    writeFileSync(
      target,
      readFileSync(join(DIST, file), 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n'),
    );
  else copyFileSync(join(DIST, file), target);
}
copyFileSync(join(ROOT, 'packages/client/README.md'), join(OUT, 'README.md'));

const manifest = {
  name: 'tessera-auth-client',
  // One version for both packages: the client speaks the wire of the server released with it.
  version: main.version,
  description:
    'The Tessera auth client alone (browser, Node, React Native; axios and React helpers): no dependencies, no server.',
  license: main.license,
  type: 'module',
  sideEffects: false,
  exports: {
    ...Object.fromEntries(
      Object.entries(ENTRIES).map(([subpath, module]) => [
        subpath,
        { types: `./dist/${module}.d.ts`, default: `./dist/${module}.js` },
      ]),
    ),
    './package.json': './package.json',
  },
  files: ['dist'],
  keywords: ['jwt', 'auth', 'refresh-token', 'session', 'client'],
};
writeFileSync(join(OUT, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
process.stdout.write(
  `tessera-auth-client ${manifest.version}: ${files.length} files in ${relative(process.cwd(), OUT) || '.'}\n`,
);
