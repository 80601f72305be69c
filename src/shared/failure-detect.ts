// Failure detectors: pure functions over a run's step series and epoch scores that say
// whether the run shows a known failure, and why, in words. Also the best epoch by a
// score and the "last is much worse than the best" check.
import { LOWER_IS_BETTER, SCORE_LABELS, scoreOf, type EpochScores, type ScoreName } from './evaluation'
import type { StepSeries } from './metrics'

export const FLAG_KINDS = ['divergence', 'convergence', 'mode-collapse', 'oscillation', 'regressed'] as const
export type FlagKind = (typeof FLAG_KINDS)[number]
export const FLAG_LABELS: Record<FlagKind, string> = {
  divergence: 'Diverged',
  convergence: 'Convergence failure',
  'mode-collapse': 'Mode collapse',
  oscillation: 'Oscillation',
  regressed: 'Worse than its best'
}

export interface RunFlag {
  kind: FlagKind
  /** The epoch the flag refers to (null: the step series as a whole). */
  epoch: number | null
  explanation: string
}

/** The step window the loss detectors look at: the last tenth of the run, at least 50 steps. */
export function windowSize(steps: number): number {
  return Math.min(steps, Math.max(50, Math.floor(steps / 10)))
}

const mean = (xs: readonly number[]): number => (xs.length === 0 ? NaN : xs.reduce((s, x) => s + x, 0) / xs.length)
const std = (xs: readonly number[]): number => {
  const m = mean(xs)
  return Math.sqrt(mean(xs.map((x) => (x - m) ** 2)))
}
const f2 = (x: number): string => x.toFixed(2)
const isNumber = (x: number | null): x is number => x !== null
const pct = (x: number): string => `${Math.round(x * 100)}%`

/**
 * Thresholds of the convergence-failure detector, set for the BCE losses (a balanced D sits
 * near ln 2 = 0.69 with about 50% accuracy on generated images) and checked on recorded runs
 * (test/fixtures/evaluation): a mnist-mlp run with D lr 10x and G lr 1/10 ends its 400 steps
 * with D loss 0.12, D accuracy 98% / 92%, G loss 5.9 -> 7.5; a healthy one with D loss 0.51
 * and 54% accuracy on generated images.
 */
export const CONVERGENCE = { dLossBelow: 0.2, accAbove: 0.9, minSteps: 100 }

/**
 * Convergence failure: over the last window D's loss is near zero, D tells real from fake
 * almost always, and G's loss is higher than in the first window: D won and G gets no useful
 * gradient.
 */
export function detectConvergenceFailure(series: StepSeries): RunFlag | null {
  const n = series.step.length
  if (n < CONVERGENCE.minSteps) return null
  const w = windowSize(n)
  const v = series.values
  const dLoss = mean(v.dLossReal.slice(n - w).map((x, i) => (x + v.dLossFake[n - w + i]) / 2))
  // A WGAN critic has no accuracy (null): D "winning" by classifying does not apply to it.
  const realAcc = v.dAccReal.slice(n - w)
  const fakeAcc = v.dAccFake.slice(n - w)
  if (!realAcc.every(isNumber) || !fakeAcc.every(isNumber)) return null
  const accReal = mean(realAcc)
  const accFake = mean(fakeAcc)
  const gLast = mean(v.gLoss.slice(n - w))
  const gFirst = mean(v.gLoss.slice(0, w))
  if (dLoss < CONVERGENCE.dLossBelow && accReal > CONVERGENCE.accAbove && accFake > CONVERGENCE.accAbove && gLast > gFirst) {
    return {
      kind: 'convergence',
      epoch: series.epoch[n - 1] ?? null,
      explanation:
        `Over the last ${w} steps D's loss averaged ${f2(dLoss)} with ${pct(accReal)} accuracy on real and ${pct(accFake)} on generated images, ` +
        `while G's loss rose from ${f2(gFirst)} (first ${w} steps) to ${f2(gLast)}: D wins outright and G no longer learns. ` +
        'Try a weaker or slower D (lower D learning rate, dropout, label smoothing, instance noise).'
    }
  }
  return null
}

/**
 * On the recorded runs the 10-step means of the healthy run vary by 3-15% of their level
 * (windows of 50-200 steps); 30% in both G's and D's loss is well beyond that.
 */
export const OSCILLATION = { relativeStd: 0.3, minSteps: 100 }

/**
 * Oscillation: the losses swing widely over the last window. The G loss is smoothed over
 * blocks of 10 steps first, so step-to-step noise of small batches does not count; what is
 * left is the swing of the trend relative to its level.
 */
export function detectOscillation(series: StepSeries): RunFlag | null {
  const n = series.step.length
  if (n < OSCILLATION.minSteps) return null
  const w = windowSize(n)
  const blocks = (xs: number[]): number[] => {
    const out: number[] = []
    for (let i = 0; i + 10 <= xs.length; i += 10) out.push(mean(xs.slice(i, i + 10)))
    return out
  }
  const g = blocks(series.values.gLoss.slice(n - w))
  const d = blocks(series.values.dLossReal.slice(n - w).map((x, i) => (x + series.values.dLossFake[n - w + i]) / 2))
  const rel = (xs: number[]): number => std(xs) / Math.max(Math.abs(mean(xs)), 0.1)
  const gRel = rel(g)
  const dRel = rel(d)
  if (gRel > OSCILLATION.relativeStd && dRel > OSCILLATION.relativeStd) {
    return {
      kind: 'oscillation',
      epoch: series.epoch[n - 1] ?? null,
      explanation:
        `Over the last ${w} steps the 10-step means of G's loss swing by ${pct(gRel)} of their level and D's by ${pct(dRel)}: ` +
        'the two networks chase each other instead of settling. Try lower learning rates or Adam with β1 0.5.'
    }
  }
  return null
}

export const MODE_COLLAPSE = { coverageFraction: 0.5, minBestCoverage: 0.2, classDrop: 3, fewClasses: 2, diversityBelow: 0.15 }

/**
 * Mode collapse from the epoch scores: the latest coverage fell below half its best, the number
 * of classes covered dropped by 3 or more or is 2 or fewer, or the fixed batch's samples are
 * nearly identical (their spread under 15% of real images' spread in feature space).
 */
export function detectModeCollapse(scores: readonly EpochScores[]): RunFlag | null {
  if (scores.length === 0) return null
  const sorted = [...scores].sort((a, b) => a.epoch - b.epoch)
  const latest = sorted[sorted.length - 1]
  const reasons: string[] = []
  const bestCoverage = Math.max(...sorted.map((s) => s.coverage))
  if (bestCoverage >= MODE_COLLAPSE.minBestCoverage && latest.coverage < bestCoverage * MODE_COLLAPSE.coverageFraction) {
    reasons.push(`coverage fell to ${f2(latest.coverage)} from its best ${f2(bestCoverage)}`)
  }
  const bestClasses = Math.max(...sorted.map((s) => s.classesCovered))
  if (latest.classesCovered <= MODE_COLLAPSE.fewClasses) {
    reasons.push(`only ${latest.classesCovered} of ${latest.histogram.length} classes are covered`)
  } else if (bestClasses - latest.classesCovered >= MODE_COLLAPSE.classDrop) {
    reasons.push(`classes covered dropped to ${latest.classesCovered} from ${bestClasses}`)
  }
  if (latest.fixedBatchDiversity < MODE_COLLAPSE.diversityBelow) {
    reasons.push(`the fixed batch's samples are nearly identical (spread ${pct(latest.fixedBatchDiversity)} of real images')`)
  }
  if (reasons.length === 0) return null
  const early = sorted.length === 1 ? ' (the only scored epoch so far: early in training all samples are often alike blobs)' : ''
  return {
    kind: 'mode-collapse',
    epoch: latest.epoch,
    explanation: `At epoch ${latest.epoch} ${reasons.join('; ')}${early}: G produces few kinds of images. Try minibatch tricks, a lower G learning rate or an earlier checkpoint.`
  }
}

/**
 * The flag that stops a run early, if any: the first raised flag of a chosen kind. A mode
 * collapse seen on the only scored epoch does not stop a run, since a young generator's
 * samples are all alike too (measured: a healthy mnist-mlp after 200 steps covers 1 class).
 */
export function earlyStopFlag(flags: readonly RunFlag[], earlyStopOn: readonly FlagKind[], scoredEpochs: number): RunFlag | null {
  return flags.find((f) => earlyStopOn.includes(f.kind) && !(f.kind === 'mode-collapse' && scoredEpochs < 2)) ?? null
}

/** A NaN or infinite loss in the series, or a run the trainer stopped as diverged. */
export function detectDivergence(series: StepSeries, status: string, statusMessage: string | null): RunFlag | null {
  if (status === 'diverged') return { kind: 'divergence', epoch: series.epoch[series.epoch.length - 1] ?? null, explanation: statusMessage ?? 'The run diverged.' }
  for (let i = 0; i < series.step.length; i++) {
    for (const [name, xs] of Object.entries(series.values)) {
      const x: number | null | undefined = xs[i]
      // null: a metric the run's loss does not define (a critic's accuracy), not a divergence.
      if (x === null || x === undefined) continue
      if (!Number.isFinite(x)) return { kind: 'divergence', epoch: series.epoch[i], explanation: `${name} is ${x} at step ${series.step[i]}.` }
    }
  }
  return null
}

export function scoreValue(s: EpochScores, by: ScoreName): number {
  return scoreOf(s, by)
}

/** The epoch with the best value of `by`, the earliest on ties. */
export function bestEpoch(scores: readonly EpochScores[], by: ScoreName): { epoch: number; value: number } | null {
  let best: { epoch: number; value: number } | null = null
  for (const s of [...scores].sort((a, b) => a.epoch - b.epoch)) {
    const value = scoreValue(s, by)
    if (!Number.isFinite(value)) continue
    if (!best || (LOWER_IS_BETTER[by] ? value < best.value : value > best.value)) best = { epoch: s.epoch, value }
  }
  return best
}

/** "Much worse": a lower-is-better score 25% above its best, a higher-is-better one 20% below. */
export const REGRESSION = { lowerFactor: 1.25, higherFactor: 0.8 }

export function detectRegression(scores: readonly EpochScores[], by: ScoreName): RunFlag | null {
  const best = bestEpoch(scores, by)
  if (!best || scores.length < 2) return null
  const latest = [...scores].sort((a, b) => a.epoch - b.epoch)[scores.length - 1]
  if (latest.epoch === best.epoch) return null
  const value = scoreValue(latest, by)
  const worse = LOWER_IS_BETTER[by] ? value > best.value * REGRESSION.lowerFactor : value < best.value * REGRESSION.higherFactor
  if (!worse) return null
  return {
    kind: 'regressed',
    epoch: latest.epoch,
    explanation: `${SCORE_LABELS[by]} at the last scored epoch ${latest.epoch} is ${f2(value)}, much worse than ${f2(best.value)} at epoch ${best.epoch}: use the epoch ${best.epoch} checkpoint.`
  }
}

export interface RunEvaluation {
  bestBy: ScoreName
  bestEpoch: number | null
  bestValue: number | null
  flags: RunFlag[]
}

/** Every detector over one run. */
export function evaluateRun(input: {
  series: StepSeries
  scores: readonly EpochScores[]
  status: string
  statusMessage: string | null
  bestBy: ScoreName
}): RunEvaluation {
  const best = bestEpoch(input.scores, input.bestBy)
  const flags = [
    detectDivergence(input.series, input.status, input.statusMessage),
    detectConvergenceFailure(input.series),
    detectModeCollapse(input.scores),
    detectOscillation(input.series),
    detectRegression(input.scores, input.bestBy)
  ].filter((f): f is RunFlag => f !== null)
  return { bestBy: input.bestBy, bestEpoch: best?.epoch ?? null, bestValue: best?.value ?? null, flags }
}
