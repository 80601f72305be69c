// Saved run configs: a small JSON file a researcher keeps next to a paper, opens again in the
// lab or passes to the CLI. The reader refuses anything it cannot trust, saying why.
import { describeIssues, runConfigSchema, type RunConfig } from './config'
import { LabError } from './errors'

export const CONFIG_FILE_FORMAT = 'gan-workbench/run-config'
export const CONFIG_FILE_VERSION = 1
/** A config is a few hundred bytes; anything near this is not one. */
export const MAX_CONFIG_FILE_BYTES = 64 * 1024

export interface ConfigFile {
  format: typeof CONFIG_FILE_FORMAT
  version: number
  savedAt: string
  config: RunConfig
}

export function serializeConfigFile(config: RunConfig, savedAt: Date = new Date()): string {
  const file: ConfigFile = { format: CONFIG_FILE_FORMAT, version: CONFIG_FILE_VERSION, savedAt: savedAt.toISOString(), config }
  return JSON.stringify(file, null, 2) + '\n'
}

export function configFileName(config: Pick<RunConfig, 'name'>): string {
  const safe = config.name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '').slice(0, 80)
  return `${safe || 'run'}.config.json`
}

function refuse(message: string, issues?: { field: string; message: string }[]): never {
  throw new LabError('INVALID_CONFIG', message, issues)
}

/**
 * Reads a saved config: the lab's own file format, or a bare run config object (as the API and
 * `runs:get` show it). `byteLength` is the file's size when known (checked before parsing).
 * Throws LabError INVALID_CONFIG naming the problem and, for schema errors, each field.
 */
export function parseConfigFile(text: string, byteLength: number = text.length): RunConfig {
  if (byteLength > MAX_CONFIG_FILE_BYTES) {
    refuse(`This file is ${byteLength} bytes; a saved run config is at most ${MAX_CONFIG_FILE_BYTES} bytes, so it is not one.`)
  }
  let raw: unknown
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch (err) {
    refuse(`This file is not JSON: ${err instanceof Error ? err.message : String(err)}`)
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    refuse('A saved run config is a JSON object; this file holds ' + (Array.isArray(raw) ? 'an array' : raw === null ? 'null' : `a ${typeof raw}`) + '.')
  }
  const obj = raw as Record<string, unknown>
  let candidate: unknown = obj
  let prefix = ''
  if ('format' in obj) {
    if (obj.format !== CONFIG_FILE_FORMAT) {
      refuse(`Unknown file format ${JSON.stringify(obj.format).slice(0, 60)}; expected "${CONFIG_FILE_FORMAT}".`)
    }
    if (typeof obj.version !== 'number' || !Number.isInteger(obj.version) || obj.version < 1) {
      refuse('The file has no valid format version.')
    }
    if (obj.version > CONFIG_FILE_VERSION) {
      refuse(`This config was saved by a newer GAN Workbench (format version ${obj.version}; this app reads up to ${CONFIG_FILE_VERSION}).`)
    }
    candidate = obj.config
    prefix = 'config.'
    if (candidate === undefined) refuse('The file has no "config" field.')
  }
  const parsed = runConfigSchema.safeParse(candidate)
  if (!parsed.success) {
    const issues = describeIssues(parsed.error).map((i) => ({ field: i.field, message: i.message }))
    refuse(
      `The saved config does not fit this lab: ${issues.slice(0, 5).map((i) => `${prefix}${i.field}: ${i.message}`).join('; ')}` +
        (issues.length > 5 ? ` (and ${issues.length - 5} more)` : ''),
      issues
    )
  }
  return parsed.data
}
