// A run's memory, estimated from its config before it starts: the networks' weights with their
// gradients and optimizer slots, the activations a step keeps for back-propagation, and the
// data set held in memory. Rough (within a factor of about 1.5 of what a wasm trainer peaks at),
// but enough to refuse a config that cannot fit and to warn about one that takes most of it.
import type { PresetId, RunConfig } from './config'
import { encodedSize, type DatasetInfo } from './datasets'

/**
 * Filters of the DCGAN presets' layers (the trainer builds its models from these). The seed's
 * layout keeps them in every layer; the quick preset's (the DCGAN paper's) starts G at g and
 * halves it, and starts D at d and doubles it.
 */
export const DCGAN_FILTERS = { 'mnist-dcgan': { g: 128, d: 64 }, 'mnist-dcgan-small': { g: 128, d: 32 } } as const

const FLOAT = 4
/** The trainer process with its backend loaded, before any model: measured ~250 MB with wasm. */
const PROCESS_BASE = 300 * 1024 ** 2
/** Forward values kept for the backward pass, their gradients, and the kernels' temporaries. */
const ACTIVATION_FACTOR = 3
const MNIST_TRAIN = 60_000

export interface MemoryEstimate {
  bytes: number
  /** "weights 103 MB, activations 3.8 GB (batch 1024), data 188 MB, process 300 MB". */
  breakdown: string
}

interface Layers {
  /** Weights of G and D together. */
  params: number
  /** Floats one example's forward pass through G then D keeps. */
  activations: number
}

function dense(inputs: number, units: number): number {
  return inputs * units + units
}

function layersOf(preset: PresetId, latent: number, shape: number[]): Layers {
  const features = shape.reduce((a, b) => a * b, 1)
  if (preset === 'mnist-dcgan-small') {
    const { g, d } = DCGAN_FILTERS[preset]
    const [h, , c] = shape
    const s = h / 4
    const params = dense(latent, s * s * g) + (16 * g * (g / 2) + g / 2) + (16 * (g / 2) * c + c) + (16 * c * d + d) + (16 * d * 2 * d + 2 * d) + dense(s * s * 2 * d, 1)
    const activations = 2 * s * s * g + 2 * (2 * s) ** 2 * (g / 2) + 2 * h * h * c + 3 * (h / 2) ** 2 * d + 3 * s * s * 2 * d
    return { params, activations }
  }
  if (preset === 'mnist-dcgan') {
    const { g, d } = DCGAN_FILTERS[preset]
    const [h, , c] = shape
    const s = h / 4
    const params =
      dense(latent, s * s * g) + 2 * (16 * g * g + g) + (49 * g * c + c) + (9 * c * d + d) + (9 * d * d + d) + dense((h / 4) * (h / 4) * d, 1)
    const activations = 2 * s * s * g + 2 * (2 * s) ** 2 * g + 2 * h * h * g + 2 * h * h * c + 3 * (h / 2) ** 2 * d + 3 * (h / 4) ** 2 * d
    return { params, activations }
  }
  const hidden = preset === 'mnist-mlp' ? [256, 512] : [128, 128]
  const dHidden = preset === 'mnist-mlp' ? [256, 128] : [128, 128]
  const params = dense(latent, hidden[0]) + dense(hidden[0], hidden[1]) + dense(hidden[1], features) + dense(features, dHidden[0]) + dense(dHidden[0], dHidden[1]) + dense(dHidden[1], 1)
  const activations = 2 * (hidden[0] + hidden[1]) + features + 3 * (dHidden[0] + dHidden[1]) + 1
  return { params, activations }
}

export function formatBytes(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GiB` : `${Math.max(1, Math.round(bytes / 1024 ** 2))} MiB`
}

/**
 * The memory a trainer for `config` is expected to peak at. `dataset` is the imported data set
 * the config names (null for the built-in MNIST and the toy sets).
 */
export function estimateRunMemory(config: RunConfig, dataset: DatasetInfo | null = null): MemoryEstimate {
  const image = dataset?.image
  const shape = image ? [image.height, image.width, image.channels] : config.preset.startsWith('mnist') ? [28, 28, 1] : [dataset?.columns ? encodedSize(dataset.columns) : 2]
  const count = dataset?.count ?? (config.preset.startsWith('mnist') ? MNIST_TRAIN : 10_000)
  const slots = Math.max(slotsOf(config.optimizerD.kind), slotsOf(config.optimizerG.kind))
  const { params, activations } = layersOf(config.preset, config.latentDim, shape)
  // Each weight: itself, its gradient, and the optimizer's slots (Adam: two moments).
  const weights = params * FLOAT * (2 + slots)
  const perStep = activations * FLOAT * config.batchSize * ACTIVATION_FACTOR
  const data = count * shape.reduce((a, b) => a * b, 1) * FLOAT
  const bytes = weights + perStep + data + PROCESS_BASE
  return {
    bytes,
    breakdown: `weights with gradients and optimizer state ${formatBytes(weights)}, activations ${formatBytes(perStep)} (batch ${config.batchSize}), data ${formatBytes(data)}, the process ${formatBytes(PROCESS_BASE)}`
  }
}

function slotsOf(kind: string): number {
  return kind === 'adam' ? 2 : kind === 'sgd' ? 0 : 1
}
