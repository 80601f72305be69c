// Which settings two or more runs differ in: the compare view's diff table, the caption of a
// comparison figure and "run again with changes" all read the same flattened field list.
import type { RunConfig } from './config'

export type ConfigValue = string | number | boolean | null

/** A run config as dotted paths to leaf values: {"optimizerD.lr": 0.0002, "tricks.realLabel.min": 1, ...}. */
export function flattenConfig(config: RunConfig | Record<string, unknown>): Record<string, ConfigValue> {
  const out: Record<string, ConfigValue> = {}
  const walk = (value: unknown, path: string): void => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const entries = Object.entries(value as Record<string, unknown>)
      // An empty object (or null, below) is still a value worth showing.
      if (entries.length === 0 && path) out[path] = '{}'
      for (const [key, inner] of entries) walk(inner, path ? `${path}.${key}` : key)
      return
    }
    if (Array.isArray(value)) out[path] = JSON.stringify(value)
    else if (value === undefined) out[path] = null
    else out[path] = value as ConfigValue
  }
  walk(config, '')
  return out
}

export interface ConfigDiffRow {
  field: string
  /** One value per config, in the order given; null where a config lacks the field. */
  values: ConfigValue[]
  differs: boolean
}

/** Fields that never count as a difference: every run has its own name. */
const IGNORED_FIELDS = new Set(['name'])

/**
 * One row per field of any of the configs, sorted by field path. `differs` is true when the
 * values are not all equal; the run's name is listed but never counts as a difference.
 */
export function diffConfigs(configs: ReadonlyArray<RunConfig | Record<string, unknown>>): ConfigDiffRow[] {
  const flat = configs.map((c) => flattenConfig(c))
  const fields = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort()
  return fields.map((field) => {
    const values = flat.map((f) => (field in f ? f[field] : null))
    const differs = !IGNORED_FIELDS.has(field) && values.some((v) => v !== values[0])
    return { field, values, differs }
  })
}

/** "optimizerD.kind: sgd vs adam" lines for the fields that differ, for captions and logs. */
export function describeDifferences(configs: ReadonlyArray<RunConfig | Record<string, unknown>>): string[] {
  return diffConfigs(configs)
    .filter((row) => row.differs)
    .map((row) => `${row.field}: ${row.values.map((v) => (v === null ? '—' : String(v))).join(' vs ')}`)
}
