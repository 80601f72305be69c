// Trains the reference classifier once and prints how long it took and its test accuracy:
// npx tsx scripts/bench-classifier.ts [OUT_DIR] [EPOCHS] [BACKEND]
import { classifierTrainSchema } from '../src/shared/evaluation'
import { runClassifierJob } from '../src/main/trainer/evaluation/job'

const outDir = process.argv[2] ?? '/tmp/gan-classifier-bench/mnist'
const epochs = Number(process.argv[3] ?? 2)
const backend = (process.argv[4] ?? 'wasm') as 'wasm'
const request = classifierTrainSchema.parse({ epochs, backend })
const started = Date.now()
let lastLine = 0
void runClassifierJob({ type: 'classifier-train', request, outDir }, (event) => {
  if (event.type === 'classifier-progress' && Date.now() - lastLine > 10_000) {
    lastLine = Date.now()
    const p = event.progress
    console.log(`epoch ${p.epoch}/${p.epochs} step ${p.step}/${p.stepsPerEpoch} after ${((Date.now() - started) / 1000).toFixed(0)} s (last accuracy ${p.lastAccuracy ?? '-'})`)
  } else if (event.type === 'classifier-trained') {
    console.log(JSON.stringify(event.info, null, 1))
  } else if (event.type === 'task-failed') {
    console.error(event.message)
    process.exitCode = 1
  }
})
