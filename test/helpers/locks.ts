// Lock files as a crashed program leaves them: naming a pid that has exited.
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { LOCK_FILE, type LockHolder } from '../../src/main/data-lock'

/** The pid of a process that has exited (spawned and waited for). */
export function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', ''])
  if (!child.pid) throw new Error('could not spawn a process to get a dead pid')
  return child.pid
}

/** Writes `dataDir`'s lock as if `program` held it and was killed. */
export function leaveLockOfDeadProcess(dataDir: string, program = 'the desktop app'): LockHolder {
  const holder: LockHolder = { pid: deadPid(), program, host: hostname(), startedAt: Date.now() - 60_000, token: 'dead-holder' }
  writeFileSync(join(dataDir, LOCK_FILE), JSON.stringify(holder))
  return holder
}
