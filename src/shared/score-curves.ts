// Epoch scores of several runs overlaid for one score: a curve per run (split where the run was
// scored on other sample counts or with another classifier, since the scores move with both),
// each run's best epoch, the reference line the score has (the real-vs-real FID floor, the real
// test images' classifier score), and notes on what makes the curves not comparable. Drawn by
// the compare view's score chart and by exported score figures alike.
import type { Point } from './curves'
import { CONDITIONAL_SCORES, LOWER_IS_BETTER, SCORE_LABELS, scoreOf, type EpochScores, type ScoreName } from './evaluation'

/** What a score was computed from: it moves with the sample counts and the classifier. */
export interface ScoreProvenance {
  realCount: number
  generatedCount: number
  classifierId: string
}

export interface ScoreCurveRun {
  id: number
  name: string
  color: string
  scores: readonly EpochScores[]
  /** The run's best epoch (by its own `bestBy`), null when it has none. */
  bestEpoch: number | null
  bestBy: ScoreName | null
}

export interface ScoreCurve {
  /** The run it belongs to; null for a reference line. */
  runId: number | null
  label: string
  color: string
  points: Point[]
  /** A reference line (floor or real images' score): drawn dashed, never starred. */
  reference: boolean
  /** The run's best epoch on this curve, when the curve has a point there. */
  best: Point | null
  provenance: ScoreProvenance
}

export interface ScoreCurves {
  score: ScoreName
  /** Run curves first (in run order), then reference lines. */
  curves: ScoreCurve[]
  /** Sentences for beside the chart: what differs between the curves, runs without scores. */
  notes: string[]
}

/** Grey of reference lines, apart from every run colour. */
export const REFERENCE_COLOR = '#64748b'

/** The line each score is read against, and what it is called. */
const REFERENCE: Partial<Record<ScoreName, { value: (s: EpochScores) => number; label: string }>> = {
  fid: { value: (s) => s.fidFloor, label: 'real vs real (floor)' },
  classifierScore: { value: (s) => s.realClassifierScore, label: 'real test images' },
  tstrAccuracy: { value: (s) => s.conditional?.trtrAccuracy ?? NaN, label: 'TRTR (trained on real images)' }
}

export function scoreTitle(score: ScoreName): string {
  return `${SCORE_LABELS[score]} (${LOWER_IS_BETTER[score] ? 'lower' : 'higher'} is better)`
}

export function provenanceOf(s: EpochScores): ScoreProvenance {
  return { realCount: s.realCount, generatedCount: s.generatedCount, classifierId: s.classifierId }
}

function keyOf(p: ScoreProvenance): string {
  return `${p.realCount}|${p.generatedCount}|${p.classifierId}`
}

/** "2000 real / 2000 generated, mnist-convnet-…": what a curve's scores were computed from. */
export function provenanceLabel(p: ScoreProvenance): string {
  return `${p.realCount} real / ${p.generatedCount} generated, ${p.classifierId}`
}

function runName(run: Pick<ScoreCurveRun, 'id' | 'name'>): string {
  return `#${run.id} ${run.name}`
}

/** A run's scores in epoch order, grouped by provenance (first-seen order of the groups). */
function groups(scores: readonly EpochScores[]): { provenance: ScoreProvenance; scores: EpochScores[] }[] {
  const byKey = new Map<string, { provenance: ScoreProvenance; scores: EpochScores[] }>()
  for (const s of [...scores].sort((a, b) => a.epoch - b.epoch)) {
    const p = provenanceOf(s)
    const k = keyOf(p)
    const group = byKey.get(k) ?? { provenance: p, scores: [] }
    group.scores.push(s)
    byKey.set(k, group)
  }
  return [...byKey.values()]
}

export function scoreCurves(runs: readonly ScoreCurveRun[], score: ScoreName): ScoreCurves {
  const curves: ScoreCurve[] = []
  const notes: string[] = []
  /** Reference points per provenance: one line for all runs scored alike (its values do not depend on the run). */
  const references = new Map<string, { provenance: ScoreProvenance; points: Map<number, number> }>()
  const reference = REFERENCE[score]
  const runGroups = runs.map((run) => ({ run, groups: groups(run.scores) }))

  for (const { run, groups: gs } of runGroups) {
    for (const g of gs) {
      // An epoch without this score (a conditional score of an unconditional run) has no point.
      const points = g.scores.map((s) => ({ x: s.epoch, y: scoreOf(s, score) })).filter((p) => Number.isFinite(p.y))
      const best = run.bestEpoch === null ? null : (points.find((p) => p.x === run.bestEpoch) ?? null)
      curves.push({ runId: run.id, label: `${runName(run)} (${provenanceLabel(g.provenance)})`, color: run.color, points, reference: false, best, provenance: g.provenance })
      if (reference) {
        const k = keyOf(g.provenance)
        const line = references.get(k) ?? { provenance: g.provenance, points: new Map<number, number>() }
        for (const s of g.scores) if (!line.points.has(s.epoch) && Number.isFinite(reference.value(s))) line.points.set(s.epoch, reference.value(s))
        references.set(k, line)
      }
    }
    if (gs.length > 1) notes.push(`${runName(run)} was scored with ${gs.length} different sample counts or classifiers: its curve is split by them.`)
  }
  if (reference) {
    const several = references.size > 1
    for (const line of references.values()) {
      if (line.points.size === 0) continue
      curves.push({
        runId: null,
        label: several ? `${reference.label} for ${provenanceLabel(line.provenance)}` : reference.label,
        color: REFERENCE_COLOR,
        points: [...line.points].sort((a, b) => a[0] - b[0]).map(([x, y]) => ({ x, y })),
        reference: true,
        best: null,
        provenance: line.provenance
      })
    }
  }

  if (CONDITIONAL_SCORES.includes(score)) {
    const without = runGroups.filter((r) => r.groups.length > 0 && r.run.scores.every((x) => x.conditional === null)).map((r) => runName(r.run))
    if (without.length > 0) notes.push(`${SCORE_LABELS[score]} is scored for conditional runs only: ${without.join(', ')} ${without.length === 1 ? 'has' : 'have'} none.`)
  }

  // What differs between the runs' scores, named per run.
  const scored = runGroups.filter((r) => r.groups.length > 0)
  const distinct = (f: (p: ScoreProvenance) => string): boolean => new Set(scored.flatMap((r) => r.groups.map((g) => f(g.provenance)))).size > 1
  if (distinct((p) => `${p.realCount}|${p.generatedCount}`)) {
    const each = scored.map((r) => `${runName(r.run)} ${r.groups.map((g) => `${g.provenance.realCount} real / ${g.provenance.generatedCount} generated`).join(' then ')}`)
    notes.push(`The runs were scored on different sample counts (${each.join('; ')}): FID and the other scores move with the number of samples, so compare them with care.`)
  }
  if (distinct((p) => p.classifierId)) {
    const each = scored.map((r) => `${runName(r.run)} ${[...new Set(r.groups.map((g) => g.provenance.classifierId))].join(' then ')}`)
    notes.push(`The runs were scored with different classifiers (${each.join('; ')}): scores of different classifiers are not on one scale.`)
  }
  const bestBys = new Set(scored.flatMap((r) => (r.run.bestBy ? [r.run.bestBy] : [])))
  if (bestBys.size > 1) {
    notes.push(`Best epochs (★) are chosen by different scores: ${scored.map((r) => `${runName(r.run)} by ${r.run.bestBy ? SCORE_LABELS[r.run.bestBy] : 'none'}`).join('; ')}.`)
  }
  const unscored = runGroups.filter((r) => r.groups.length === 0).map((r) => runName(r.run))
  if (unscored.length > 0) notes.push(`Not scored yet: ${unscored.join(', ')}.`)
  return { score, curves, notes }
}
