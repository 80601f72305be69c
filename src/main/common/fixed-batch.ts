// A run's fixed latent batch: the latent vectors behind its epoch sample grids, drawn from the
// run's seed alone, so the trainer draws them and the explorer finds the vector of any grid tile.
import type { Tricks } from '@shared/config'
import { conditionalGrid, conditionalGridLatents } from '@shared/conditional'
import { gaussian, mulberry32 } from './random'

/** Samples in an unconditional run's epoch grid. */
export const GRID_SAMPLES = 100

/** The run's fixed latent batch: depends only on the seed, so equal seeds give comparable grids. */
export function fixedLatentBatch(seed: number, latentDim: number, count = GRID_SAMPLES, latent: Tricks['latent'] = 'gaussian'): Float32Array {
  const rand = mulberry32(seed ^ 0x5eed)
  if (latent === 'gaussian') return gaussian(count * latentDim, rand)
  return Float32Array.from({ length: count * latentDim }, () => rand() * 2 - 1)
}

/**
 * The latents of a run's fixed batch of `count` samples: fixedLatentBatch, or for a
 * conditional run (classes > 0, count a conditionalGrid's) the same column latents in every
 * row of its grid, so a column is one latent vector drawn as each class (labels: gridLabels).
 */
export function fixedBatchLatents(seed: number, latentDim: number, count: number, latent: Tricks['latent'], classes: number): Float32Array {
  if (classes === 0) return fixedLatentBatch(seed, latentDim, count, latent)
  return conditionalGridLatents(fixedLatentBatch(seed, latentDim, count / classes, latent), classes)
}

/** The standard deviation of one latent component: 1 for a Gaussian latent, 1/sqrt(3) for uniform on [-1, 1]. */
export function latentSpread(latent: Tricks['latent']): number {
  return latent === 'gaussian' ? 1 : 1 / Math.sqrt(3)
}

/**
 * Tile `index` (row-major) of a run's epoch grid: its latent vector and, for a conditional run,
 * the class its row draws. Null when the grid has no such tile.
 */
export function gridSample(
  seed: number,
  latentDim: number,
  latent: Tricks['latent'],
  classes: number,
  index: number
): { latent: Float32Array; classLabel?: number; count: number } | null {
  const count = classes === 0 ? GRID_SAMPLES : conditionalGrid(classes).count
  if (!Number.isInteger(index) || index < 0 || index >= count) return null
  if (classes === 0) return { latent: fixedLatentBatch(seed, latentDim, count, latent).slice(index * latentDim, (index + 1) * latentDim), count }
  const { cols } = conditionalGrid(classes)
  const column = index % cols
  const columns = fixedLatentBatch(seed, latentDim, cols, latent)
  return { latent: columns.slice(column * latentDim, (column + 1) * latentDim), classLabel: Math.floor(index / cols), count }
}
