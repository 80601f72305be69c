// Prints the issue's sanity checks with a stored reference classifier:
// npx tsx scripts/check-scores.ts CLASSIFIER_DIR [SAMPLES]  (e.g. DATA_DIR/classifiers/mnist)
import { referenceChecks } from '../src/main/trainer/evaluation/reference-checks'
import { selectBackend } from '../src/main/trainer/backend/select'
import { loadModelFrom } from '../src/main/trainer/checkpoint'
import { loadMnist } from '../src/main/trainer/data/mnist'

void (async () => {
  const dir = process.argv[2]
  if (!dir) throw new Error('usage: check-scores.ts CLASSIFIER_DIR [SAMPLES]')
  const n = Number(process.argv[3] ?? 2000)
  await selectBackend('wasm')
  const started = Date.now()
  const checks = await referenceChecks(await loadModelFrom(dir), loadMnist('test'), loadMnist('train'), n)
  const keys = ['fid', 'fidFloor', 'classifierScore', 'realClassifierScore', 'precision', 'recall', 'density', 'coverage', 'classesCovered', 'fixedBatchDiversity'] as const
  for (const [name, s] of [['real test vs real train', checks.realVsReal], ['uniform noise', checks.noise], [`digit ${checks.digit} repeated`, checks.singleDigit]] as const) {
    console.log(`${name} (${n} samples): ${keys.map((k) => `${k} ${Number(s[k]).toFixed(3)}`).join(', ')}; histogram ${s.histogram.join(' ')}`)
  }
  console.log(`took ${((Date.now() - started) / 1000).toFixed(1)} s`)
})()
