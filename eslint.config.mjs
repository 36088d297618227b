import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      '.tmp/**',
      'coverage/**',
      'data/**',
      'training/**/.work/**',
      '**/*.cjs',
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read configuration through AppConfig (libs/core/src/config).',
        },
      ],
    },
  },
  {
    files: [
      'libs/core/src/config/**',
      'test/**',
      'scripts/**',
      'bench/**',
      'eval/**',
      '**/*.spec.ts',
      'apps/api/src/cli/**',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
);
