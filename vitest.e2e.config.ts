import { defineConfig } from 'vitest/config'
import { aliases } from './aliases'

export default defineConfig({
  resolve: { alias: aliases },
  test: {
    include: ['test/e2e/**/*.test.ts'],
    environment: 'node',
    expect: { requireAssertions: true },
    globalSetup: ['test/setup/temp-dir.ts'],
    testTimeout: 300_000,
    hookTimeout: 180_000,
    fileParallelism: false
  }
})
