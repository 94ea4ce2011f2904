// The fixture app of test/next/next-app.test.ts, built in a temp copy. Nothing is fetched at build
// time: no fonts, no remote images. Nothing for Tessera either: Next keeps argon2's binary, the SQLite
// driver and pino external on its own, and listing tessera-auth in serverExternalPackages would load
// its client provider outside the bundle with a second React.
export default {
  images: { unoptimized: true },
  poweredByHeader: false,
  // The copy's node_modules link to the repo's packages: trace files from there.
  ...(process.env.TESSERA_REPO_ROOT === undefined
    ? {}
    : { outputFileTracingRoot: process.env.TESSERA_REPO_ROOT }),
};
