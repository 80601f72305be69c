// Vitest global setup: every test run gets its own temporary folder (TMPDIR and friends point
// into it, so mkdtemp(tmpdir()) in tests, trainer processes and Chromium all land there), and
// the folder is removed when the run ends: data folders of test labs never pile up.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'gan-workbench-tests-'))
  for (const name of ['TMPDIR', 'TMP', 'TEMP']) process.env[name] = dir
  return () => {
    try {
      // Retries: a child process still exiting (a tsx loader re-creating its cache folder, tsx-0)
      // can write into the folder while it is removed (ENOTEMPTY).
      rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 })
    } catch (err) {
      // Every test has passed or failed by now: a leftover temporary folder must not fail the run.
      const left = (() => {
        try {
          return readdirSync(dir).join(', ')
        } catch {
          return '?'
        }
      })()
      console.warn(`Could not remove the tests' temporary folder ${dir} (left: ${left}): ${(err as Error).message}`)
    }
  }
}
