// Conditional GANs: which class each generated sample is asked for. A conditional run's
// generator takes [z, one-hot(class)] (latentDim + classes values) and its discriminator
// sees the one-hot as extra input planes, so both stay single-input models and every
// consumer of a generator (grids, explorer, scores, exports) only has to say the classes.

/** Samples per epoch grid of an unconditional run (10 x 10). */
export const GRID_TARGET = 100

/** A conditional run's epoch grid: one row per class, as many columns as fit GRID_TARGET samples. */
export function conditionalGrid(classes: number, target = GRID_TARGET): { rows: number; cols: number; count: number } {
  const cols = Math.max(1, Math.floor(target / classes))
  return { rows: classes, cols, count: classes * cols }
}

/** Labels of a conditional grid, row-major: row r holds class r. */
export function gridLabels(classes: number, target = GRID_TARGET): Int32Array {
  const { cols, count } = conditionalGrid(classes, target)
  return Int32Array.from({ length: count }, (_, i) => Math.floor(i / cols))
}

/**
 * The latents of a conditional grid: the same `cols` latent vectors in every row, so each column
 * shows one latent vector drawn as every class (style held, class varied), as in Mirza & Osindero.
 */
export function conditionalGridLatents(columnLatents: Float32Array, classes: number): Float32Array {
  const out = new Float32Array(columnLatents.length * classes)
  for (let r = 0; r < classes; r++) out.set(columnLatents, r * columnLatents.length)
  return out
}

/** `count` labels cycling through the classes: every class equally often (up to one). */
export function balancedLabels(count: number, classes: number): Int32Array {
  return Int32Array.from({ length: count }, (_, i) => i % classes)
}

/** `count` copies of one class. */
export function constantLabels(count: number, label: number): Int32Array {
  return new Int32Array(count).fill(label)
}

/**
 * The generator's input rows: each latent vector followed by the one-hot of its label.
 * With classes = 0 (an unconditional run) the latents are returned as they are.
 */
export function generatorInputs(latents: Float32Array, latentDim: number, labels: Int32Array | null, classes: number): Float32Array {
  if (classes === 0) return latents
  const count = latents.length / latentDim
  if (!labels || labels.length !== count) {
    throw new Error(`A conditional generator needs one class label per latent vector: ${count} vectors, ${labels?.length ?? 0} labels`)
  }
  const width = latentDim + classes
  const out = new Float32Array(count * width)
  for (let i = 0; i < count; i++) {
    const label = labels[i]
    if (!Number.isInteger(label) || label < 0 || label >= classes) throw new Error(`Class label ${label} is outside 0-${classes - 1}`)
    out.set(latents.subarray(i * latentDim, (i + 1) * latentDim), i * width)
    out[i * width + latentDim + label] = 1
  }
  return out
}
