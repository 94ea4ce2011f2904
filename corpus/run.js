// npm run corpus [-- --split dev|holdout|all] [-- --verbose]: audits every corpus repository at its
// recorded commit and prints per-rule strict precision and recall against the hand-checked labels; the
// last line is one JSON object. Needs the repositories in a local mirror (see corpus/README.md) and a
// built dist/ (the script builds it first). Not part of `npm test`: the mirror is not in the repository.
import { execFileSync } from 'node:child_process';
import console from 'node:console';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { scoreRepository, tally } from './score.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    split: { type: 'string', default: 'all' },
    verbose: { type: 'boolean', default: false },
  },
});
if (!['dev', 'holdout', 'all'].includes(values.split)) {
  console.error('--split must be dev, holdout or all');
  process.exit(2);
}
const mirror = process.env.TESSERA_CORPUS_MIRROR ?? '/work/.mirror';
const scratch = path.join(os.tmpdir(), 'tessera-corpus');
const repos = JSON.parse(readFileSync(path.join(here, 'repos.json'), 'utf8')).filter(
  (r) => values.split === 'all' || r.split === values.split,
);

const git = (args, options = {}) =>
  execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });

/** Checks out a repository at its commit from the mirror, or says why it cannot. */
function materialise({ repo, commit }) {
  const name = repo.replace('/', '+');
  const bare = path.join(mirror, name, 'repo');
  if (!existsSync(bare)) return { error: `${repo}: no mirror at ${bare}` };
  try {
    git(['--git-dir', bare, 'cat-file', '-e', `${commit}^{commit}`]);
  } catch {
    return { error: `${repo}: the mirror at ${bare} lacks commit ${commit}` };
  }
  const dir = path.join(scratch, `${name}@${commit.slice(0, 12)}`);
  if (!existsSync(path.join(dir, '.git'))) {
    mkdirSync(scratch, { recursive: true });
    git(['clone', '--quiet', '--no-checkout', bare, dir]);
    git(['-C', dir, '-c', 'advice.detachedHead=false', 'checkout', '--quiet', commit]);
  }
  return { dir };
}

const places = repos.map((r) => ({ ...r, ...materialise(r) }));
const missing = places.filter((p) => p.error);
if (missing.length > 0) {
  for (const p of missing) console.error(`corpus: ${p.error}`);
  console.error(
    `corpus: ${missing.length} of ${places.length} repositories are unavailable; no figures are printed over part of the corpus. See corpus/README.md.`,
  );
  process.exit(1);
}

const { runAudit } = await import('../dist/audit/run-audit.js');
const bySplit = { dev: [], holdout: [] };
const perRepo = [];
for (const place of places) {
  const labels = JSON.parse(
    readFileSync(path.join(here, 'labels', `${place.repo.replace('/', '__')}.json`), 'utf8'),
  );
  const result = await runAudit(place.dir);
  const score = scoreRepository(result.findings, labels);
  bySplit[place.split].push(score);
  perRepo.push({
    repo: place.repo,
    split: place.split,
    files: result.filesAudited,
    unparsed: result.unparsed.length,
    tp: score.truePositives.length,
    fp: score.falsePositives.length,
    missed: score.missed.length,
  });
  if (values.verbose) {
    for (const f of score.falsePositives)
      console.log(`  FP ${place.repo} ${f.file}:${f.line} ${f.ruleId} ${f.message}`);
    for (const l of score.missed) console.log(`  FN ${place.repo} ${l.file}:${l.line} ${l.rule}`);
  }
}

const pct = (x) => (x === null ? '   -' : `${Math.round(x * 100)}%`.padStart(4));
const figures = {};
for (const split of ['dev', 'holdout']) {
  if (bySplit[split].length === 0) continue;
  const t = tally(bySplit[split]);
  figures[split] = { repositories: bySplit[split].length, ...t };
  console.log(`\n${split} (${bySplit[split].length} repositories)`);
  console.log(`  ${'rule'.padEnd(34)} findings  TP  FP  labels found  precision recall`);
  for (const [rule, c] of [...Object.entries(t.rules), ['total', t.total]])
    console.log(
      `  ${rule.padEnd(34)} ${String(c.tp + c.fp).padStart(8)} ${String(c.tp).padStart(3)} ${String(c.fp).padStart(3)} ${String(c.found + c.missed).padStart(7)} ${String(c.found).padStart(5)}  ${pct(c.precision).padStart(9)} ${pct(c.recall).padStart(6)}`,
    );
}
console.log(JSON.stringify({ corpus: figures, repositories: perRepo }));
