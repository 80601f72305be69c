// Runs the command line in this process (milliseconds for a refusal) or, for the few tests of the
// program itself, as a child process; both answer with the exit code and what was written.
import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { runCli } from '../../src/cli/index'

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

export async function cli(args: string[]): Promise<CliResult> {
  let stdout = ''
  let stderr = ''
  const code = await runCli(args, { out: (line) => (stdout += `${line}\n`), err: (line) => (stderr += `${line}\n`) })
  return { code, stdout, stderr }
}

const ROOT = resolve(__dirname, '../..')
export const ENTRY = resolve(ROOT, 'src/cli/index.ts')
export const BIN = resolve(ROOT, 'src/cli/bin.cjs')

/** `node BIN args` or, with `--import tsx`, `node --import tsx ENTRY args`: the program as npm and its scripts start it. */
export function spawnCli(nodeArgs: string[], args: string[], cwd = ROOT): Promise<CliResult> {
  return new Promise((done) => {
    execFile(process.execPath, [...nodeArgs, ...args], { cwd }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr })
    })
  })
}
