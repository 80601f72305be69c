// Records the step series of two short mnist-mlp runs for the failure-detector tests: a
// healthy one (the preset's Adam 2e-4 for both) and one with a too-strong D (D lr 10x,
// G lr 1/10). npx tsx scripts/record-detector-series.ts [STEPS_PER_EPOCH] [EPOCHS]
import { writeFileSync } from 'node:fs'
import { PRESETS, runConfigSchema } from '../src/shared/config'
import { emptySeries, appendRows } from '../src/shared/metrics'
import { selectBackend } from '../src/main/trainer/backend/select'
import { loadMnist } from '../src/main/trainer/data/mnist'
import { buildModels } from '../src/main/trainer/models/presets'
import { seedGlobalRandom } from '../src/main/common/random'
import { trainGan } from '../src/main/trainer/train'

const stepsPerEpoch = Number(process.argv[2] ?? 100)
const epochs = Number(process.argv[3] ?? 4)

async function record(name: string, lrD: number, lrG: number): Promise<void> {
  const defaults = PRESETS['mnist-mlp'].defaults
  const config = runConfigSchema.parse({
    ...defaults,
    name,
    seed: 7,
    epochs,
    stepsPerEpoch,
    backend: 'wasm',
    optimizerD: { ...defaults.optimizerD, lr: lrD },
    optimizerG: { ...defaults.optimizerG, lr: lrG }
  })
  seedGlobalRandom(config.seed)
  const models = buildModels(config.preset, config.latentDim)
  const series = emptySeries()
  await trainGan(config, models, loadMnist('train'), {
    onSteps: (rows) => appendRows(series, rows),
    onProgress: () => undefined,
    onEpoch: () => undefined,
    shouldStop: () => false,
    saveCheckpoint: async () => ''
  })
  const round = (xs: readonly (number | null)[]): (number | null)[] => xs.map((x) => (x === null ? null : Math.round(x * 1e4) / 1e4))
  const out = { name, lrD, lrG, step: series.step, epoch: series.epoch, values: Object.fromEntries(Object.entries(series.values).map(([k, v]) => [k, round(v)])) }
  writeFileSync(`test/fixtures/evaluation/${name}.json`, JSON.stringify(out))
  console.log(`${name}: ${series.step.length} steps`)
}

void (async () => {
  await selectBackend('wasm')
  await record('healthy-mlp', 2e-4, 2e-4)
  await record('strong-d-mlp', 2e-3, 2e-5)
})()
