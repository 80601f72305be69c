// PyTorch's time for the same training iteration, the yardstick of `npm run bench`: measured in
// this run where python3 with torch is installed, else the recorded reference.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

const BATCH = 64

export interface PytorchFigure {
  measuredNow: boolean
  source: string
  setup: string
  msPerIteration: number
  imagesPerSecond: number
}

/** PyTorch reference from ../shared/ENVIRONMENT.md, used when PyTorch cannot run here. */
export const PYTORCH_REFERENCE: PytorchFigure = {
  measuredNow: false,
  source: '../shared/ENVIRONMENT.md',
  setup: 'Debian python3-torch 1.13 + OpenBLAS, one thread, seed DCGAN (F=128), batch 64',
  msPerIteration: 3400,
  imagesPerSecond: BATCH / 3.4
}

/**
 * Times the same iteration in PyTorch (scripts/pytorch_dcgan_step.py: the seed DCGAN, or the
 * mnist-mlp preset's networks) in this run, where python3 with torch is installed (Debian:
 * apt-get install python3-torch). Without it: the DCGAN falls back to the recorded reference
 * (and says so); the MLP has no recorded figure (null).
 */
export function measurePytorch(arch: 'dcgan' | 'mlp'): PytorchFigure | null {
  const script = join(__dirname, '..', 'pytorch_dcgan_step.py')
  const python = process.env.PYTHON ?? '/usr/bin/python3'
  const [steps, warmup] = arch === 'dcgan' ? ['5', '2'] : ['30', '10']
  const run = spawnSync(python, [script, steps, warmup, '1', arch], { encoding: 'utf8', timeout: 180_000 })
  if (run.status !== 0) {
    const why = (run.stderr || run.error?.message || '').trim().split('\n').pop() ?? 'unknown error'
    console.error(`PyTorch not measured for ${arch} (${why})${arch === 'dcgan' ? '; using the recorded reference' : ''}`)
    return arch === 'dcgan' ? PYTORCH_REFERENCE : null
  }
  const r = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as {
    msPerIteration: number
    imagesPerSecond: number
    torch: string
    threads: number
    coresBusy: number
  }
  return {
    measuredNow: true,
    source: 'scripts/pytorch_dcgan_step.py, this run',
    setup:
      `PyTorch ${r.torch}, ${r.threads} thread (BLAS pinned too; ${r.coresBusy.toFixed(2)} cores busy), ` +
      `${arch === 'dcgan' ? 'seed DCGAN (F=128)' : 'mnist-mlp networks'}, batch 64, ${steps} timed iterations`,
    msPerIteration: r.msPerIteration,
    imagesPerSecond: r.imagesPerSecond
  }
}
