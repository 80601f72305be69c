// Prints how long the latent explorer takes on this machine, cold (a new generator worker:
// process start, backend, model load) and warm (the run's worker already holds the
// checkpoint), for an mnist-mlp run and the two DCGAN presets (a few training steps each, wasm):
// a 10x10 plane, a neighbouring epoch with and without prefetch, strips, a - b + c and the cache.
// A benchmark, not a test: the load average is printed with the numbers, since the machine is shared.
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { PRESETS, type PresetId } from '@shared/config'
import { Lab } from '../src/main/services/lab'
import { forkLauncher } from '../src/main/trainer-host/fork-launcher'

const load = (): string => `load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`

async function time(label: string, work: () => Promise<unknown>): Promise<number> {
  const t = performance.now()
  await work()
  const ms = performance.now() - t
  console.log(`  ${label}: ${(ms / 1000).toFixed(2)} s`)
  return ms
}

async function bench(lab: Lab, preset: PresetId, steps: number): Promise<void> {
  console.log(`${preset} (${load()})`)
  const run = lab.startRun({ ...PRESETS[preset].defaults, name: preset, seed: 1, epochs: 3, stepsPerEpoch: steps, batchSize: 16, backend: 'wasm' })
  const end = await lab.waitForEnd(run.id)
  if (end.status !== 'completed') throw new Error(`${preset}: training ${end.status}`)
  const plane = { id: run.id, epoch: 2, axisI: 0, axisJ: 1, min: -3, max: 3, resolution: 10 }
  const z = (k: number): number[] => Array.from({ length: 100 }, (_, i) => Math.sin(i * k))
  await time('10x10 plane, cold (process start, backend, load, 100 images, PNG)', () => lab.explorerGrid(plane))
  const warm: number[] = []
  for (const k of [1, 2, 3]) warm.push(await time(`10x10 plane, warm (another range, #${k})`, () => lab.explorerGrid({ ...plane, min: -3 - k, max: 3 + k })))
  console.log(`  10x10 plane, warm, median of 3: ${(warm.sort((a, b) => a - b)[1] / 1000).toFixed(2)} s`)
  await time('10x10 plane, from the cache', () => lab.explorerGrid(plane))
  await time('neighbouring epoch, warm worker, not prefetched (loads that generator)', () => lab.explorerGrid({ ...plane, epoch: 1 }))
  await lab.handlers['explorer:open']({ id: run.id })
  await lab.explorerGrid({ ...plane, seed: 5 })
  await time('  (prefetch of epochs 1 and 3 after a plane at epoch 2, in the background)', () => lab.explorer.settled())
  await time('neighbouring epoch, explorer open (prefetched)', () => lab.explorerGrid({ ...plane, seed: 5, epoch: 3 }))
  await time('lerp + slerp strips, 8 steps, warm', () => lab.explorerInterpolate({ id: run.id, epoch: 2, from: z(1), to: z(2), steps: 8 }))
  await time('a - b + c, warm', () => lab.explorerArithmetic({ id: run.id, epoch: 2, a: z(1), b: z(2), c: z(3) }))
  lab.handlers['explorer:close']({ id: run.id })
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-explorer-'))
  const lab = new Lab({ dataDir, launcher: forkLauncher(), version: 'bench', transport: 'ipc' })
  const only = process.argv.slice(2) as PresetId[]
  try {
    for (const [preset, steps] of [['mnist-mlp', 5], ['mnist-dcgan-small', 1], ['mnist-dcgan', 1]] as const) {
      if (only.length === 0 || only.includes(preset)) await bench(lab, preset, steps)
    }
    console.log(`done (${load()})`)
  } finally {
    lab.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

void main()
