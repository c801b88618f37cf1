// @ts-check
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import floors from './build/eslint/engine-floors.js';
import boundaries from './build/eslint/process-boundaries.js';

const studio = { rules: { ...boundaries.rules, ...floors.rules } };

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'e2e/.artifacts/', 'models/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { studio },
    languageOptions: { globals: { ...globals.node } },
    rules: {
      'studio/process-boundaries': 'error',
      'studio/engine-floors': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['renderer/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: { ...globals.browser } },
    rules: reactHooks.configs.recommended.rules,
  },
);
