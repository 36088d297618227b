import tseslint from 'typescript-eslint';

// The layering rules of docs/architecture.md (Wiring) that an import shows.
const TYPEORM = {
  name: 'typeorm',
  message:
    'TypeORM stays in repositories and entities: pass a Tx (@mira/core), translate database errors in the repository.',
};
const ENTITIES = {
  group: ['**/*.entity.js'],
  message: 'Entities stay in their repository: speak the domain interface of x.types.ts.',
};
const DATABASE_ERRORS = {
  name: '@mira/core',
  importNames: [
    'pgErrorOf',
    'isUniqueViolation',
    'foreignKeyViolation',
    'isTransientConflict',
    'forgetRateLimitCallers',
  ],
  message:
    'PostgreSQL errors are read, and SQL is run, in repositories: translate there (retry a lost deadlock with Transactions.runRetryingConflicts).',
};
const PROCESS_ENV = {
  object: 'process',
  property: 'env',
  message: 'Read configuration through AppConfig (libs/core/src/config).',
};
const TX_MANAGER = {
  object: 'Tx',
  property: 'manager',
  message: 'A Tx is opened by repositories only: pass it to the repository that runs the SQL.',
};
const DTOS = {
  group: ['**/dto/*'],
  message:
    'DTOs belong to controllers and mappers: services take plain inputs (x.types.ts) and return domain records.',
};

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
      'no-restricted-properties': ['error', PROCESS_ENV],
    },
  },
  {
    // Services and hooks take plain inputs and return domain records (x.types.ts); they write through a Tx.
    files: ['libs/**/*.service.ts', 'libs/**/*hooks.ts', 'libs/**/*.retention.ts', 'libs/**/*.types.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [TYPEORM, DATABASE_ERRORS], patterns: [ENTITIES, DTOS] }],
      'no-restricted-properties': ['error', PROCESS_ENV, TX_MANAGER],
    },
  },
  {
    // Controllers and mappers turn domain records into DTOs.
    files: ['libs/**/*.controller.ts', 'libs/**/*.mapper.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [TYPEORM], patterns: [ENTITIES] }] },
  },
  {
    files: ['libs/**/*.repository.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [DTOS] }] },
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
