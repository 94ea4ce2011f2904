// Bundles a version's React page as `vite build` would: client/main.jsx and index.html into its
// dist/ (ignored by git), which its server serves. `node build.js before` or `node build.js after`.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { build } from 'rolldown';

const version = process.argv[2];
if (version !== 'before' && version !== 'after') {
  process.stderr.write('Usage: node build.js before|after\n');
  process.exit(2);
}
const here = join(import.meta.dirname, version);
await build({
  input: join(here, 'client/main.jsx'),
  platform: 'browser',
  transform: { jsx: 'react-jsx', define: { 'process.env.NODE_ENV': '"production"' } },
  output: {
    file: join(here, 'dist/app.js'),
    format: 'esm',
    minify: true,
    codeSplitting: false,
    postBanner: '/* eslint-disable */', // built code, not source
  },
  logLevel: 'warn',
});
copyFileSync(join(here, 'index.html'), join(here, 'dist/index.html'));
