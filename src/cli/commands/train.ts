// `train`: one GAN headless, from a preset and flags, a saved config, or a run to resume; stored
// like any run started in the lab, with its progress, epochs and scores printed as it goes.
import { BACKEND_LABELS } from '@shared/config'
import { LabError } from '@shared/errors'
import { FLAG_LABELS } from '@shared/failure-detect'
import { describeMetrics } from '@shared/metrics'
import { Lab } from '../../main/services/lab'
import { forkLauncher } from '../../main/trainer-host/fork-launcher'
import { dataDirOption, defineCommand, flagsOf } from '../command'
import { VERSION, dataDirOf, describeScores, num } from '../lab'
import { CONFIG_FLAG_OPTIONS, configFromFile, configFromFlags } from '../run-config'

export const train = defineCommand({
  name: 'train',
  summary: 'Trains one GAN headless and stores it like a run started in the lab.',
  synopsis: ['[--preset ID] [options]', '--config FILE.config.json [--name NAME] [--seed N] [--epochs N] [--dataset ID]', '--resume RUN_ID [--epochs N]'],
  options: {
    ...CONFIG_FLAG_OPTIONS,
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
    const config = resumeId !== undefined ? null : values.config !== undefined ? configFromFile(values.config, values, argv) : configFromFlags(values)
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
