import { execFileSync } from 'node:child_process';

// Multi-process tests, the CLI tests and the browser tests run the compiled package from dist/, as users
// do. Build it once per run (incremental, so an unchanged tree costs a few seconds) so they never test stale code.
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    stdio: 'inherit',
  });
}
