// Test runs keep their temporary files in one folder that the global setup removes at the end
// (test/setup/temp-dir.ts): the system temporary folder does not fill up with test labs.
import { tmpdir } from 'node:os'
import { basename } from 'node:path'
import { expect, it } from 'vitest'

it("puts this run's temporary files in the run's own folder", () => {
  expect(basename(tmpdir())).toMatch(/^gan-workbench-tests-/)
  expect(process.env.TMPDIR).toBe(tmpdir())
})
