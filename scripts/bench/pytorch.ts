// PyTorch's time for the same training iteration, the yardstick of `npm run bench`: measured in
// this run where python3 with torch is installed, else the recorded reference.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import type { RunConfig } from '@shared/config'
import type { OutputHead } from '@shared/tabular-transform'

const BATCH = 64

export interface PytorchFigure {
  measuredNow: boolean
  source: string
  setup: string
  msPerIteration: number
  imagesPerSecond: number
  /** Iterations (one D step and one G step) per second. */
  stepsPerSecond: number
}

/** PyTorch reference from ../shared/ENVIRONMENT.md, used when PyTorch cannot run here. */
export const PYTORCH_REFERENCE: PytorchFigure = {
  measuredNow: false,
  source: '../shared/ENVIRONMENT.md',
  setup: 'Debian python3-torch 1.13 + OpenBLAS, one thread, seed DCGAN (F=128), batch 64',
  msPerIteration: 3400,
  imagesPerSecond: BATCH / 3.4,
  stepsPerSecond: 1 / 3.4
}

/** The networks scripts/pytorch_dcgan_step.py builds: the presets mnist-dcgan, mnist-mlp, toy-mlp and tabular-mlp. */
export type PytorchArch = 'dcgan' | 'mlp' | 'toy' | 'tabular'

const ARCH_SETUP: Record<PytorchArch, { steps: number; warmup: number; what: string }> = {
  dcgan: { steps: 5, warmup: 2, what: 'seed DCGAN (F=128), batch 64' },
  mlp: { steps: 30, warmup: 10, what: 'mnist-mlp networks, batch 64' },
  toy: { steps: 300, warmup: 50, what: 'toy-mlp networks and loop (BCE, separate real and fake D updates, metrics read each step)' },
  tabular: { steps: 150, warmup: 30, what: 'tabular-mlp networks and loop (WGAN-GP, Gumbel-softmax heads, metrics read each step)' }
}

/**
 * Times the same iteration in PyTorch (scripts/pytorch_dcgan_step.py: the seed DCGAN, or the
 * mnist-mlp, toy-mlp or tabular-mlp preset's networks and loop; `config` is the toy and tabular
 * presets' settings as JSON, see pytorchConfig) in this run, where python3 with torch is installed
 * (Debian: apt-get install python3-torch). Without it: the DCGAN falls back to the recorded
 * reference (and says so); the others have no recorded figure (null).
 */
export function measurePytorch(arch: PytorchArch, config?: string): PytorchFigure | null {
  const script = join(__dirname, '..', 'pytorch_dcgan_step.py')
  const python = process.env.PYTHON ?? '/usr/bin/python3'
  const { steps, warmup, what } = ARCH_SETUP[arch]
  const args = [script, String(steps), String(warmup), '1', arch, ...(config !== undefined ? [config] : [])]
  const run = spawnSync(python, args, { encoding: 'utf8', timeout: 180_000 })
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
    blas?: string
    batch: number
  }
  return {
    measuredNow: true,
    source: 'scripts/pytorch_dcgan_step.py, this run',
    setup: `PyTorch ${r.torch}, ${r.threads} thread (BLAS pinned too; ${r.coresBusy.toFixed(2)} cores busy), BLAS: ${r.blas ?? 'unknown'}${r.blas !== undefined && r.blas !== 'openblas' ? ' (not OpenBLAS: slow products, install libopenblas0-pthread)' : ''}, ${what}, batch ${r.batch}, ${steps} timed iterations`,
    msPerIteration: r.msPerIteration,
    imagesPerSecond: r.imagesPerSecond,
    stepsPerSecond: 1000 / r.msPerIteration
  }
}

/** The settings scripts/pytorch_dcgan_step.py takes for the toy and tabular archs, from a run's config and G's heads. */
export function pytorchConfig(
  config: Pick<RunConfig, 'batchSize' | 'latentDim' | 'optimizerD' | 'tricks'>,
  heads?: readonly OutputHead[]
): string {
  const o = config.optimizerD
  return JSON.stringify({
    batch: config.batchSize,
    latent: config.latentDim,
    lr: o.lr,
    beta1: o.beta1,
    beta2: o.beta2,
    gNorm: config.tricks.generatorNorm,
    gpWeight: config.tricks.gpWeight,
    ...(heads ? { heads: heads.map((h) => [h.activation, h.width]) } : {})
  })
}
