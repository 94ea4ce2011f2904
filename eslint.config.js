// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
// Tessera lints itself with its own audit rules (built by `npm install`, which runs `prepare`).
import tessera from './dist/audit/eslint-plugin.js';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test/fixtures/**'] },
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
  {
    files: ['bench/**/*.js', 'bin/**/*.js', 'eslint.config.js', '.ci/**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        performance: 'readonly',
        URL: 'readonly',
      },
    },
  },
);
