// Lint rules, including the layering rule: src/core imports no framework or I/O library.
import tseslint from 'typescript-eslint'

const FRAMEWORK = ['@oclif/*', 'got', '@github/keytar', 'keytar', 'conf', 'inquirer', '@inquirer/*', 'chalk', 'hpagent', 'proxy-from-env', 'node:fs', 'node:fs/promises', 'fs', 'node:child_process', 'node:http', 'node:https']

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.scratch/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: FRAMEWORK, message: 'src/core takes the outside world as ports (src/core/ports.ts); adapters live in src/adapters.' }] }],
      'no-restricted-globals': ['error', { name: 'process', message: 'src/core does not touch process: take env/runtime from Deps.' }, { name: 'console', message: 'src/core does not print.' }],
    },
  },
  {
    files: ['commands/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['got', '@github/keytar', 'conf', '../src/adapters/*', '../../src/adapters/*'], message: 'Commands stay thin: call a use case in src/core.' }] }],
    },
  },
  {
    files: ['test/**/*.ts', 'scripts/**', 'bin/**'],
    rules: { 'no-console': 'off' },
  },
)
