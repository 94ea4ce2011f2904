// Bundles an edge app for one runtime with rolldown, resolving `tessera-auth/verify` through package.json
// "exports" with that runtime's conditions, as the runtime's own bundler would (wrangler: workerd;
// Next.js and Vercel: edge-light). The chosen dist file is mapped to its source in src/, so the suite
// runs the code under test rather than whatever dist/ last built; a test below checks dist/ separately.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = new URL('../../../', import.meta.url);
const FIXTURES = new URL('test/fixtures/verify-edge/', ROOT);

/** The conditions each runtime's bundler resolves with, in its order. */
export const RUNTIME_CONDITIONS = {
  workerd: ['workerd', 'worker', 'browser', 'import', 'default'],
  'edge-light': ['edge-light', 'worker', 'browser', 'import', 'default'],
} as const;

/** The file `tessera-auth/verify` resolves to under `conditions`, by Node's rules (first matching key). */
export function resolveVerifyExport(conditions: readonly string[]): string {
  const pkg = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as {
    exports: Record<string, Record<string, string>>;
  };
  const entry = pkg.exports['./verify'] ?? {};
  const match = Object.keys(entry).find((key) => key !== 'types' && conditions.includes(key));
  if (match === undefined) throw new Error(`no "./verify" export for ${conditions.join(', ')}`);
  return entry[match] as string;
}

/** The app bundled for one runtime: a single ES module (`esm`) or script (`iife`), no imports left. */
export async function bundleEdgeApp(
  entry: 'worker.js' | 'edge-function.js',
  runtime: keyof typeof RUNTIME_CONDITIONS,
  format: 'esm' | 'iife',
): Promise<{ code: string; resolved: string }> {
  const { rolldown } = await import('rolldown');
  const resolved = resolveVerifyExport(RUNTIME_CONDITIONS[runtime]);
  const source = fileURLToPath(
    new URL(resolved.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'), ROOT),
  );
  const bundle = await rolldown({
    input: fileURLToPath(new URL(entry, FIXTURES)),
    platform: 'browser',
    logLevel: 'silent',
    plugins: [
      {
        name: 'tessera-auth-verify',
        resolveId: (id) => (id === 'tessera-auth/verify' ? source : null),
      },
    ],
  });
  const { output } = await bundle.generate({ format });
  await bundle.close();
  return { code: output[0].code, resolved };
}
