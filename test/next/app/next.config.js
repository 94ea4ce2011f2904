// The fixture app of test/next/next-app.test.ts, built in a temp copy. Nothing is fetched at build
// time: no fonts, no remote images.
export default {
  images: { unoptimized: true },
  poweredByHeader: false,
  // Tessera's server (argon2's native binary, the SQLite driver, pino) runs as Node loads it, unbundled.
  serverExternalPackages: ['tessera-auth'],
  // The copy reaches tessera-auth through a link to the repo: trace files from there.
  ...(process.env.TESSERA_REPO_ROOT === undefined
    ? {}
    : { outputFileTracingRoot: process.env.TESSERA_REPO_ROOT }),
};
