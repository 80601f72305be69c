// Labs over fresh temporary data folders for integration tests, each closed after its test.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import { Lab } from '../../src/main/services/lab'
import { forkLauncher } from '../../src/main/trainer-host/fork-launcher'

/** Registers the clean-up and returns a factory; pass a data folder to reopen a lab on it. */
export function tempLabs(prefix = 'lab-'): (dataDir?: string) => Lab {
  const labs: Lab[] = []
  afterEach(() => {
    for (const lab of labs.splice(0)) {
      try {
        lab.close()
      } catch {
        // already closed by the test
      }
    }
  })
  return (dataDir = mkdtempSync(join(tmpdir(), prefix))) => {
    const lab = new Lab({ dataDir, launcher: forkLauncher(), version: 'test', transport: 'ipc' })
    labs.push(lab)
    return lab
  }
}
