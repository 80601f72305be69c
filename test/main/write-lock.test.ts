// Every path that writes a data folder goes through its lock (issue 18, finding 6): a lab opened
// shared beside the holder is refused every write by name and writes nothing; with no holder it
// takes the lock for the write and gives it back. Each channel is classified, so a new one
// cannot slip through unexamined.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Channel } from '@shared/api'
import { PRESETS } from '@shared/config'
import { LabError } from '@shared/errors'
import { LOCK_FILE } from '../../src/main/data-lock'
import { dispatch } from '../../src/main/services/dispatch'
import { WRITING_CHANNELS } from '../../src/main/services/handlers'
import { Lab } from '../../src/main/services/lab'
import { forkLauncher } from '../../src/main/trainer-host/fork-launcher'

/** Channels that start, stop or delete runs: refused by LabContext.requireWriter in a shared lab. */
const RUN_CONTROL: readonly Channel[] = ['runs:create', 'runs:stop', 'runs:resume', 'runs:delete', 'runs:create-pair', 'sweeps:create']
/**
 * Channels that write nothing of the data folder: reads, exports (returned, or written where the
 * user chose), previews held in memory, and caches rebuilt on demand (latent planes, step timing).
 */
const NO_FOLDER_WRITES: readonly Channel[] = [
  'app:info',
  'presets:list',
  'runs:list',
  'runs:get',
  'runs:metrics',
  'runs:grid',
  'runs:export-metrics',
  'runs:export-bundle',
  'runs:export-generator',
  'runs:samples',
  'runs:export-samples',
  'runs:sample-rows',
  'runs:fidelity',
  'runs:field',
  'explorer:grid',
  'explorer:interpolate',
  'explorer:arithmetic',
  'explorer:scatter',
  // Generator workers and the sample behind a grid tile: processes and reads (prefetched planes go to the cache).
  'explorer:open',
  'explorer:close',
  'explorer:sample',
  'sweeps:list',
  'settings:get',
  'comparisons:list',
  'figures:export',
  'latent-views:list',
  'datasets:list',
  'datasets:choose',
  'datasets:preview',
  'classifier:status',
  'eval:scores',
  'timing:estimate'
]

const open: Lab[] = []
afterEach(() => open.splice(0).forEach((lab) => lab.close()))

function lab(dataDir: string, extra: Partial<ConstructorParameters<typeof Lab>[0]> = {}): Lab {
  const l = new Lab({ dataDir, launcher: forkLauncher(), version: 'test', transport: 'ipc', ...extra })
  open.push(l)
  return l
}

describe('writes and the data folder lock', () => {
  it('classifies every call: writes through the lock, run control by the holder only, the rest write nothing there', () => {
    const classified = [...WRITING_CHANNELS, ...RUN_CONTROL, ...NO_FOLDER_WRITES]
    expect(new Set(classified).size).toBe(classified.length)
    const calls = Object.keys(lab(mkdtempSync(join(tmpdir(), 'classify-')), { access: 'shared' }).handlers)
    expect([...classified].sort()).toEqual([...calls].sort())
  })

  it('refuses every write of a shared lab beside the holder, naming it, and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'write-lock-'))
    const holder = lab(dir, { program: 'the lab server' })
    const id = holder.runs.create({ ...PRESETS['mnist-mlp'].defaults, name: 'mine', seed: 1 })
    const reader = lab(dir, { access: 'shared' })
    for (const channel of WRITING_CHANNELS) {
      const handler = reader.handlers[channel] as (req: unknown) => unknown
      let error: unknown
      try {
        await handler({ id })
      } catch (err) {
        error = err
      }
      expect(error, channel).toBeInstanceOf(LabError)
      expect((error as LabError).message, channel).toMatch(new RegExp(`^Cannot answer ${channel}: the lab server, pid ${process.pid}, started \\d\\d:\\d\\d, holds this data folder`))
    }
    // Through the API, and through the methods the CLI calls directly.
    expect(await dispatch(reader.handlers, 'runs:update', { id, name: 'renamed' })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } })
    expect(() => reader.importBundle(new Uint8Array(10))).toThrow(/^Cannot import a run bundle: the lab server, pid \d+/)
    const csv = join(dir, 'table.csv')
    writeFileSync(csv, 'a,b\n1,2\n3,4\n5,6\n')
    expect(() => reader.datasets.importFiles([csv], 'table')).toThrow(/^Cannot import a data set: the lab server/)
    expect(holder.runs.get(id)?.name).toBe('mine')
    expect(holder.datasets.list().filter((d) => d.kind === 'tabular')).toEqual([])
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true)
  })

  it('lets a shared lab write when no program holds the folder, holding the lock only for the write', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'write-lock-'))
    const first = lab(dir, { program: 'npm run train' })
    const id = first.runs.create({ ...PRESETS['mnist-mlp'].defaults, name: 'mine', seed: 1 })
    first.close()
    const reader = lab(dir, { access: 'shared', program: 'npm run cli -- import' })
    expect(await dispatch(reader.handlers, 'runs:update', { id, name: 'renamed' })).toMatchObject({ ok: true, data: { name: 'renamed' } })
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false)
    // While another lab holds it, the same write is refused; once it lets go, it works again.
    const holder = lab(dir, { program: 'the desktop app' })
    expect(await dispatch(reader.handlers, 'runs:update', { id, name: 'again' })).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringMatching(/the desktop app/) as unknown } })
    holder.close()
    expect(await dispatch(reader.handlers, 'runs:update', { id, name: 'again' })).toMatchObject({ ok: true, data: { name: 'again' } })
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false)
  })
})
