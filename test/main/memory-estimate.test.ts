// A run's memory estimated from its config (issue 18): the largest config the schema allows is
// refused on a machine it cannot fit, naming the estimate; one above half the memory is warned
// about; the presets' defaults pass quietly.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { PRESETS, PRESET_IDS, runConfigSchema, type RunConfigInput } from '@shared/config'
import { LabError } from '@shared/errors'
import { estimateRunMemory } from '@shared/memory'
import { dispatch } from '../../src/main/services/dispatch'
import { Lab } from '../../src/main/services/lab'
import type { Preflight } from '../../src/main/services/preflight'
import { forkLauncher } from '../../src/main/trainer-host/fork-launcher'

const GiB = 1024 ** 3
const labs: Lab[] = []
afterEach(() => labs.splice(0).forEach((lab) => lab.close()))

function labWith(totalMemoryBytes: number): Lab {
  const lab = new Lab({ dataDir: mkdtempSync(join(tmpdir(), 'memory-')), launcher: forkLauncher(), version: 'test', transport: 'ipc', totalMemoryBytes })
  labs.push(lab)
  return lab
}

/** The probe's config: the largest the schema allows for the seed's DCGAN. */
const largest: RunConfigInput = { ...PRESETS['mnist-dcgan'].defaults, name: 'largest', seed: 1, batchSize: 1024, latentDim: 1024, backend: 'auto' }

describe('run memory estimate', () => {
  it('puts the largest DCGAN config past 4 GiB and every preset default under 1 GiB', () => {
    expect(estimateRunMemory(runConfigSchema.parse(largest)).bytes).toBeGreaterThan(4 * GiB)
    for (const id of PRESET_IDS) expect(estimateRunMemory(runConfigSchema.parse({ ...PRESETS[id].defaults, name: id, seed: 1 })).bytes).toBeLessThan(GiB)
    const at = (batchSize: number): number => estimateRunMemory(runConfigSchema.parse({ ...largest, batchSize })).bytes
    expect(at(512)).toBeLessThan(at(1024))
  })

  it('refuses what cannot fit on this machine with the estimate in the message, and records nothing', async () => {
    const lab = labWith(4 * GiB)
    const reply = await dispatch(lab.handlers, 'runs:create', { config: largest })
    expect(reply).toMatchObject({
      ok: false,
      error: {
        code: 'INVALID_CONFIG',
        message: expect.stringMatching(/batchSize: this run would need about 4\.\d GiB \(weights with gradients and optimizer state \d+ MiB, activations \d\.\d GiB \(batch 1024\), .*\), more than this machine's 4\.0 GiB of memory; lower the batch size or the latent size/) as unknown,
        issues: [{ field: 'batchSize' }]
      }
    })
    expect(lab.runs.list()).toEqual([])
  })

  it("refuses past the wasm backend's 4 GiB on a large machine when wasm is asked for", () => {
    const lab = labWith(64 * GiB)
    expect(() => lab.startRun({ ...largest, backend: 'wasm' })).toThrow(/more than the 4\.0 GiB the wasm backend can address/)
    expect(lab.runs.list()).toEqual([])
  })

  it('warns above half the memory and stays quiet below it', () => {
    const config = runConfigSchema.parse(largest)
    const bytes = estimateRunMemory(config).bytes
    const preflight = (total: number): Preflight => (labWith(total).runService as unknown as { preflight: Preflight }).preflight
    expect(preflight(bytes * 1.5).checkMemory(config)).toMatch(/^This run is expected to need about 4\.\d GiB .* more than half of this machine's 6\.\d GiB; other runs and programs may run short\.$/)
    expect(preflight(bytes * 3).checkMemory(config)).toBeNull()
    expect(() => preflight(bytes * 0.9).checkMemory(config)).toThrow(LabError)
  })
})
