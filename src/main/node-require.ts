// A `require` that works in every way this code runs: the CommonJS bundles electron-vite
// writes, tsx (CommonJS) for the CLI, and vitest (ES modules).
import { createRequire } from 'node:module'

export const nodeRequire: NodeJS.Require =
  typeof require === 'function' ? require : createRequire(import.meta.url)
