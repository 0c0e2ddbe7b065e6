// One lint setup for the whole repository (flat config). Formatting is Prettier's job.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '.kyoyo/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // Only repositories (and the database package itself) talk to Drizzle: the ORM must not leak into
    // resolvers and services (CONVENTIONS.md; cal.com's lesson).
    files: ['**/*.ts'],
    ignores: ['packages/db/**', '**/*.repository.ts', '**/*.int.test.ts', 'gateway/src/db/**', '**/drizzle.config.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'postgres', message: 'Only repositories and packages/db talk to the database.' }],
          patterns: [
            { group: ['drizzle-orm', 'drizzle-orm/*'], message: 'Only *.repository.ts files (and packages/db) import Drizzle.' },
          ],
        },
      ],
    },
  },
);
