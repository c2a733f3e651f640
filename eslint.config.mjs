// Lint rules for the whole workspace. The module-boundary rule encodes the dependency direction of
// the house style: search-space at the bottom; engine (nn) above it; I/O (export-onnx) and models
// (latency-model, predictor; a latency model measures single blocks exported as ONNX) above those;
// algorithms (dnas, evolution, multitask) above; the umbrella on top, and nothing imports the umbrella. Import cycles between packages fail the same rule.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

export default [
  // tsup configs must default-export; the assembly/ kernels are AssemblyScript, not TypeScript.
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', 'docs/api/**', '**/*.cjs', '**/*.mjs', '**/tsup.config.ts', '**/assembly/**'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'layer:core', onlyDependOnLibsWithTags: ['layer:core'] },
            { sourceTag: 'layer:engine', onlyDependOnLibsWithTags: ['layer:core'] },
            { sourceTag: 'layer:model', onlyDependOnLibsWithTags: ['layer:core', 'layer:engine', 'layer:io'] },
            { sourceTag: 'layer:io', onlyDependOnLibsWithTags: ['layer:core', 'layer:engine'] },
            {
              sourceTag: 'layer:algorithm',
              onlyDependOnLibsWithTags: ['layer:core', 'layer:engine', 'layer:model', 'layer:io'],
            },
            {
              sourceTag: 'layer:umbrella',
              onlyDependOnLibsWithTags: ['layer:core', 'layer:engine', 'layer:model', 'layer:io', 'layer:algorithm'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='Math'][property.name='random']",
          message: 'Use the seeded PRNG from @fbnas/search-space (createRng), never Math.random.',
        },
        { selector: 'ExportDefaultDeclaration', message: 'Named exports only.' },
      ],
    },
  },
  {
    // Tests may assert presence with `!`.
    files: ['**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];
