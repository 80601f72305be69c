// The JSON the database keeps in TEXT columns, and what each reader expects of it. A bundle
// import checks every such value against these before it writes anything; the readers parse
// with them too, so one bad stored value (written by hand, by an older app or a damaged bundle)
// is reported where it is, instead of failing every list the row takes part in.
import { z } from 'zod'
import { latentViewSettingsSchema } from '@shared/api'
import { BACKEND_CHOICES, BACKEND_ORDER } from '@shared/config'
import { FLAG_KINDS } from '@shared/failure-detect'
import { toyFieldSchema } from '@shared/toy-field'

const flagSchema = z.object({ kind: z.enum(FLAG_KINDS), epoch: z.number().int().nullable(), explanation: z.string() })

const backendReportSchema = z.object({
  requested: z.enum(BACKEND_CHOICES),
  chosen: z.enum(BACKEND_ORDER),
  skipped: z.array(z.object({ backend: z.string(), reason: z.string() }).passthrough()),
  detail: z.string()
})

/** `table.column` -> the shape its readers expect. config_json is checked by the run config schema. */
export const STORED_JSON: Readonly<Record<string, z.ZodTypeAny>> = {
  'runs.tags_json': z.array(z.string()),
  'runs.backend_report_json': backendReportSchema,
  'run_evaluation.flags_json': z.array(flagSchema),
  'epoch_scores.histogram_json': z.array(z.number()),
  'latent_views.settings_json': latentViewSettingsSchema,
  'epoch_fields.field_json': toyFieldSchema
}

export type StoredJsonResult<T> = { ok: true; value: T } | { ok: false; problem: string }

/**
 * Parses the stored text of `table.column` and checks its shape; a column without a known
 * shape only has to be JSON. The problem names the table, the column and what is wrong.
 */
export function readStoredJson<T = unknown>(table: string, column: string, text: string): StoredJsonResult<T> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    return { ok: false, problem: `${table}.${column} is not valid JSON (${err instanceof Error ? err.message : String(err)})` }
  }
  const schema = STORED_JSON[`${table}.${column}`]
  if (!schema) return { ok: true, value: value as T }
  const checked = schema.safeParse(value)
  if (checked.success) return { ok: true, value: checked.data as T }
  const issue = checked.error.issues[0]
  const at = issue.path.length > 0 ? ` at ${issue.path.join('.')}` : ''
  return { ok: false, problem: `${table}.${column} does not hold what this app expects${at}: ${issue.message}` }
}
