import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// docs/architecture.md's layer table and the lint table that enforces it must say the same thing,
// so the picture a newcomer reads is the rule the build applies.
const ROOT = join(import.meta.dirname, '../..');

function documentedLayers(): Record<string, string[]> {
  const text = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
  const table = /<!-- layers:start -->([\s\S]*?)<!-- layers:end -->/.exec(text)?.[1] ?? '';
  const rows = table.split('\n').filter((line) => /^\|\s*`\w+`\s*\|/.test(line));
  return Object.fromEntries(
    rows.map((row) => {
      const [folder, imports] = row
        .split('|')
        .slice(1, 3)
        .map((cell) => cell.trim());
      const allowed = imports === '—' ? [] : (imports ?? '').split(',').map((name) => name.trim());
      return [(folder ?? '').replaceAll('`', ''), allowed];
    }),
  );
}

// The lint config is plain JavaScript outside the typed tree: load it by a path TypeScript does not follow.
const CONFIG = '../../eslint.config.js';
const { LAYERS } = (await import(CONFIG)) as { LAYERS: Record<string, string[]> };

describe('docs/architecture.md', () => {
  it('lists the same layers and imports as the lint rules', () => {
    expect(documentedLayers()).toEqual(LAYERS);
  });

  it('names a folder for every folder of src/ that holds code', async () => {
    const { readdirSync } = await import('node:fs');
    const folders = readdirSync(join(ROOT, 'src'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    expect(Object.keys(LAYERS).sort()).toEqual(folders);
  });
});
