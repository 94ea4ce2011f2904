// npm run bench: every section measures Tessera next to its physical limit and its peers in one run,
// prints a table, and the last line of output is one JSON object with every figure and ratio.
// Usage: npm run bench [-- --only verify,audit] [-- --quick]
// The closing table lists every target of every section that ran, met or MISSED, with figure and spread.
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { collectTargets, formatTargets, summariseTargets } from './lib/targets.js';

const SECTIONS = {
  verify: () => import('./verify.js'),
  'verify-web': () => import('./verify-web.js'),
  rotation: () => import('./rotation.js'),
  http: () => import('./http.js'),
  storm: () => import('./storm.js'),
  audit: () => import('./audit.js'),
  imports: () => import('./imports.js'),
  revocation: () => import('./revocation.js'),
  passwords: () => import('./passwords.js'),
  reset: () => import('./reset.js'),
  peers: () => import('./peers.js'),
  remoteRevocation: () => import('./remote-revocation.js'),
  scale: () => import('./scale.js'),
};

const { values } = parseArgs({
  options: { only: { type: 'string' }, quick: { type: 'boolean', default: false } },
  allowPositionals: false,
});
const wanted = values.only ? values.only.split(',') : Object.keys(SECTIONS);
// Issue 16: a whole quick run fits in three minutes, so it can be run before every change.
const QUICK_BUDGET_S = 180;
const started = performance.now();
// Built here, not by the npm script, so the quick budget counts the build as a user waits for it, and a
// stale dist/ is never measured.
if (!process.env.TESSERA_BENCH_NO_BUILD) {
  execFileSync('npm', ['run', '-s', 'build'], { stdio: 'inherit' });
  console.log(`(build: ${Math.round((performance.now() - started) / 100) / 10} s)`);
}
const ran = [];
const failed = [];
const results = {
  node: process.version,
  cpus: (await import('node:os')).cpus().length,
  quick: values.quick,
};

for (const name of wanted) {
  const load = SECTIONS[name];
  if (!load) {
    console.error(`unknown bench section ${name}; known: ${Object.keys(SECTIONS).join(', ')}`);
    process.exit(2);
  }
  let mod;
  try {
    mod = await load();
  } catch (error) {
    if (
      error &&
      error.code === 'ERR_MODULE_NOT_FOUND' &&
      String(error.message).includes(`bench/${name}.js`)
    )
      continue;
    throw error;
  }
  console.log(`\n== ${name} ==`);
  const sectionStarted = performance.now();
  try {
    results[name] = await mod.run({ quick: values.quick, log: (line) => console.log(line) });
  } catch (error) {
    // One broken section must not cost the others' figures or the JSON line: it is reported, and its
    // targets read as missed.
    console.log(`${name}: FAILED: ${error?.stack ?? error}`);
    results[name] = { error: String(error?.message ?? error) };
    failed.push(name);
  }
  results[name].seconds = Math.round((performance.now() - sectionStarted) / 100) / 10;
  console.log(`(${name}: ${results[name].seconds} s)`);
  ran.push(name);
}

const elapsedSeconds = Math.round((performance.now() - started) / 100) / 10;
results.elapsedSeconds = elapsedSeconds;
const targets = collectTargets(results, ran);
for (const name of failed)
  targets.push({
    section: name,
    target: 'the section runs to the end',
    figure: null,
    spreadPct: null,
    met: false,
  });
if (values.quick && values.only === undefined)
  targets.push({
    section: 'run',
    target: `the whole --quick run <= ${QUICK_BUDGET_S} s`,
    figure: elapsedSeconds,
    spreadPct: null,
    met: elapsedSeconds <= QUICK_BUDGET_S,
  });
console.log('\n== targets ==');
for (const line of formatTargets(targets)) console.log(line);
console.log(`${ran.length} sections in ${elapsedSeconds} s`);
results.targets = summariseTargets(targets);
console.log(JSON.stringify(results));
// The JSON line is out; a failed section still fails the command.
if (failed.length > 0) process.exitCode = 1;
