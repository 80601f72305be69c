// Two projects: `unit` (pure logic, components in jsdom, the lint and build checks: seconds)
// and `integration` (real trainer processes, training, the CLI: minutes). `npm run test:unit`
// runs the first; `npm test` runs both, then the end-to-end suite (vitest.e2e.config.ts).
import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'
import { aliases } from './aliases'

/** Test files outside test/shared, test/renderer and test/build that train nothing, start no trainer and spawn no CLI. */
const FAST = [
  'test/main/{db,dispatch,handlers,interpolate,latent-plane,run-management,window-guard,lab-server,figures,fixed-batch}.test.ts',
  'test/trainer/{failure,idx,idx-fuzz,backend-select}.test.ts',
  'test/cli/train-flags.test.ts',
  'test/main/{hostile-inputs,memory-estimate,write-lock}.test.ts'
]
const UNIT = ['test/shared/**/*.test.ts', 'test/renderer/**/*.test.ts', 'test/build/**/*.test.ts', ...FAST]

export default defineConfig({
  plugins: [vue()],
  resolve: { alias: aliases },
  test: {
    environment: 'node',
    pool: 'forks',
    globalSetup: ['test/setup/temp-dir.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT, testTimeout: 20_000 } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**', 'node_modules/**', ...UNIT],
          testTimeout: 120_000,
          hookTimeout: 120_000
        }
      }
    ]
  }
})
