// The rows a tabular run with a target column keeps out of training: a seeded 20% of the table,
// which neither the GAN nor the transform fit ever sees, so the utility models (TSTR and TRTR,
// shared/tabular-utility.ts) are tested on rows the generator could not have memorised.
import { LabError } from '@shared/errors'
import { heldOutCount, holdOutProblem } from '@shared/tabular-utility'
import { mulberry32, permutation } from '../../common/random'
import type { TrainingData } from './source'

/** The examples of `data` at `indices`, in that order. */
export function subsetData(data: TrainingData, indices: Uint32Array): TrainingData {
  const labels = data.labels
  return {
    ...data,
    count: indices.length,
    fill: (index, out, offset) => data.fill(indices[index], out, offset),
    ...(labels ? { labels: Uint8Array.from(indices, (i) => labels[i]) } : {})
  }
}

/**
 * `data` split into the rows to train on and the held-out ones (each in table order). The seed is
 * the table's, not the run's: every run on a table holds out the same rows, so their TSTR scores
 * compare on one test set, and seeds vary the GAN alone.
 */
export function holdOut(data: TrainingData, seed = 1): { train: TrainingData; heldOut: TrainingData } {
  const problem = holdOutProblem(data.count)
  if (problem) throw new LabError('INVALID_CONFIG', problem)
  const order = permutation(data.count, mulberry32(seed ^ 0x401d))
  const n = heldOutCount(data.count)
  const sorted = (a: Uint32Array): Uint32Array => a.slice().sort()
  return { train: subsetData(data, sorted(order.subarray(n))), heldOut: subsetData(data, sorted(order.subarray(0, n))) }
}
