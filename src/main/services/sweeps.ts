// Runs started together: a pair that differs in one option (validated together before either
// starts) and a sweep over a grid of options (every point checked first, then all queued and
// tagged with the sweep, or submitted to Slurm as one job array).
import type { LabHandlers, RunSummary, SweepCreated } from '@shared/api'
import { pairConfigs } from '@shared/compare'
import { runConfigSchema, type RunConfig } from '@shared/config'
import { LabError, toErrorInfo } from '@shared/errors'
import { describePoint, expandSweep, SweepError, sweepRequestSchema, type SweepPoint } from '@shared/sweep'
import { SweepsRepo } from '../db/repos/sweeps'
import type { LabContext } from './context'
import type { Preflight } from './preflight'
import type { RunService } from './runs'
import type { SlurmExecutor } from './slurm/executor'
import { parseOrThrow } from './validate'

export class SweepService {
  readonly repo: SweepsRepo

  constructor(
    private readonly ctx: LabContext,
    private readonly preflight: Preflight,
    private readonly runs: RunService,
    private readonly slurm: SlurmExecutor
  ) {
    this.repo = new SweepsRepo(ctx.db)
  }

  readonly handlers = {
    'runs:create-pair': ({ pair, preset, seed, ...shape }) => this.startPair(pairConfigs(pair, preset, seed, shape)),
    'sweeps:create': (req) => this.createSweep(req),
    'sweeps:list': () => this.repo.list()
  } satisfies Partial<LabHandlers>

  /** Both runs of a paired experiment, validated together before either starts. */
  startPair(configs: [RunConfig, RunConfig]): [RunSummary, RunSummary] {
    for (const c of configs) {
      this.preflight.checkStartable(parseOrThrow(runConfigSchema, c, `Invalid run config for "${c.name}"`, { code: 'INVALID_CONFIG' }))
    }
    return [this.runs.startRun(configs[0]), this.runs.startRun(configs[1])]
  }

  /**
   * Creates every run of a sweep (all points validated first: a bad one refuses the whole
   * sweep, naming it), tags them with the sweep, and queues them.
   */
  createSweep(input: unknown): SweepCreated {
    this.ctx.requireWriter('start a sweep')
    const request = parseOrThrow(sweepRequestSchema, input, 'Invalid sweep')
    let points: SweepPoint[]
    try {
      points = expandSweep(request)
    } catch (err) {
      if (err instanceof SweepError) throw new LabError('INVALID_CONFIG', `Invalid sweep: ${err.message}`, err.issues)
      throw err
    }
    for (const p of points) {
      try {
        this.preflight.checkStartable(p.config)
      } catch (err) {
        const info = toErrorInfo(err)
        throw new LabError('INVALID_CONFIG', `Invalid sweep: the point ${describePoint(p.values)} cannot start: ${info.message}`, info.issues)
      }
    }
    if (request.executor.kind === 'slurm') return this.slurm.submit(request, points, request.executor, this.repo)
    const { runs } = this.ctx
    const ids = points.map((p) => runs.create(p.config))
    const sweep = this.repo.create(request.name, request.axes, ids, request.compareWhenDone)
    const tag = `sweep ${sweep.id}`
    for (const id of ids) runs.update(id, { tags: [tag] })
    this.ctx.log('info', `Sweep ${sweep.id} "${sweep.name}": ${ids.length} runs (${ids.join(', ')}) over ${request.axes.map((a) => a.field).join(' x ')}`)
    this.ctx.emit('sweeps:changed', sweep)
    const scheduled = points.map((p, k) => this.runs.queue.schedule(ids[k], () => this.preflight.startRequest(ids[k], p.config)))
    return { sweep, runs: scheduled.map((r) => runs.require(r.id)) }
  }
}
