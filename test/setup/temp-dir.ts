// Vitest global setup: every test run gets its own temporary folder (TMPDIR and friends point
// into it, so mkdtemp(tmpdir()) in tests, trainer processes and Chromium all land there), and
// the folder is removed when the run ends: data folders of test labs never pile up.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'gan-workbench-tests-'))
  for (const name of ['TMPDIR', 'TMP', 'TEMP']) process.env[name] = dir
  return () => rmSync(dir, { recursive: true, force: true })
}
