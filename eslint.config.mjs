// Lint: typescript-eslint's type-checked rules over every TypeScript file, Prettier for layout (its
// rules off here), and the layer rules of docs/architecture.md as import restrictions per folder.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

const EMULATOR_AND_LOCAL_HOST = [
  { group: ['**/emulator', '**/emulator/**'], message: 'Production code never imports the local tenant emulator (docs/architecture.md).' },
  { group: ['**/local/**'], message: 'Production code never imports the local host; only the command (src/cli) runs it.' },
];
const FUNCTIONS_HOST = { name: '@azure/functions', message: 'src/ is runtime-free: the Functions host stays in functions/.' };
const STEPS_AND_HANDLERS = [
  {
    group: ['**/steps/**', '**/handlers/**'],
    message: 'Adapters and rules do not call back into steps or handlers: dependencies point inwards.',
  },
];
// The adapters: the one real implementation of each port, over the Azure SDKs.
const ADAPTERS = ['**/arm/*', '**/graph/*', '**/state/*', '**/queue/*', '**/storage/*', '**/alerts/*', '**/auth/*', '**/events/*'];
// What a step or handler may still import from an adapter folder, each with its reason. Empty: what
// they used to import (remediation text, message and event parsing, the managed-image id, the create
// times) is pure and lives in src/rules/ and src/parse/. Add an entry as '!**/folder/module' only
// for something pure that cannot move, and say why.
const STEPS_AND_HANDLERS_MAY_IMPORT = [];
const OFF_ADAPTERS = [
  {
    group: [...ADAPTERS, '**/runtime/*', '**/cli/*', ...STEPS_AND_HANDLERS_MAY_IMPORT],
    message:
      'Steps and handlers reach the world only through the ports (deps): import ports, domain, rules, parse, errors, config and steps, never an adapter (docs/architecture.md).',
  },
];
const restrict = (patterns, paths = [FUNCTIONS_HOST]) => ({ 'no-restricted-imports': ['error', { paths, patterns }] });

export default tseslint.config(
  { ignores: ['dist/**', 'artifacts/**', 'node_modules/**', 'coverage/**', '**/*.d.ts'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // A caught value is rethrown as it came; it was an Error from whoever threw it.
      '@typescript-eslint/only-throw-error': ['error', { allowThrowingUnknown: true }],
      eqeqeq: ['error', 'always'],
    },
  },
  { files: ['**/*.cjs'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        Buffer: 'readonly',
        __dirname: 'readonly',
        require: 'readonly',
        module: 'writable',
        fetch: 'readonly',
        AbortSignal: 'readonly',
      },
    },
  },
  // Tests read JSON the command printed and use vitest's asymmetric matchers (both typed any), and
  // stand in for async interfaces with functions that have nothing to await.
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
  // Layers (docs/architecture.md).
  { files: ['src/**/*.ts'], rules: restrict([...EMULATOR_AND_LOCAL_HOST]) },
  {
    files: ['src/{rules,parse}/**/*.ts'],
    rules: restrict([
      ...EMULATOR_AND_LOCAL_HOST,
      ...STEPS_AND_HANDLERS,
      {
        group: [...ADAPTERS, '**/runtime/*', '**/cli/*'],
        message: 'Rules and parsers are pure: no adapter, only domain, config, errors, ports (types), parse and other rules.',
      },
    ]),
  },
  {
    files: ['src/{arm,graph,state,queue,storage,alerts,auth,events}/**/*.ts'],
    rules: {
      ...restrict([...EMULATOR_AND_LOCAL_HOST, ...STEPS_AND_HANDLERS]),
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['**/ports', '**/ports/**'], allowTypeImports: true, message: 'Adapters import only types from the ports.' }],
        },
      ],
    },
  },
  { files: ['functions/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: EMULATOR_AND_LOCAL_HOST }] } },
  {
    files: ['src/steps/**/*.ts'],
    rules: restrict([
      ...EMULATOR_AND_LOCAL_HOST,
      ...OFF_ADAPTERS,
      { group: ['**/handlers/**'], message: 'Steps are what handlers share: they never call a handler.' },
    ]),
  },
  {
    files: ['src/handlers/**/*.ts'],
    rules: restrict([
      ...EMULATOR_AND_LOCAL_HOST,
      ...OFF_ADAPTERS,
      { group: ['../handlers/*', './*', '!./'], message: 'Handlers do not import each other: what two share is a step.' },
    ]),
  },
  { files: ['src/{cli,local,emulator}/**/*.ts'], rules: { 'no-restricted-imports': ['error', { paths: [FUNCTIONS_HOST] }] } },
  prettier,
);
