import tseslint from 'typescript-eslint'
import vue from 'eslint-plugin-vue'
import { builtinModules } from 'node:module'

// Runtime layers (see README "Layout"): each kind of code imports only what its runtime has.
const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)]
const layer = (files, ignores, groups, message) => ({
  files,
  ignores,
  rules: { 'no-restricted-imports': ['error', { patterns: [typeof groups === 'string' ? { regex: groups, message } : { group: groups, message }] }] }
})

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } }
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off'
    }
  },
  {
    // Only the two IPC modules may touch raw Electron IPC.
    files: ['src/**/*.ts', 'src/**/*.vue'],
    ignores: ['src/main/ipc.ts', 'src/preload/index.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "Identifier[name='ipcMain']", message: 'Use handle() from src/main/ipc.ts.' },
        { selector: "Identifier[name='ipcRenderer']", message: 'Only the preload talks to ipcRenderer.' }
      ]
    }
  },
  layer(['src/shared/**'], [], [...nodeBuiltins, 'electron', '@tensorflow/*', 'better-sqlite3', '**/main/**', '**/renderer/**', '**/preload/**', '**/cli/**'],
    'src/shared is pure TypeScript for every runtime: no node, electron, tfjs or process-specific code.'),
  layer(['src/renderer/**'], [], [...nodeBuiltins, 'electron', '@tensorflow/*', 'better-sqlite3', '**/main/**', '**/preload/**', '**/cli/**'],
    'The renderer runs in a sandboxed page: it reaches the back end only through the LabApi (@shared/api).'),
  layer(['src/preload/**'], [], '^(?!(electron|@shared/channels|@shared/errors)$)',
    'A sandboxed preload may require only electron; it takes the channel names from @shared/channels, which imports nothing.'),
  layer(['src/main/trainer/**'], [], ['electron', '**/services/**', '**/db/**', '**/server/**', '**/trainer-host/**', '**/cli/**'],
    'Trainer-process code runs without Electron and talks to the lab only through the trainer protocol (@shared/trainer-protocol).'),
  layer(['src/main/common/**'], [], ['electron', '@tensorflow/*', 'worker_threads', 'node:worker_threads', '**/trainer/**', '**/services/**', '**/db/**', '**/server/**', '**/trainer-host/**'],
    'src/main/common is node code both processes use: no Electron, no tfjs, nothing process-specific.'),
  layer(['src/main/**', 'src/cli/**'], ['src/main/trainer/**', 'src/main/common/**'], ['@tensorflow/*', 'worker_threads', 'node:worker_threads', '**/trainer/**'],
    'Main-process code never loads tfjs or trainer code: it starts a trainer process and speaks the trainer protocol (src/main/trainer-host).')
)
