// One lab per data folder: a second program is refused by name, a read-only lab works beside
// the holder without touching its runs, and a dead holder's lock is taken over with recovery.
import { execFile, fork, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { PRESETS } from '@shared/config'
import { acquireDataLock, LOCK_FILE, lockHolder } from '../../src/main/data-lock'
import { Lab } from '../../src/main/services/lab'
import { forkLauncher } from '../../src/main/trainer-host/fork-launcher'
import { leaveLockOfDeadProcess } from '../helpers/locks'

const fresh = (): string => mkdtempSync(join(tmpdir(), 'lock-'))
const open: Lab[] = []
const children: ChildProcess[] = []
afterEach(() => {
  for (const lab of open.splice(0)) lab.close()
  for (const child of children.splice(0)) child.kill('SIGKILL')
})

function lab(dataDir: string, extra: Partial<ConstructorParameters<typeof Lab>[0]> = {}): Lab {
  const l = new Lab({ dataDir, launcher: forkLauncher(), version: 'test', transport: 'ipc', ...extra })
  open.push(l)
  return l
}

/** A second process that takes the lock as `program` and holds it until killed. */
function holdInChild(dataDir: string, program: string): Promise<ChildProcess> {
  const script = `import { acquireDataLock } from ${JSON.stringify(resolve(__dirname, '../../src/main/data-lock.ts'))}
acquireDataLock(${JSON.stringify(dataDir)}, ${JSON.stringify(program)}); process.send('held'); setInterval(() => {}, 1000)`
  const file = join(dataDir, 'hold.mts')
  writeFileSync(file, script)
  const child = fork(file, [], { execArgv: ['--import', 'tsx'], stdio: 'ignore' })
  children.push(child)
  return new Promise((done, fail) => {
    child.once('message', () => done(child))
    child.once('exit', (code) => fail(new Error(`holder exited with ${code}`)))
  })
}

describe('the data folder lock', () => {
  it('refuses a second program while the first lives, naming it, and is free again once it exits', async () => {
    const dir = fresh()
    const child = await holdInChild(dir, 'the lab server')
    expect(lockHolder(dir)).toMatchObject({ pid: child.pid, program: 'the lab server' })
    expect(() => lab(dir, { program: 'npm run train' })).toThrow(new RegExp(`^the lab server, pid ${child.pid}, started \\d\\d:\\d\\d, holds this data folder \\(.*\\); stop it or use --data-dir$`))
    const exited = new Promise((done) => child.once('exit', done))
    child.kill('SIGKILL')
    await exited
    // Killed without releasing: its lock is stale and the next lab takes it over.
    expect(lockHolder(dir)).toBeNull()
    const next = lab(dir, { program: 'npm run train' })
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid, program: 'npm run train' })
    next.close()
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false)
  })

  it('refuses a second lab in the same process too, and releases on close', () => {
    const dir = fresh()
    const first = lab(dir, { program: 'the desktop app' })
    expect(() => lab(dir)).toThrow(/the desktop app, pid \d+, .*holds this data folder/)
    first.close()
    expect(() => lab(dir).close()).not.toThrow()
  })

  it('a shared lab reads beside the holder, recovers nothing and refuses to start, resume or delete runs by name', () => {
    const dir = fresh()
    const holder = lab(dir, { program: 'the lab server' })
    const id = holder.runs.create({ ...PRESETS['mnist-mlp'].defaults, name: 'training elsewhere', seed: 1 })
    holder.runs.markStarted(id)
    const reader = lab(dir, { access: 'shared' })
    expect(reader.runs.get(id)?.status).toBe('running')
    expect(holder.runs.get(id)?.status).toBe('running')
    for (const act of [() => reader.resumeRun(id), () => reader.deleteRun(id), () => reader.stopRun(id), () => reader.startRun({ ...PRESETS['mnist-mlp'].defaults, name: 'x', seed: 2 })]) {
      expect(act).toThrow(/^Cannot (resume|delete|stop|start) .*the lab server, pid \d+, started .*holds this data folder/)
    }
    expect(reader.runs.get(id)?.status).toBe('running')
  })

  it("takes over a dead holder's lock and marks its running runs crashed; a live holder's runs are left alone", () => {
    const dir = fresh()
    const first = lab(dir)
    const id = first.runs.create({ ...PRESETS['mnist-mlp'].defaults, name: 'x', seed: 1 })
    first.runs.markStarted(id)
    first.db.close()
    open.splice(open.indexOf(first), 1)
    const dead = leaveLockOfDeadProcess(dir)
    const logs: string[] = []
    const second = lab(dir, { log: (_level, m) => logs.push(m) })
    expect(second.runs.get(id)?.status).toBe('crashed')
    expect(logs.join('\n')).toMatch(new RegExp(`Took over the data folder from the desktop app, pid ${dead.pid}`))
  })

  it('creates the lock whole: a foreign or truncated lock file is replaced, not trusted', () => {
    const dir = fresh()
    writeFileSync(join(dir, LOCK_FILE), '{"pid": 1')
    const held = acquireDataLock(dir, 'npm run cli -- sweep')
    expect(lockHolder(dir)).toMatchObject({ program: 'npm run cli -- sweep', pid: process.pid })
    held.release()
    expect(lockHolder(dir)).toBeNull()
  })
})

describe('CLI commands beside a lab that trains', () => {
  const CLI = resolve(__dirname, '../../src/cli/index.ts')
  const cli = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((done) => {
      execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: resolve(__dirname, '../..') }, (err, stdout, stderr) => {
        done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr })
      })
    })

  it('leave the training run alone, and a resume of it is refused naming the lab server', async () => {
    const dir = fresh()
    const server = lab(dir, { program: 'the lab server' })
    const training = new Promise<void>((done) => server.subscribe((e) => e.event === 'trainer:progress' && done()))
    const run = server.startRun({ ...PRESETS['mnist-mlp'].defaults, name: 'long', seed: 3, epochs: 50, stepsPerEpoch: 1000, batchSize: 8, backend: 'cpu' })
    await training
    expect(server.runs.get(run.id)?.status).toBe('running')
    const listed = await cli(['datasets', '--data-dir', dir])
    expect(listed.code).toBe(0)
    expect(server.runs.get(run.id)?.status).toBe('running')
    const resumed = await cli(['train', '--resume', String(run.id), '--data-dir', dir])
    expect(resumed.code).toBe(2)
    expect(resumed.stderr).toMatch(new RegExp(`error: the lab server, pid ${process.pid}, started \\d\\d:\\d\\d, holds this data folder .*; stop it or use --data-dir`))
    expect(server.runs.get(run.id)?.status).toBe('running')
    server.stopRun(run.id)
    expect((await server.waitForEnd(run.id)).status).toBe('stopped')
  })
})
