// Prints how long the latent explorer takes on this machine: one run of the mnist-mlp preset
// (2 epochs, wasm), then a 20x20 plane rendered fresh, the same again from the cache, and a
// sweep of the plane over both epochs at 32x32. A benchmark, not a test.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PRESETS } from '@shared/config'
import { Lab } from '../src/main/services/lab'
import { forkLauncher } from '../src/main/trainer-host/fork-launcher'

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-explorer-'))
  const lab = new Lab({ dataDir, launcher: forkLauncher(), version: 'bench', transport: 'ipc' })
  try {
    const run = lab.startRun({ ...PRESETS['mnist-mlp'].defaults, name: 'bench', seed: 1, epochs: 2, stepsPerEpoch: 10, batchSize: 32, backend: 'wasm' })
    await lab.waitForEnd(run.id)
    const plane = { id: run.id, epoch: 2, axisI: 0, axisJ: 1, min: -3, max: 3, resolution: 20 }
    const time = async (label: string, work: () => Promise<unknown>): Promise<void> => {
      const t = performance.now()
      await work()
      console.log(`${label}: ${(performance.now() - t).toFixed(0)} ms`)
    }
    await time('20x20 plane, fresh (process start, load, 400 images, PNG)', () => lab.explorerGrid(plane))
    await time('20x20 plane, from the cache', () => lab.explorerGrid(plane))
    await time('32x32 plane at epochs 1 and 2 (sweep, one after the other)', async () => {
      for (const epoch of [1, 2]) await lab.explorerGrid({ ...plane, epoch, resolution: 32 })
    })
    await time('32x32 plane at epochs 1 and 2 asked together', () =>
      Promise.all([1, 2].map((epoch) => lab.explorerGrid({ ...plane, epoch, resolution: 32, min: -2, max: 2 })))
    )
  } finally {
    lab.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

void main()
