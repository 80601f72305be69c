// A storage error (SQLite or the file system under it) in words a person can act on.
import { statfsSync } from 'node:fs'

function codeOf(err: unknown): string {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code
  return ''
}

function freeBytes(dir: string): number | null {
  try {
    const s = statfsSync(dir)
    return Number(s.bavail) * Number(s.bsize)
  } catch {
    return null
  }
}

/**
 * "the disk holding /data is full: 0 bytes free", "the database was locked by another program
 * for more than 5 s", else the SQLite (or system) code and message.
 */
export function describeStorageError(err: unknown, dataDir: string, busyTimeoutMs: number): string {
  const code = codeOf(err)
  const message = err instanceof Error ? err.message : String(err)
  if (code.startsWith('SQLITE_FULL') || code === 'ENOSPC') {
    const free = freeBytes(dataDir)
    return `the disk holding ${dataDir} is full${free === null ? '' : `: ${free} bytes free`}`
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return `the database was locked by another program for more than ${Math.round(busyTimeoutMs / 100) / 10} s`
  }
  if (code) return `${code}: ${message}`
  return `an unexpected error: ${message}`
}
