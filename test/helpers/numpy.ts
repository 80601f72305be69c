// An independent cross-check with numpy (Debian python3-numpy): tests that use it skip,
// visibly and with the reason, on machines without it.
import { spawnSync } from 'node:child_process'

const PYTHON = '/usr/bin/python3'

export const numpyMissing: string | null = (() => {
  const probe = spawnSync(PYTHON, ['-c', 'import numpy'], { encoding: 'utf8' })
  if (probe.error) return `${PYTHON} is not available (${probe.error.message})`
  if (probe.status !== 0) return `numpy is not installed for ${PYTHON} (apt-get install python3-numpy)`
  return null
})()

/** Runs a Python script with `input` as JSON on stdin and returns its JSON stdout. */
export function runNumpy<T>(script: string, input: unknown): T {
  const out = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 1 << 28 })
  if (out.status !== 0) throw new Error(`python failed: ${out.stderr}`)
  return JSON.parse(out.stdout) as T
}
