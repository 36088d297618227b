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
    // Services, controllers, hooks and mappers speak Tx (@mira/core) and domain records (x.types.ts).
    files: [
      'libs/**/*.service.ts',
      'libs/**/*.controller.ts',
      'libs/**/*hooks.ts',
      'libs/**/*.mapper.ts',
      'libs/**/*.types.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'typeorm',
              message:
                'TypeORM stays in repositories and entities: pass a Tx (@mira/core), translate database errors in the repository.',
            },
          ],
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
      'tooling/**',
      '**/*.spec.ts',
      'apps/api/src/cli/**',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
);
