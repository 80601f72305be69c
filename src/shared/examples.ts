// Named example experiments the new-run form (and the CLI's --example) can start from: whole
// configs kept apart from the presets' defaults, so an instructive setting stays one click away
// whatever the defaults become.
import { DEFAULT_TRICKS, type OptimizerConfig, type RunConfig } from './config'
import { DEFAULT_EVALUATION } from './evaluation'

export interface RunExample {
  id: string
  label: string
  /** What to expect, in a sentence or two. */
  description: string
  config: Omit<RunConfig, 'name' | 'seed'>
}

const seedAdam = (): OptimizerConfig => ({ kind: 'adam', lr: 2e-4, beta1: 0.5, beta2: 0.999, momentum: 0.9 })

export const EXAMPLES: readonly RunExample[] = [
  {
    id: 'seed-dcgan-batch-64',
    label: 'Seed DCGAN, batch 64: D wins',
    description:
      "The seed's DCGAN and loop at batch 64 (Adam 2e-4 β1 0.5 for both networks, hard labels, real and fake in separate " +
      "half-batches): within ~100 steps D tells every image apart, G's loss climbs and the samples turn black; the " +
      'convergence-failure flag fires. The mnist-dcgan preset\'s defaults are what makes it learn.',
    config: {
      preset: 'mnist-dcgan',
      dataset: 'mnist',
      latentDim: 100,
      batchSize: 64,
      epochs: 2,
      stepsPerEpoch: null,
      optimizerD: seedAdam(),
      optimizerG: seedAdam(),
      backend: 'auto',
      tricks: { ...DEFAULT_TRICKS },
      discriminator: { from: null, freeze: 'none', regularizer: 'dropout', fromClassifier: false },
      evaluation: { ...DEFAULT_EVALUATION },
      conditional: false
    }
  }
]

export function exampleById(id: string): RunExample | undefined {
  return EXAMPLES.find((e) => e.id === id)
}
