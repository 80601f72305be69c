// Trainers killed with SIGKILL at random moments: the run is marked crashed, the database
// stays intact, every flushed step is there without gaps, and every checkpoint the database
// names is complete on disk (half-written ones only ever exist under a .partial name).
import { existsSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { PRESETS } from '@shared/config'
import { Lab } from '../../src/main/services/lab'
import { forkLauncher } from '../../src/main/trainer-host/fork-launcher'
import { mulberry32 } from '../../src/main/common/random'

const KILLS = 6
const lab = new Lab({ dataDir: mkdtempSync(join(tmpdir(), 'crash-')), launcher: forkLauncher(), version: 'test', transport: 'ipc' })
afterAll(() => lab.close())

function pidOf(runId: number): number {
  // The test reaches into the host only to find the process to kill.
  const active = (lab.runService as unknown as { active: Map<number, { channel: { pid: number } }> }).active
  return active.get(runId)!.channel.pid
}

describe('SIGKILL at random moments', () => {
  it(`keeps the store consistent over ${KILLS} kills`, async () => {
    const rand = mulberry32(2026)
    for (let k = 0; k < KILLS; k++) {
      // Short epochs so that kills also land while checkpoints are being written.
      const run = lab.startRun({ ...PRESETS['mnist-mlp'].defaults, name: `kill ${k}`, seed: k, epochs: 1000, stepsPerEpoch: 4, batchSize: 16, backend: 'wasm' })
      const killAfterEvents = 1 + Math.floor(rand() * 12)
      await new Promise<void>((resolve) => {
        let seen = 0
        let flushed = false
        const off = lab.subscribe((e) => {
          if ((e.event === 'trainer:steps' || e.event === 'trainer:epoch' || e.event === 'trainer:progress') && e.payload.runId === run.id) {
            seen++
            flushed ||= e.event === 'trainer:steps'
          }
          // Kill only once some steps are stored, so "no gaps" is checked on steps that exist.
          if (flushed && seen >= killAfterEvents) {
            off()
            process.kill(pidOf(run.id), 'SIGKILL')
            resolve()
          }
        })
      })
      const end = await lab.waitForEnd(run.id)
      expect(end.status).toBe('crashed')
      expect(end.statusMessage).toContain('SIGKILL')
      const steps = lab.metrics.series(run.id).step
      expect(steps.length).toBeGreaterThan(0)
      expect(steps).toEqual(Array.from({ length: steps.length }, (_, i) => i + 1))
      expect(end.stepsDone).toBe(steps.length)
      for (const e of lab.metrics.epochs(run.id)) {
        const dir = join(lab.runDir(run.id), e.checkpointDir!)
        for (const net of ['generator', 'discriminator']) {
          expect(readdirSync(join(dir, net)).sort()).toEqual(['model.json', 'weights.bin'])
        }
      }
      const ckptRoot = join(lab.runDir(run.id), 'checkpoints')
      const complete = existsSync(ckptRoot) ? readdirSync(ckptRoot).filter((d) => !d.endsWith('.partial')) : []
      expect(complete.length).toBeGreaterThanOrEqual(lab.metrics.epochs(run.id).length)
    }
    expect(lab.db.pragma('integrity_check', { simple: true })).toBe('ok')
  })
})
