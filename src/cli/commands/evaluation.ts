// `train-classifier` and `score`: the reference classifier the lab scores samples with, and the
// scores (FID, classifier score, precision and recall, ...) of one run epoch.
import { LabError } from '@shared/errors'
import { classifierTrainSchema } from '@shared/evaluation'
import { BACKEND_CHOICES } from '@shared/config'
import { dataDirOption, defineCommand } from '../command'
import { dataDirOf, describeScores, num, oneShotLab } from '../lab'

export const trainClassifier = defineCommand({
  name: 'train-classifier',
  summary: 'Trains the reference classifier the lab scores samples with.',
  notes: ['Trained once, then reused by every scoring.'],
  synopsis: '[options]',
  options: {
    epochs: { type: 'string', value: 'N', description: 'training epochs' },
    'train-count': { type: 'string', value: 'N', description: 'training images' },
    'test-count': { type: 'string', value: 'N', description: 'test images its accuracy is measured on' },
    filters: { type: 'string', value: 'N,N,...', description: 'filters of each convolution (default with --dense: 32,64)' },
    dense: { type: 'string', value: 'N', description: 'units of the dense layer (default with --filters: 128)' },
    backend: { type: 'string', value: 'NAME', choices: BACKEND_CHOICES, description: 'where tfjs computes' },
    'data-dir': dataDirOption
  },
  async run({ values, io }) {
    const filters = values.filters?.split(',').map((f) => num(f, '--filters') as number)
    const parsed = classifierTrainSchema.safeParse({
      epochs: num(values.epochs, '--epochs'),
      trainCount: num(values['train-count'], '--train-count'),
      testCount: num(values['test-count'], '--test-count'),
      backend: values.backend,
      arch: filters || values.dense ? { convFilters: filters ?? [32, 64], denseUnits: num(values.dense, '--dense') ?? 128 } : undefined
    })
    if (!parsed.success) throw new LabError('INVALID_REQUEST', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '))
    const lab = oneShotLab(values['data-dir'])
    try {
      const ended = new Promise<string | undefined>((done) => {
        lab.subscribe((e) => {
          if (e.event === 'classifier:progress' && e.payload.training) {
            const t = e.payload.training
            if (t.step === t.stepsPerEpoch) io.out(`epoch ${t.epoch}/${t.epochs} done`)
          } else if (e.event === 'classifier:changed') done(e.payload.error)
        })
      })
      lab.evaluation.train(parsed.data)
      const error = await ended
      if (error) throw new LabError('INTERNAL', error)
      const info = lab.evaluation.classifier(parsed.data.dataset)!
      io.out(
        `classifier ${info.id}: ${(info.testAccuracy * 100).toFixed(2)}% on ${info.testCount} test images, ` +
          `trained on ${info.trainCount} images in ${(info.durationMs / 1000).toFixed(0)} s (${info.backend})`
      )
      return 0
    } finally {
      lab.close()
    }
  }
})

export const score = defineCommand({
  name: 'score',
  summary: 'Scores one epoch of a run: FID, classifier score, precision, recall, ...',
  synopsis: '--run ID --epoch N [options]',
  options: {
    run: { type: 'string', value: 'ID', description: 'the run' },
    epoch: { type: 'string', value: 'N', description: 'the epoch whose checkpoint is scored' },
    samples: { type: 'string', value: 'N', description: 'generated and real images compared' },
    'data-dir': dataDirOption
  },
  async run({ values, io }) {
    const id = num(values.run, '--run')
    const epoch = num(values.epoch, '--epoch')
    if (id === undefined || epoch === undefined) throw new LabError('INVALID_REQUEST', 'score needs --run ID and --epoch N')
    const lab = oneShotLab(values['data-dir'])
    try {
      if (!lab.runs.get(id)) throw new LabError('NOT_FOUND', `Run ${id} does not exist in ${dataDirOf(values['data-dir'])}`)
      io.out(describeScores(id, await lab.evaluation.score(id, epoch, num(values.samples, '--samples'))))
      return 0
    } finally {
      lab.close()
    }
  }
})
