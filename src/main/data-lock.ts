// One lab per data folder: the program that trains in a folder (the desktop app, the lab
// server, a CLI train or sweep) holds `lab.lock` there, a file naming its pid, program, host
// and start time. A second program is refused with the holder's name; a lock whose holder
// died (a killed app, a power cut) is taken over, and only then are its runs recovered.
import { hostname } from 'node:os'
import { join } from 'node:path'
import { linkSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { LabError } from '@shared/errors'

export const LOCK_FILE = 'lab.lock'

export interface LockHolder {
  pid: number
  /** Who holds it, in words: "the desktop app", "the lab server", "npm run train". */
  program: string
  host: string
  startedAt: number
  /** Tells this holder's file from a later one with a recycled pid. */
  token: string
}

export interface HeldLock {
  holder: LockHolder
  /** The dead program whose lock was taken over (its runs need recovery), or null for a fresh lock. */
  tookOverFrom: LockHolder | null
  release(): void
}

function readHolder(path: string): LockHolder | null | 'unreadable' {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
  try {
    const h = JSON.parse(text) as Partial<LockHolder>
    if (typeof h.pid === 'number' && typeof h.program === 'string' && typeof h.host === 'string' && typeof h.startedAt === 'number' && typeof h.token === 'string') {
      return h as LockHolder
    }
  } catch {
    // a half-written or foreign file: treated as left by a dead holder
  }
  return 'unreadable'
}

/** Whether the process a lock names still runs. A lock from another host cannot be checked and counts as alive. */
export function isAlive(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return true
  try {
    process.kill(holder.pid, 0)
    return true
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

const clock = (ms: number): string => new Date(ms).toTimeString().slice(0, 5)

/** "the lab server, pid 1234, started 10:02" (with the host when it is another machine). */
export function describeHolder(holder: LockHolder): string {
  const where = holder.host === hostname() ? '' : ` on ${holder.host}`
  return `${holder.program}, pid ${holder.pid}${where}, started ${clock(holder.startedAt)}`
}

/** The live program holding `dataDir`, or null when none does. */
export function lockHolder(dataDir: string): LockHolder | null {
  const h = readHolder(join(dataDir, LOCK_FILE))
  return h !== null && h !== 'unreadable' && isAlive(h) ? h : null
}

/** The refusal a second program gets: it names the holder and the way out. */
export function heldMessage(holder: LockHolder, dataDir: string): string {
  return `${describeHolder(holder)}, holds this data folder (${dataDir}); stop it or use --data-dir`
}

/**
 * Takes the data folder's lock for `program`, or throws CONFLICT naming the live holder. A
 * lock left by a dead process is taken over (reported in `tookOverFrom`). The lock file is
 * created whole with link(2), which fails if another program created it first.
 */
export function acquireDataLock(dataDir: string, program: string): HeldLock {
  mkdirSync(dataDir, { recursive: true })
  const path = join(dataDir, LOCK_FILE)
  const holder: LockHolder = { pid: process.pid, program, host: hostname(), startedAt: Date.now(), token: randomUUID() }
  const draft = `${path}.${process.pid}.${holder.token.slice(0, 8)}`
  writeFileSync(draft, JSON.stringify(holder))
  let tookOverFrom: LockHolder | null = null
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(draft, path)
        break
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw err
      }
      const current = readHolder(path)
      if (current !== null && current !== 'unreadable' && isAlive(current)) throw new LabError('CONFLICT', heldMessage(current, dataDir))
      if (current !== null && current !== 'unreadable') tookOverFrom = current
      rmSync(path, { force: true })
    }
  } finally {
    rmSync(draft, { force: true })
  }
  let released = false
  const release = (): void => {
    if (released) return
    released = true
    process.removeListener('exit', release)
    // Only our own file is removed: never a lock another program took after ours was broken.
    const current = readHolder(path)
    if (current !== null && current !== 'unreadable' && current.token === holder.token) unlinkSync(path)
  }
  process.once('exit', release)
  return { holder, tookOverFrom, release }
}
