// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
// Tessera lints itself with its own audit rules (built by `npm install`, which runs `prepare`).
import tessera from './dist/audit/eslint-plugin.js';

// The layers of docs/architecture.md: each folder of src/ and the folders it may import. Anything
// else is an error, so the picture cannot drift. Import cycles, type-only ones included, are checked
// by `npm run lint:cycles` (dpdm): ESLint's no-cycle rules skip `import type`.
export const LAYERS = {
  errors: [],
  wire: ['errors'],
  jwa: ['errors'],
  jws: ['errors', 'wire', 'jwa'],
  keys: ['errors', 'jwa', 'jws'],
  jwt: ['errors', 'jwa', 'jws', 'keys'],
  secrets: ['wire'],
  store: ['errors', 'wire', 'keys'],
  sessions: ['errors', 'wire', 'secrets', 'jwt', 'store'],
  accounts: ['errors', 'secrets', 'store'],
  http: ['errors', 'wire', 'jwa', 'jwt', 'keys', 'store', 'sessions', 'accounts'],
  adapters: ['errors', 'wire', 'jwt', 'http'],
  server: [
    'errors',
    'wire',
    'jwa',
    'jwt',
    'keys',
    'store',
    'sessions',
    'accounts',
    'http',
    'adapters',
  ],
  client: ['errors', 'wire'],
  next: ['errors', 'wire', 'jwt', 'http', 'client'],
  doctor: ['errors', 'wire', 'jwa', 'jws', 'jwt', 'keys'],
  audit: ['errors', 'jwt'],
  verify: ['errors', 'wire', 'jwa', 'jws', 'jwt', 'keys'],
  cli: [
    'errors',
    'wire',
    'jwa',
    'jwt',
    'keys',
    'store',
    'accounts',
    'server',
    'adapters',
    'doctor',
    'audit',
  ],
};
const FOLDERS = Object.keys(LAYERS);

/** @type {Record<string, { regex: string, message: string }[]>} */
const NARROWER = {
  // The browser bundle takes only the constant names of wire/, not its readers (they throw TesseraError).
  client: [
    {
      regex: '^(\\.\\./)+wire/(?!names\\.js$)',
      message: 'src/client may import only wire/names.js of wire/ (the bundle stays small).',
    },
  ],
};

// Inside a folder, parts that must not lean on each other: the doctor's two paths share only the
// files at src/doctor/ (rendering, diagnosis types, the server client).
const SIBLINGS = { 'doctor/token': 'deployment', 'doctor/deployment': 'token' };

/**
 * @param {string} folder
 * @param {string} files
 * @param {{ regex: string, message: string }[]} extra
 */
function layerRule(folder, files = `src/${folder}/**/*.ts`, extra = []) {
  const allowed = /** @type {Record<string, string[]>} */ (LAYERS)[folder] ?? [];
  const forbidden = FOLDERS.filter((other) => other !== folder && !allowed.includes(other));
  return {
    files: [files],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // A relative import that climbs out of this folder into a forbidden one.
              regex: `^(\\.\\./)+(${forbidden.join('|')})(/|$)`,
              message: `src/${folder} may import only ${allowed.join(', ') || 'nothing of src/'} (docs/architecture.md).`,
            },
            ...extra,
          ],
        },
      ],
    },
  };
}

const siblingRules = Object.entries(SIBLINGS).map(([part, sibling]) =>
  layerRule(part.split('/')[0] ?? part, `src/${part}/**/*.ts`, [
    {
      regex: `^\\.\\./${sibling}/`,
      message: `src/${part} must not import src/${part.split('/')[0]}/${sibling}: share through the files above both.`,
    },
  ]),
);

export default tseslint.config(
  { ignores: ['dist/**', 'dist-client/**', 'node_modules/**', 'coverage/**', 'test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { ...tessera.configs.recommended, files: ['src/**/*.ts'] },
  {
    files: ['src/**/*.ts'],
    rules: {
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      'no-console': 'error',
    },
  },
  ...FOLDERS.map((folder) => layerRule(folder, undefined, NARROWER[folder] ?? [])),
  ...siblingRules,
  {
    files: ['bench/**/*.js', 'bin/**/*.js', 'eslint.config.js', '.ci/**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        performance: 'readonly',
        URL: 'readonly',
        MessageChannel: 'readonly',
      },
    },
  },
  // The Next.js fixture app (test/next/app): a user's app, on Node and in the browser.
  {
    files: ['test/next/app/**/*.js'],
    languageOptions: {
      globals: { process: 'readonly', Response: 'readonly', globalThis: 'readonly' },
    },
  },
);
