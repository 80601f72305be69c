// Runs named by the settings they differ in, in words a reader knows: legend labels
// ("SGD, lr 0.01" / "Adam, lr 2e-4, β1 0.5") and the caption's "differ in optimizer and learning
// rate", for figures and the compare view alike. One list of facets per run; a facet that reads
// the same for every run says nothing and is left out.
import { flattenConfig, type ConfigValue } from './config-diff'
import type { OptimizerConfig, RunConfig } from './config'

interface Facet {
  /** Groups facets across runs: a facet is shown when its text differs between runs. */
  key: string
  /** What the caption calls the setting ("learning rate"). */
  name: string
  /** How a legend label says it ("lr 2e-4"). */
  text: string
}

const OPTIMIZER_NAMES: Record<OptimizerConfig['kind'], string> = { sgd: 'SGD', momentum: 'SGD+momentum', adam: 'Adam', rmsprop: 'RMSprop' }

/** 0.0002 as "2e-4", 0.01 as "0.01": the short form papers use. */
export function shortNumber(v: number): string {
  if (v !== 0 && Math.abs(v) < 1e-3) {
    const [mantissa, exponent] = v.toExponential().split('e')
    return `${Number(Number(mantissa).toPrecision(3))}e${Number(exponent)}`
  }
  return String(Number(v.toPrecision(6)))
}

/** The optimizer fields a label may name: each applies to some optimizer kinds only. */
const OPTIMIZER_FIELDS: { key: string; name: string; value: (o: OptimizerConfig) => string | null }[] = [
  { key: 'opt', name: 'optimizer', value: (o) => OPTIMIZER_NAMES[o.kind] },
  { key: 'lr', name: 'learning rate', value: (o) => `lr ${shortNumber(o.lr)}` },
  { key: 'beta1', name: 'β1', value: (o) => (o.kind === 'adam' ? `β1 ${shortNumber(o.beta1)}` : null) },
  // β2 only when not Adam's usual 0.999, as describeOptimizer says it.
  { key: 'beta2', name: 'β2', value: (o) => (o.kind === 'adam' && o.beta2 !== 0.999 ? `β2 ${shortNumber(o.beta2)}` : null) },
  { key: 'momentum', name: 'momentum', value: (o) => (o.kind === 'momentum' ? `momentum ${shortNumber(o.momentum)}` : null) }
]

/** One facet per optimizer field; where D and G differ, both: "lr 5e-4 (D) / 0.005 (G)". */
function optimizerFacets(d: OptimizerConfig, g: OptimizerConfig): Facet[] {
  return OPTIMIZER_FIELDS.flatMap(({ key, name, value }) => {
    const [vd, vg] = [value(d), value(g)]
    if (vd === vg) return vd === null ? [] : [{ key, name, text: vd }]
    const word = (v: string): string => (key === 'opt' ? v : v.slice(v.indexOf(' ') + 1))
    const prefix = key === 'opt' ? '' : `${(vd ?? vg)!.split(' ')[0]} `
    const parts = [vd === null ? null : `${word(vd)} (D)`, vg === null ? null : `${word(vg)} (G)`].filter(Boolean)
    return [{ key, name, text: `${prefix}${parts.join(' / ')}` }]
  })
}

/** A run's optimizers in a legend's words: "Adam, lr 2e-4, β1 0.5"; "lr 5e-4 (D) / 0.005 (G)" where D and G differ. */
export function optimizerInWords(config: RunConfig): string {
  return optimizerFacets(config.optimizerD, config.optimizerG)
    .map((f) => f.text)
    .join(', ')
}

/** Settings with a name of their own; any other differing field is named from its path. */
const NAMED: Record<string, { name: string; text: (v: ConfigValue) => string }> = {
  preset: { name: 'architecture', text: (v) => String(v) },
  dataset: { name: 'data set', text: (v) => String(v) },
  batchSize: { name: 'batch size', text: (v) => `batch ${v}` },
  latentDim: { name: 'latent size', text: (v) => `z ${v}` },
  'tricks.loss': { name: 'loss', text: (v) => `${v} loss` },
  seed: { name: 'seed', text: (v) => `seed ${v}` },
  conditional: { name: 'conditioning', text: (v) => (v ? 'conditional' : 'unconditional') }
}
/** Fields that never tell runs apart in a label: the name, and how long or where a run ran. */
const UNLABELLED = /^(name|epochs|stepsPerEpoch|backend|evaluation\.)/

/** "tricks.labelSmoothing" -> "label smoothing". */
function words(path: string): string {
  const last = path.split('.').pop() ?? path
  return last.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase()
}

function facetsOf(config: RunConfig): Facet[] {
  const facets = optimizerFacets(config.optimizerD, config.optimizerG)
  for (const [path, value] of Object.entries(flattenConfig(config))) {
    if (path.startsWith('optimizer') || UNLABELLED.test(path)) continue
    const named = NAMED[path]
    facets.push({ key: path, name: named?.name ?? words(path), text: named ? named.text(value) : `${words(path)} ${typeof value === 'number' ? shortNumber(value) : String(value)}` })
  }
  return facets
}

/** Optimizer facets first (the optimizer, then its settings), the seed last, the rest between. */
function rank(key: string): number {
  const optimizer = OPTIMIZER_FIELDS.findIndex((f) => f.key === key)
  return optimizer >= 0 ? optimizer : key === 'seed' ? 1000 : 100
}

/** The facet keys whose text is not the same for every run, optimizer first and seed last. */
function differingKeys(all: Facet[][]): string[] {
  const keys = [...new Set(all.flatMap((f) => f.map((x) => x.key)))]
  const order = (a: string, b: string): number => rank(a) - rank(b)
  return keys.sort(order).filter((key) => {
    const texts = all.map((f) => f.find((x) => x.key === key)?.text ?? null)
    return texts.some((t) => t !== texts[0])
  })
}

/**
 * One label per run from the settings that differ ("SGD, lr 0.01" / "Adam, lr 2e-4, β1 0.5");
 * the run's name where nothing differs, and "#id" added where two labels would read the same.
 */
export function runLabels(runs: readonly { id: number; name: string; config: RunConfig }[]): string[] {
  const all = runs.map((r) => facetsOf(r.config))
  const keys = differingKeys(all)
  const labels = all.map((facets, i) => keys.flatMap((k) => facets.find((f) => f.key === k)?.text ?? []).join(', ') || runs[i].name)
  return labels.map((l, i) => (labels.indexOf(l) !== labels.lastIndexOf(l) ? `${l} (#${runs[i].id})` : l))
}

/** What the runs differ in, in words: "optimizer, learning rate and β1"; null when nothing does. */
export function differingSettings(configs: readonly RunConfig[]): string | null {
  const all = configs.map(facetsOf)
  const names = [...new Set(differingKeys(all).map((k) => all.flatMap((f) => f).find((f) => f.key === k)!.name))]
  if (names.length === 0) return null
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`
}
