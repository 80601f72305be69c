// Run configuration: the one schema the new-run form, the API boundary, the CLI and the
// database all validate against, so a bad value is refused with the field that is wrong.
import { z } from 'zod'
import { datasetRefSchema, type DataKind } from './datasets'
import { DEFAULT_EVALUATION, evaluationConfigSchema } from './evaluation'

/** The first is what the new-run form opens on. */
export const PRESET_IDS = ['mnist-dcgan-small', 'mnist-dcgan', 'mnist-mlp', 'tabular-mlp', 'toy-mlp'] as const
export type PresetId = (typeof PRESET_IDS)[number]

/** The kinds of data each preset's models take (image presets adapt to the images' size and channels). */
export const PRESET_DATA_KINDS: Record<PresetId, readonly DataKind[]> = {
  'mnist-dcgan-small': ['images'],
  'mnist-dcgan': ['images'],
  'mnist-mlp': ['images'],
  'tabular-mlp': ['tabular', 'points'],
  'toy-mlp': ['points', 'tabular']
}

/** Backends in order of preference; 'auto' walks this list and records why each better one was skipped. */
export const BACKEND_ORDER = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const
export type BackendName = (typeof BACKEND_ORDER)[number]
export const BACKEND_CHOICES = ['auto', ...BACKEND_ORDER] as const
export type BackendChoice = (typeof BACKEND_CHOICES)[number]

export const BACKEND_LABELS: Record<BackendName, string> = {
  'tensorflow-gpu': 'tfjs-node-gpu (CUDA)',
  tensorflow: 'tfjs-node (native CPU)',
  wasm: 'WebAssembly (SIMD)',
  cpu: 'plain JavaScript (cpu)'
}

export const OPTIMIZER_KINDS = ['sgd', 'momentum', 'adam', 'rmsprop'] as const
export type OptimizerKind = (typeof OPTIMIZER_KINDS)[number]

export const optimizerSchema = z
  .object({
    kind: z.enum(OPTIMIZER_KINDS),
    lr: z.number().positive('must be greater than 0').max(10, 'must be at most 10'),
    /** Adam's first-moment decay (the seed's 0.5). */
    beta1: z.number().min(0, 'must be at least 0').lt(1, 'must be below 1').default(0.5),
    /** Adam's second-moment decay. */
    beta2: z.number().min(0, 'must be at least 0').lt(1, 'must be below 1').default(0.999),
    /** The momentum of SGD with momentum. */
    momentum: z.number().min(0, 'must be at least 0').lt(1, 'must be below 1').default(0.9)
  })
  .strict()
export type OptimizerConfig = z.infer<typeof optimizerSchema>

/** One line for lists and tables: "Adam 0.0002 β1 0.5", "SGD 0.01". */
export function describeOptimizer(o: OptimizerConfig): string {
  switch (o.kind) {
    case 'adam':
      return `Adam ${o.lr} β1 ${o.beta1}${o.beta2 !== 0.999 ? ` β2 ${o.beta2}` : ''}`
    case 'sgd':
      return `SGD ${o.lr}`
    case 'momentum':
      return `SGD+momentum ${o.lr} m ${o.momentum}`
    case 'rmsprop':
      return `RMSprop ${o.lr}`
  }
}

export const GAN_LOSS_KINDS = ['nsgan', 'minimax', 'lsgan', 'hinge', 'wgan', 'wgan-gp'] as const
export type GanLossKind = (typeof GAN_LOSS_KINDS)[number]

/** WGAN and WGAN-GP train a critic: a linear score with no accuracy, and a Wasserstein estimate instead. */
export function isWasserstein(loss: GanLossKind): loss is 'wgan' | 'wgan-gp' {
  return loss === 'wgan' || loss === 'wgan-gp'
}

/**
 * The optimizers the WGAN papers use, which the new-run form offers when such a loss is picked:
 * RMSprop 5e-5 (Arjovsky et al.) for clipping, Adam(1e-4, β1 0, β2 0.9) (Gulrajani et al.) for
 * the gradient penalty; both with n_critic = 5.
 */
export function wassersteinDefaults(loss: 'wgan' | 'wgan-gp'): { optimizer: OptimizerConfig; dStepsPerG: number } {
  const optimizer: OptimizerConfig =
    loss === 'wgan'
      ? { kind: 'rmsprop', lr: 5e-5, beta1: 0.5, beta2: 0.999, momentum: 0.9 }
      : { kind: 'adam', lr: 1e-4, beta1: 0, beta2: 0.9, momentum: 0.9 }
  return { optimizer, dStepsPerG: 5 }
}

/**
 * Training tricks of the seed literature. The defaults reproduce the seed's plain loop:
 * one D step per G step, hard labels, no noise, Gaussian latent, default initialisers,
 * real and fake in separate half-batches.
 */
export const tricksSchema = z
  .object({
    /** Discriminator steps per generator step (k). */
    dStepsPerG: z.number().int('must be a whole number').min(1, 'must be at least 1').max(10, 'must be at most 10').default(1),
    /** One-sided label smoothing: D's targets for real images are drawn from [min, max]; 1-1 is off, 0.9-0.9 fixed. */
    realLabel: z
      .object({
        min: z.number().gt(0.5, 'must be above 0.5').max(1.5, 'must be at most 1.5'),
        max: z.number().gt(0.5, 'must be above 0.5').max(1.5, 'must be at most 1.5')
      })
      .strict()
      .refine((r) => r.min <= r.max, { message: 'min must not exceed max', path: ['min'] })
      .default({ min: 1, max: 1 }),
    /** Fraction of D's labels flipped (noisy labels). */
    labelFlip: z.number().min(0, 'must be at least 0').max(0.5, 'must be at most 0.5').default(0).describe("the fraction of D's labels flipped (e.g. 0.05)"),
    /** Gaussian noise added to every input of D, its std decaying linearly to 0 over decayEpochs (0 = constant). */
    instanceNoise: z
      .object({
        std: z.number().min(0, 'must be at least 0').max(2, 'must be at most 2'),
        decayEpochs: z.number().int('must be a whole number').min(0, 'must be at least 0')
      })
      .strict()
      .default({ std: 0, decayEpochs: 0 }),
    latent: z.enum(['gaussian', 'uniform']).default('gaussian').describe('the latent distribution'),
    /** 'normal-0.02': every kernel drawn from N(0, 0.02) and biases zero (DCGAN paper). */
    init: z.enum(['default', 'normal-0.02']).default('default').describe('the weight initialisers'),
    /** 'separate': real and fake half-batches in two D updates (the seed); 'mixed': one update on both. A WGAN critic always updates on both at once. */
    dBatch: z.enum(['separate', 'mixed']).default('separate'),
    /**
     * nsgan: the seed's BCE with non-saturating G loss; minimax: the original G loss; lsgan; hinge;
     * wgan: a critic with linear output whose weights are clipped to [-clip, clip] after each
     * update; wgan-gp: a critic with a gradient penalty of weight gpWeight instead of clipping.
     * For both, n_critic is dStepsPerG.
     */
    loss: z.enum(GAN_LOSS_KINDS).default('nsgan'),
    /** WGAN: every critic weight is clipped to [-clip, clip] after each critic update. */
    clip: z.number().positive('must be greater than 0').max(1, 'must be at most 1').default(0.01),
    /** WGAN-GP: the weight λ of the gradient penalty λ·(‖∇D(x̂)‖ - 1)². */
    gpWeight: z.number().positive('must be greater than 0').max(1000, 'must be at most 1000').default(10),
    /**
     * The DCGAN presets' pixel scale inside the networks: 'tanh', G ends in tanh and D sees [-1, 1];
     * 'sigmoid', the seed's own: G ends in a sigmoid and D sees [0, 1] (a fixed rescaling layer at
     * each end, so data, grids, scores and exports stay in [-1, 1] either way).
     */
    imageScale: z.enum(['tanh', 'sigmoid']).default('tanh').describe("the DCGAN presets' pixel scale inside G and D"),
    /**
     * 'batchnorm': batch normalisation after each hidden layer of G, before its activation (the
     * DCGAN paper's G; ganhacks' "use BatchNorm"); 'none': the seed's G. Samples, grids and
     * exports use the running statistics.
     */
    generatorNorm: z.enum(['none', 'batchnorm']).default('none'),
    /**
     * How the tabular preset encodes an imported table's rows: 'minmax', numbers scaled to [-1, 1]
     * and G ending in one tanh; 'modes', CTGAN's mode-specific normalisation (repeated values and
     * Gaussian-mixture components as modes, a tanh offset and a softmax mode per number, a softmax
     * per category). Toy points always use min-max.
     */
    tableTransform: z.enum(['minmax', 'modes']).default('minmax').describe("the tabular preset's row encoding: modes (CTGAN) or minmax"),
    /**
     * 'by-category': CTGAN's conditional generator with training-by-sampling (modes transform): G and D also take
     * a one-hot over every categorical column's categories; each example conditions on one
     * category, drawn by the log of its frequency, with a real row of that category, and G pays a
     * cross-entropy for not producing it. A table without categorical columns trains as with 'rows'
     * (shuffled rows, no condition).
     */
    tableSampling: z.enum(['rows', 'by-category']).default('rows').describe("how the tabular preset draws real rows: rows (shuffled) or by-category (CTGAN's training-by-sampling)")
  })
  .strict()
  .superRefine((t, ctx) => {
    if (!isWasserstein(t.loss)) return
    // A critic scores, it does not classify: there are no labels to smooth or flip.
    if (t.realLabel.min !== 1 || t.realLabel.max !== 1) {
      ctx.addIssue({ code: 'custom', path: ['realLabel', 'min'], message: `a ${t.loss} critic has no labels to smooth; use 1-1` })
    }
    if (t.labelFlip > 0) ctx.addIssue({ code: 'custom', path: ['labelFlip'], message: `a ${t.loss} critic has no labels to flip; use 0` })
  })
export type Tricks = z.infer<typeof tricksSchema>
export const DEFAULT_TRICKS: Tricks = tricksSchema.parse({})

/** The tricks that differ from the plain loop, in words: ["k = 2", "real labels 0.9"]. */
export function describeTricks(t: Tricks): string[] {
  const out: string[] = []
  if (t.dStepsPerG !== 1) out.push(isWasserstein(t.loss) ? `n_critic = ${t.dStepsPerG}` : `k = ${t.dStepsPerG} D steps per G step`)
  if (t.realLabel.min !== 1 || t.realLabel.max !== 1) {
    out.push(t.realLabel.min === t.realLabel.max ? `real labels ${t.realLabel.min}` : `real labels ${t.realLabel.min}-${t.realLabel.max}`)
  }
  if (t.labelFlip > 0) out.push(`${Math.round(t.labelFlip * 1000) / 10}% labels flipped`)
  if (t.instanceNoise.std > 0) {
    out.push(`instance noise ${t.instanceNoise.std}${t.instanceNoise.decayEpochs > 0 ? ` to 0 over ${t.instanceNoise.decayEpochs} epochs` : ''}`)
  }
  if (t.latent !== 'gaussian') out.push('uniform latent')
  if (t.init !== 'default') out.push('N(0, 0.02) init')
  if (t.dBatch !== 'separate' && !isWasserstein(t.loss)) out.push('mixed D batches')
  if (t.imageScale === 'sigmoid') out.push('sigmoid G, D on [0, 1]')
  if (t.generatorNorm === 'batchnorm') out.push('batch norm in G')
  if (t.tableTransform === 'modes') out.push('mode-specific normalisation (CTGAN)')
  if (t.tableSampling === 'by-category') out.push('training-by-sampling (CTGAN)')
  if (t.loss === 'wgan') out.push(`WGAN (weight clip ${t.clip})`)
  else if (t.loss === 'wgan-gp') out.push(`WGAN-GP (λ = ${t.gpWeight})`)
  else if (t.loss !== 'nsgan') out.push(`${t.loss} loss`)
  return out
}

export const MNIST_TRAIN_SIZE = 60_000

/**
 * Where D starts (the seed's second experiment): from scratch, or from D's checkpoint of an
 * earlier run at a chosen epoch; and whether it is frozen entirely or all but its last layer.
 */
export const discriminatorSchema = z
  .object({
    from: z
      .object({
        runId: z.number().int('must be a whole number').positive('must be a run id'),
        epoch: z.number().int('must be a whole number').min(1, 'must be at least 1')
      })
      .strict()
      .nullable()
      .default(null),
    freeze: z.enum(['none', 'all', 'body']).default('none'),
    /** What follows D's hidden layers: the presets' dropout, batch normalisation (DCGAN paper), or nothing. */
    regularizer: z.enum(['dropout', 'batchnorm', 'none']).default('dropout'),
    /**
     * D is the reference classifier's body (its convolutions and feature layer) with a new
     * real/fake head: the seed's untried idea. Then D has the classifier's layers, not the preset's.
     */
    fromClassifier: z.boolean().default(false)
  })
  .strict()
  .refine((d) => !(d.fromClassifier && d.from), { message: 'D starts either from a run or from the classifier, not both', path: ['fromClassifier'] })
  .refine((d) => !(d.fromClassifier && d.freeze === 'all'), { message: 'a D from the classifier has a new head that must train: freeze none or the body', path: ['freeze'] })
export type DiscriminatorSetup = z.infer<typeof discriminatorSchema>
export type DiscriminatorRegularizer = DiscriminatorSetup['regularizer']

export function describeDiscriminator(d: DiscriminatorSetup): string {
  const from = d.from ? `from run ${d.from.runId} epoch ${d.from.epoch}` : d.fromClassifier ? "from the classifier's body, new head" : 'from scratch'
  const freeze = d.freeze === 'all' ? ', frozen' : d.freeze === 'body' ? ', body frozen (head trains)' : ''
  const regularizer = d.regularizer === 'batchnorm' ? ', batch norm' : d.regularizer === 'none' ? ', no dropout' : ''
  return from + freeze + regularizer
}

export const runConfigSchema = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(120, 'must be at most 120 characters'),
    preset: z.enum(PRESET_IDS),
    dataset: datasetRefSchema.default('mnist'),
    latentDim: z.number().int().min(1).max(1024).default(100).describe('the latent size'),
    /** Images per half-batch: D sees this many real and this many generated images per step. */
    batchSize: z.number().int('must be a whole number').min(1, 'must be at least 1').max(1024, 'must be at most 1024').describe('images per batch'),
    epochs: z.number().int('must be a whole number').min(1, 'must be at least 1').max(10_000),
    /** null means one full pass over the training set per epoch. */
    stepsPerEpoch: z.number().int('must be a whole number').min(1, 'must be at least 1').max(1_000_000).nullable().default(null).describe('steps in an epoch'),
    seed: z.number().int('must be a whole number').min(0).max(2 ** 31 - 1),
    optimizerD: optimizerSchema,
    optimizerG: optimizerSchema,
    backend: z.enum(BACKEND_CHOICES).default('auto'),
    tricks: tricksSchema.default(DEFAULT_TRICKS),
    discriminator: discriminatorSchema.default({ from: null, freeze: 'none', regularizer: 'dropout', fromClassifier: false }),
    /** When and how epochs are scored with the reference classifier, and early stop on a flag. */
    evaluation: evaluationConfigSchema.default(DEFAULT_EVALUATION),
    /**
     * Conditional GAN: the class label goes to G (one-hot after z) and to D (one-hot as extra
     * input planes); grids show one row per class. Needs a labelled image data set.
     */
    conditional: z.boolean().default(false).describe('a conditional GAN on a labelled image data set; grids one row per class')
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.conditional && !PRESET_DATA_KINDS[c.preset].includes('images')) {
      ctx.addIssue({ code: 'custom', path: ['conditional'], message: `the ${c.preset} preset has no class labels to condition on; conditional runs use a labelled image data set` })
    }
    if (!c.conditional && (c.evaluation.bestBy === 'labelAccuracy' || c.evaluation.bestBy === 'tstrAccuracy')) {
      ctx.addIssue({ code: 'custom', path: ['evaluation', 'bestBy'], message: 'label accuracy and TSTR are scored for conditional runs only' })
    }
    if (c.conditional && c.discriminator.fromClassifier) {
      ctx.addIssue({
        code: 'custom',
        path: ['conditional'],
        message: "a conditional D sees the label as extra input planes, which the classifier's body does not take: turn off one of them"
      })
    }
    if (c.tricks.tableTransform === 'modes' && c.preset !== 'tabular-mlp') {
      ctx.addIssue({ code: 'custom', path: ['tricks', 'tableTransform'], message: `the modes transform is the tabular preset's; ${c.preset} uses min-max` })
    }
    if (c.tricks.tableSampling === 'by-category' && c.tricks.tableTransform !== 'modes') {
      ctx.addIssue({
        code: 'custom',
        path: ['tricks', 'tableSampling'],
        message: "training-by-sampling conditions G's softmax heads of the modes transform: use the modes row encoding, or shuffled rows (tableSampling rows)"
      })
    }
    if (c.evaluation.targetColumn !== null && c.preset !== 'tabular-mlp') {
      ctx.addIssue({ code: 'custom', path: ['evaluation', 'targetColumn'], message: `a target column is for tables (the tabular-mlp preset); ${c.preset} has none` })
    }
    if (c.tricks.imageScale === 'sigmoid' && !isDcganPreset(c.preset)) {
      ctx.addIssue({ code: 'custom', path: ['tricks', 'imageScale'], message: `the sigmoid scale is built into the DCGAN presets only; ${c.preset} uses tanh` })
    }
    // The penalty constrains each image's gradient; batch norm makes every score depend on the whole batch.
    if (c.tricks.loss === 'wgan-gp' && c.discriminator.regularizer === 'batchnorm') {
      ctx.addIssue({
        code: 'custom',
        path: ['discriminator', 'regularizer'],
        message: 'WGAN-GP penalises each image\'s gradient, which batch norm ties to the whole batch (Gulrajani et al.): use dropout or none'
      })
    }
  })
export type RunConfig = z.infer<typeof runConfigSchema>
export type RunConfigInput = z.input<typeof runConfigSchema>

/** Steps per epoch; a full pass over `datasetSize` examples when stepsPerEpoch is null. */
export function stepsPerEpochOf(config: Pick<RunConfig, 'stepsPerEpoch' | 'batchSize'>, datasetSize = MNIST_TRAIN_SIZE): number {
  return config.stepsPerEpoch ?? Math.max(1, Math.floor(datasetSize / config.batchSize))
}

export interface PresetInfo {
  id: PresetId
  label: string
  description: string
  defaults: Omit<RunConfig, 'name' | 'seed'>
}

const adam = (): OptimizerConfig => ({ kind: 'adam', lr: 2e-4, beta1: 0.5, beta2: 0.999, momentum: 0.9 })

/**
 * The DCGAN presets' loop: the DCGAN paper's (tanh, batch norm in G, N(0, 0.02) initialisation),
 * Adam β1 0.5 (measured in docs/benchmarks.md). The seed's own loop (sigmoid, no batch norm, Adam
 * 2e-4 for both at batch 64) is the example "Seed DCGAN, batch 64: D wins".
 */
const QUICK_DCGAN_TRICKS: Tricks = { ...DEFAULT_TRICKS, imageScale: 'tanh', generatorNorm: 'batchnorm', init: 'normal-0.02' }

/** The DCGAN presets (they upsample twice by 2, so image sides must be multiples of 4). */
export function isDcganPreset(preset: PresetId): boolean {
  return preset === 'mnist-dcgan' || preset === 'mnist-dcgan-small'
}

/** A preset's defaults: what every preset shares, with what this preset sets differently. */
function presetDefaults(preset: PresetId, own: Omit<PresetInfo['defaults'], 'preset' | 'backend' | 'tricks' | 'discriminator' | 'evaluation' | 'conditional'> & Partial<PresetInfo['defaults']>): PresetInfo['defaults'] {
  return {
    backend: 'auto',
    tricks: { ...DEFAULT_TRICKS },
    discriminator: { from: null, freeze: 'none', regularizer: 'dropout', fromClassifier: false },
    evaluation: { ...DEFAULT_EVALUATION },
    conditional: false,
    ...own,
    preset
  }
}

export const PRESETS: Record<PresetId, PresetInfo> = {
  'mnist-dcgan-small': {
    id: 'mnist-dcgan-small',
    label: 'MNIST DCGAN, small, conditional (quick start)',
    description:
      "The DCGAN paper's layout for 28x28, conditional on the digit (G gets z and the class one-hot; D sees the class as extra input planes): " +
      'G dense to 7x7x128, batch norm, two 4x4 stride-2 transposed convs (64 filters, then the image), tanh; ' +
      'D two 4x4 stride-2 convs (32, 64 filters) with batch norm on the second, LeakyReLU 0.2, dense; weights from N(0, 0.02). ' +
      'Batch 32, Adam β1 0.5 with D at 2e-3 and G at 1e-3: recognisable digits of every class within minutes on a CPU.',
    defaults: presetDefaults('mnist-dcgan-small', {
      dataset: 'mnist',
      latentDim: 100,
      batchSize: 32,
      epochs: 5,
      stepsPerEpoch: 300,
      // Measured with bench:quality (docs/benchmarks.md, session 16): conditioning on the class and a D
      // that keeps up (2e-3, twice G's rate) took the share of confidently classified samples at step 1,200
      // from 47% to 82%; batch 32 costs about half a batch-64 step for a similar gain per step.
      optimizerD: { ...adam(), lr: 2e-3 },
      optimizerG: { ...adam(), lr: 1e-3 },
      discriminator: { from: null, freeze: 'none', regularizer: 'batchnorm', fromClassifier: false },
      tricks: { ...QUICK_DCGAN_TRICKS },
      conditional: true
    })
  },
  'mnist-dcgan': {
    id: 'mnist-dcgan',
    label: 'MNIST DCGAN (seed architecture)',
    description:
      "The seed's layers, conditional on the digit: G dense to 7x7x128, two 4x4 stride-2 transposed convs (128 filters), 7x7 conv, tanh (1.16M params); " +
      'D two 3x3 stride-2 convs (64 filters), LeakyReLU 0.2, dense (40.7k params), the class as extra input planes. ' +
      "Trained as the quick preset: batch norm in G and in D's second layer, weights from N(0, 0.02), batch 32, Adam β1 0.5 with D at 2e-3 and G at 1e-3. " +
      'The seed\'s own loop (dropout in D, batch 64, Adam 2e-4 for both) is the example "Seed DCGAN, batch 64: D wins".',
    // Measured with bench:quality (docs/benchmarks.md, session 17): the seed's layers with this loop end
    // their first epoch (1,875 steps) at 86.6% confidently classified samples of all 10 classes (FID 7.8);
    // unconditional at batch 64 with dropout in D, 40.7% of 8 classes; conditional with dropout in D, 41%.
    defaults: presetDefaults('mnist-dcgan', {
      dataset: 'mnist',
      latentDim: 100,
      batchSize: 32,
      epochs: 2,
      stepsPerEpoch: null,
      optimizerD: { ...adam(), lr: 2e-3 },
      optimizerG: { ...adam(), lr: 1e-3 },
      discriminator: { from: null, freeze: 'none', regularizer: 'batchnorm', fromClassifier: false },
      tricks: { ...QUICK_DCGAN_TRICKS },
      conditional: true
    })
  },
  'mnist-mlp': {
    id: 'mnist-mlp',
    label: 'MNIST MLP GAN (fast on CPU)',
    description: 'Fully connected G (100-256-512-784, tanh) and D (784-256-128-1, dropout 0.3). Trains in minutes on a CPU.',
    defaults: presetDefaults('mnist-mlp', {
      dataset: 'mnist',
      latentDim: 100,
      batchSize: 64,
      epochs: 5,
      stepsPerEpoch: 200,
      optimizerD: adam(),
      optimizerG: adam()
    })
  },
  'tabular-mlp': {
    id: 'tabular-mlp',
    label: 'Tabular MLP GAN (CSV rows)',
    description:
      'For imported CSV tables: CTGAN\'s mode-specific normalisation (a tanh offset and a softmax mode per number, a softmax per category) and training-by-sampling (a conditional vector over the categories), ' +
      'WGAN-GP (5 critic steps per G step) with Adam 1e-3 (β 0.5, 0.9) at batch 256. G: latent-128-128-heads with batch norm; D: columns-128-128-1 (dropout 0.2). Generated rows are decoded back to the original columns.',
    // Measured on the 506-row housing table (docs/benchmarks.md, "Tabular fidelity"): with Adam
    // 2e-4 at batch 64 and no batch norm in G, the columns stayed nearly independent for ~1000
    // steps (correlation RMS 0.48, the naive baseline's) and reached only 0.12 after 3000; batch
    // norm in G with Adam 1e-3 at batch 256 learns them within a few hundred steps.
    defaults: presetDefaults('tabular-mlp', {
      dataset: 'toy-ring-8',
      latentDim: 32,
      batchSize: 256,
      epochs: 15,
      stepsPerEpoch: 100,
      optimizerD: { ...adam(), lr: 1e-3, beta2: 0.9 },
      optimizerG: { ...adam(), lr: 1e-3, beta2: 0.9 },
      // n_critic = 5 (the WGAN-GP paper's): with one critic step the worst column's KS swung between
      // 0.10 and 0.20 from epoch to epoch (housing seeds 1-3: 0.134, 0.158, 0.187); with five,
      // seeds 1-4 end at 0.085, 0.065, 0.102, 0.094 in ~170 s (session 17, docs/benchmarks.md).
      // Training-by-sampling: on a table with a 2% category (docs/benchmarks.md) shuffled rows left its
      // rows' values wholly wrong (KS 1.0 within the category), by category 0.15; housing unchanged.
      tricks: { ...DEFAULT_TRICKS, tableTransform: 'modes', tableSampling: 'by-category', loss: 'wgan-gp', generatorNorm: 'batchnorm', dStepsPerG: 5 },
      evaluation: { ...DEFAULT_EVALUATION, every: 0 }
    })
  },
  'toy-mlp': {
    id: 'toy-mlp',
    label: 'Toy 1D/2D GAN (points)',
    description: 'G: latent-128-128-2 (linear); D: 2-128-128-1. Real and generated points drawn as a scatter each epoch.',
    defaults: presetDefaults('toy-mlp', {
      dataset: 'toy-ring-8',
      latentDim: 8,
      batchSize: 128,
      epochs: 20,
      stepsPerEpoch: 100,
      optimizerD: { ...adam(), lr: 1e-3 },
      optimizerG: { ...adam(), lr: 1e-3 },
      evaluation: { ...DEFAULT_EVALUATION, every: 0 }
    })
  }
}

export interface FieldIssue {
  /** Dotted path of the field, e.g. "optimizerD.lr". */
  field: string
  message: string
}

/** Turns zod issues into "field: message" pairs the UI can place next to inputs. */
export function describeIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    field: issue.path.map(String).join('.') || '(config)',
    message:
      issue.code === 'unrecognized_keys'
        ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`
        : issue.message
  }))
}

export function formatIssues(issues: FieldIssue[]): string {
  return issues.map((i) => `${i.field}: ${i.message}`).join('; ')
}
