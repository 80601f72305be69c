// Three projects, split by what a test needs to run. `npm test` runs each of them (after lint and
// type-check; then the end-to-end suite, vitest.e2e.config.ts); alone: `npm run test:unit`,
// `npm run test:renderer`, `npm run test:integration`.
//
//   unit         Node only, pure logic and quick back-end checks: test/shared and the FAST list.
//                Worker threads that share one module cache (isolate: false): seconds. A unit
//                test must leave no global state behind (no vi.mock, no process-wide settings).
//   renderer     The Vue components and stores in jsdom: test/renderer. Each file in its own VM
//                context (pool vmThreads): isolated, so a file may vi.mock (chart.js), yet without
//                a process per file.
//   integration  Everything else outside test/e2e, one process per file: real trainer processes,
//                training, the CLI as a program, other programs (pdffonts, Electron's installer,
//                the ESLint engine), fuzzing. Minutes; 120 s a test.
//
// Where a new test goes: a file in test/shared or test/renderer needs nothing here. A file
// elsewhere is integration unless FAST lists it; list it there (one line per glob, so branches
// that add tests merge cleanly) when it trains nothing, starts no trainer process, CLI or other
// program, and takes well under a second.
//
// Every test must assert: one that ends without an expect() fails (expect.requireAssertions).
import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'
import { aliases } from './aliases'

/** Node-only test files outside test/shared that train nothing, start no process and take well under a second. */
const FAST = [
  'test/build/temp-dir.test.ts',
  'test/build/bench-table.test.ts',
  'test/main/{db,dispatch,handlers,interpolate,latent-plane,run-management,window-guard,lab-server,fixed-batch}.test.ts',
  'test/trainer/{failure,idx,backend-select}.test.ts',
  'test/cli/train-flags.test.ts',
  'test/main/{hostile-inputs,memory-estimate,write-lock}.test.ts',
  'test/main/slurm-parse.test.ts',
  'test/trainer/holdout.test.ts'
]
const UNIT = ['test/shared/**/*.test.ts', ...FAST]
const RENDERER = ['test/renderer/**/*.test.ts']

export default defineConfig({
  plugins: [vue()],
  resolve: { alias: aliases },
  test: {
    environment: 'node',
    pool: 'forks',
    globalSetup: ['test/setup/temp-dir.ts'],
    expect: { requireAssertions: true },
    projects: [
      // A worker per core (vitest's default leaves one core free: on two cores, one worker).
      { extends: true, test: { name: 'unit', include: UNIT, pool: 'threads', isolate: false, maxWorkers: '100%', testTimeout: 20_000 } },
      { extends: true, test: { name: 'renderer', include: RENDERER, environment: 'jsdom', pool: 'vmThreads', maxWorkers: '100%', testTimeout: 20_000 } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**', 'node_modules/**', ...UNIT, ...RENDERER],
          testTimeout: 120_000,
          hookTimeout: 120_000
        }
      }
    ]
  }
})
