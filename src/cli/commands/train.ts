// `train`: one GAN headless, from a preset and flags, a saved config, or a run to resume; stored
// like any run started in the lab, with its progress, epochs and scores printed as it goes.
import { BACKEND_CHOICES, BACKEND_LABELS, DEFAULT_TRICKS, GAN_LOSS_KINDS, OPTIMIZER_KINDS, PRESET_IDS, discriminatorSchema, tricksSchema } from '@shared/config'
import { BUILTIN_DATASETS } from '@shared/datasets'
import { LabError } from '@shared/errors'
import { FLAG_LABELS } from '@shared/failure-detect'
import { describeMetrics } from '@shared/metrics'
import { Lab } from '../../main/services/lab'
import { forkLauncher } from '../../main/trainer-host/fork-launcher'
import { dataDirOption, defineCommand, flagsOf } from '../command'
import { VERSION, dataDirOf, describeScores, num } from '../lab'
import { configFromFile, configFromFlags } from '../run-config'

export const train = defineCommand({
  name: 'train',
  summary: 'Trains one GAN headless and stores it like a run started in the lab.',
  synopsis: ['[--preset ID] [options]', '--config FILE.config.json [--name NAME] [--seed N] [--epochs N] [--dataset ID]', '--resume RUN_ID [--epochs N]'],
  options: {
    preset: { type: 'string', value: 'ID', default: PRESET_IDS[0], choices: PRESET_IDS, description: "the preset whose defaults the run starts from (the new-run form's)" },
    dataset: { type: 'string', value: 'NAME|ID', description: `a built-in data set (${BUILTIN_DATASETS.join(', ')}) or an imported one's id` },
    epochs: { type: 'string', value: 'N', description: "epochs to train (with --resume: the run's new total)" },
    'steps-per-epoch': { type: 'string', value: 'N', description: 'steps in an epoch' },
    'batch-size': { type: 'string', value: 'N', description: 'images per batch' },
    seed: { type: 'string', value: 'N', description: 'the random seed', shownDefault: 'a random one' },
    name: { type: 'string', value: 'NAME', description: "the run's name", shownDefault: '"PRESET seed N"' },
    backend: { type: 'string', value: 'NAME', default: 'auto', choices: BACKEND_CHOICES, description: 'where tfjs computes' },
    optimizer: { type: 'string', value: 'KIND', choices: OPTIMIZER_KINDS, description: 'the optimizer of both networks' },
    lr: { type: 'string', value: 'X', description: 'the learning rate of both networks' },
    beta1: { type: 'string', value: 'X', description: "Adam's β1" },
    beta2: { type: 'string', value: 'X', description: "Adam's β2" },
    loss: {
      type: 'string',
      value: 'KIND',
      choices: GAN_LOSS_KINDS,
      description:
        "the GAN loss; wgan and wgan-gp start from the paper's optimizer for both networks, RMSprop 5e-5 or Adam 1e-4 β1 0 β2 0.9, and --d-steps 5; flags override them",
      shownDefault: DEFAULT_TRICKS.loss
    },
    clip: { type: 'string', value: 'X', description: "--loss wgan only: the critic's weight clip (e.g. 0.01)" },
    gp: { type: 'string', value: 'X', description: "--loss wgan-gp only: the gradient penalty's weight λ (e.g. 10)" },
    'd-steps': { type: 'string', value: 'K', description: 'discriminator steps per generator step' },
    'real-label': { type: 'string', value: 'X|MIN-MAX', description: "D's target for real images, fixed (0.9) or drawn from a range (0.7-1.2)" },
    'label-flip': { type: 'string', value: 'P', description: "the fraction of D's labels flipped (e.g. 0.05)" },
    'instance-noise': { type: 'string', value: 'STD[:DECAY_EPOCHS]', description: "noise added to D's inputs, decaying to 0 over DECAY_EPOCHS (0: constant)" },
    latent: { type: 'string', value: 'KIND', choices: tricksSchema.shape.latent.unwrap().options, description: 'the latent distribution', shownDefault: DEFAULT_TRICKS.latent },
    init: { type: 'string', value: 'KIND', choices: tricksSchema.shape.init.unwrap().options, description: 'the weight initialisers', shownDefault: DEFAULT_TRICKS.init },
    'd-batch': { type: 'string', value: 'KIND', choices: tricksSchema.shape.dBatch.unwrap().options, description: 'real and fake in two D updates or one', shownDefault: DEFAULT_TRICKS.dBatch },
    'd-regularizer': {
      type: 'string',
      value: 'KIND',
      choices: discriminatorSchema.shape.regularizer.unwrap().options,
      description: "what follows D's hidden layers", shownDefault: 'dropout'
    },
    conditional: { type: 'boolean', description: 'a conditional GAN on a labelled image data set; grids one row per class' },
    config: { type: 'string', value: 'FILE', description: "a config saved from the lab's run view; only --name, --seed, --epochs, --dataset and --data-dir can be combined with it" },
    resume: { type: 'string', value: 'RUN_ID', description: 'continue a stopped, crashed or completed run from its last checkpoint; only --epochs and --data-dir can be combined with it' },
    'data-dir': dataDirOption
  },
  notes: ['Exits 0 when the run completes, 1 when it ends otherwise (stopped, failed), 2 when the command is refused.'],
  async run({ values, argv, io }) {
    const resumeId = num(values.resume, '--resume')
    if (resumeId !== undefined) {
      const clashing = flagsOf(argv).filter((f) => !['resume', 'data-dir', 'epochs'].includes(f))
      if (clashing.length > 0) throw new LabError('INVALID_CONFIG', `--${clashing[0]} cannot be combined with --resume (only --epochs and --data-dir can)`)
    }
    const { conditional, ...flags } = values
    const config =
      resumeId !== undefined ? null : flags.config !== undefined ? configFromFile(flags.config, flags, argv) : configFromFlags(flags, conditional === true)
    const dataDir = dataDirOf(values['data-dir'])
    const lab = new Lab({
      dataDir,
      launcher: forkLauncher(),
      version: VERSION,
      transport: 'ipc',
      program: 'npm run train',
      log: (level, message) => {
        if (level === 'error') io.err(message)
      }
    })
    let runId = 0
    const startedAt = Date.now()
    lab.subscribe((e) => {
      if ('runId' in e.payload && e.payload.runId !== runId) return
      switch (e.event) {
        case 'trainer:backend': {
          const r = e.payload.report
          io.out(`backend: ${BACKEND_LABELS[r.chosen]} (${r.detail})`)
          for (const s of r.skipped) io.out(`  not ${s.backend}: ${s.reason}`)
          break
        }
        case 'trainer:progress': {
          const p = e.payload.progress
          io.out(`epoch ${p.epoch}/${Math.round(p.totalSteps / p.stepsPerEpoch)} step ${p.stepInEpoch}/${p.stepsPerEpoch}  ${p.imagesPerSec.toFixed(1)} img/s  eta ${p.etaSeconds}s`)
          break
        }
        case 'trainer:epoch':
          io.out(`epoch ${e.payload.epoch.epoch} done: ${describeMetrics(e.payload.epoch.means, 3)}`)
          break
      }
    })
    const onSignal = (): void => {
      if (runId) lab.stopRun(runId)
    }
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    try {
      const run = config ? lab.startRun(config) : lab.resumeRun(resumeId!, num(values.epochs, '--epochs'))
      runId = run.id
      io.out(`run ${run.id} "${run.name}" in ${dataDir}`)
      const end = await lab.waitForEnd(run.id)
      const seconds = ((Date.now() - startedAt) / 1000).toFixed(1)
      io.out(`run ${end.id} ${end.status} after ${end.stepsDone} steps, ${end.epochsDone} epochs, ${seconds}s${end.statusMessage ? `: ${end.statusMessage}` : ''}`)
      // Scheduled scorings still under way finish before the lab closes.
      await lab.evaluation.idle()
      for (const s of lab.evaluation.repo.scores(end.id)) io.out(describeScores(end.id, s))
      for (const f of lab.runs.get(end.id)?.evaluation?.flags ?? []) io.out(`flag: ${FLAG_LABELS[f.kind]}: ${f.explanation}`)
      return end.status === 'completed' ? 0 : 1
    } finally {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      lab.close()
    }
  }
})
