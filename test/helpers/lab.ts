// Labs over fresh temporary data folders for integration tests, closed after each test (or the
// file). The one lab helper: useTempLabs gives the factory and each lab's folder; tempLabs (the
// name test/helpers/labs.ts had) gives the factory alone.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach } from 'vitest'
import { Lab } from '../../src/main/services/lab'
import { forkLauncher } from '../../src/main/trainer-host/fork-launcher'

export interface TempLabs {
  /** A Lab on `dataDir` (a new temp folder when not given; pass a lab's folder to reopen it). */
  newLab(dataDir?: string): Lab
  dataDirOf(lab: Lab): string
}

/** Registers the clean-up: after each test, or after the file with `scope: 'file'`. */
export function useTempLabs(prefix: string, scope: 'test' | 'file' = 'test'): TempLabs {
  const labs = new Map<Lab, string>()
  const closeAll = (): void => {
    for (const lab of labs.keys()) {
      try {
        lab.close()
      } catch {
        // closed by the test already
      }
    }
    labs.clear()
  }
  if (scope === 'test') afterEach(closeAll)
  else afterAll(closeAll)
  return {
    newLab(dataDir = mkdtempSync(join(tmpdir(), `${prefix.replace(/-$/, '')}-`))) {
      const lab = new Lab({ dataDir, launcher: forkLauncher(), version: 'test', transport: 'ipc' })
      labs.set(lab, dataDir)
      return lab
    },
    dataDirOf: (lab) => labs.get(lab) ?? ''
  }
}

/** useTempLabs(prefix).newLab: the factory alone, each lab closed after its test. */
export function tempLabs(prefix = 'lab'): (dataDir?: string) => Lab {
  return useTempLabs(prefix).newLab
}
