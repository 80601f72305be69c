// Labs over fresh temporary data folders for integration tests, each closed after its test.
import type { Lab } from '../../src/main/services/lab'
import { useTempLabs } from './lab'

/** Registers the clean-up and returns a factory; pass a data folder to reopen a lab on it. */
export function tempLabs(prefix = 'lab'): (dataDir?: string) => Lab {
  return useTempLabs(prefix.replace(/-$/, '')).newLab
}
