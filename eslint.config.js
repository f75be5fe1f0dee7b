// One linter for the whole tree. Type-aware rules catch floating promises and `any`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import lantern from './scripts/eslint-storeys.js';

export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'data', 'test-results', 'bin/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/only-throw-error': 'off',
      // Fastify handlers are async by contract, whether or not they await.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // The house's storeys: an import may not run up a storey, and the web app imports nothing
    // under src/ but src/shared/ (scripts/eslint-storeys.js).
    files: ['src/**/*.ts', 'web/src/**/*.{ts,tsx}'],
    plugins: { lantern },
    rules: { 'lantern/storeys': 'error' },
  },
  {
    // Only web/src/ui/ wraps react-aria: everything else uses those wrappers.
    files: ['web/src/**/*.{ts,tsx}'],
    ignores: ['web/src/ui/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^react-aria(-components)?$',
              message: 'Use the wrappers in web/src/ui/ (the only folder that imports react-aria).',
            },
          ],
        },
      ],
    },
  },
  {
    // One door to the data: only src/platform/db may import the database drivers.
    files: ['src/**/*.ts'],
    ignores: ['src/platform/db/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'pg',
              message: 'Use the request context (src/core/context.ts) instead of the driver.',
            },
            { name: '@electric-sql/pglite', message: 'Use src/platform/db instead of the driver.' },
          ],
        },
      ],
    },
  },
  {
    // Only the config module reads the environment.
    files: ['src/**/*.ts', 'web/**/*.{ts,tsx}'],
    ignores: ['src/config.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read settings from src/config.ts.' },
      ],
    },
  },
  {
    files: ['web/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    // src/shared/ is for the browser too: nothing that needs Node or the database.
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^node:', message: 'src/shared/ runs in the browser too: no Node modules.' },
            {
              regex: '^(pg|@electric-sql/pglite|fastify)$',
              message: 'No server parts in src/shared/.',
            },
          ],
        },
      ],
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
);
