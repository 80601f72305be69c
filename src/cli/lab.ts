// What the CLI's commands share: the Lab on a data folder, validated calls through its handler
// table, and the parsing of numeric flags with the flag named in the refusal.
import { resolve } from 'node:path'
import { LabError } from '@shared/errors'
import type { EpochScores } from '@shared/evaluation'
import { dispatch } from '../main/services/dispatch'
import { Lab } from '../main/services/lab'
import { defaultDataDir } from '../main/paths'
import { forkLauncher } from '../main/trainer-host/fork-launcher'
import pkg from '../../package.json'

export const VERSION = pkg.version

export function num(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n)) throw new LabError('INVALID_CONFIG', `${flag} must be a number, got "${value}"`)
  return n
}

/** A comma-separated list of numbers: --run 1,2,3, --epochs 1,5,10. */
export const ids = (value: string | undefined, flag: string): number[] | undefined => value?.split(',').map((v) => num(v, flag) as number)

export const dataDirOf = (flag: string | undefined): string => resolve(flag ?? defaultDataDir())

/**
 * A Lab on the data folder for a one-shot command; `outDir` answers its export-folder question.
 * Commands that only read, score, import or export open it shared, beside a lab server or the
 * desktop app holding the folder; `exclusive` names the command that takes the folder's lock.
 */
export function oneShotLab(dataDirFlag: string | undefined, outDir?: string, exclusive?: string): Lab {
  return new Lab({
    dataDir: dataDirOf(dataDirFlag),
    launcher: forkLauncher(),
    version: VERSION,
    transport: 'ipc',
    ...(exclusive === undefined ? { access: 'shared' as const } : { program: exclusive }),
    ...(outDir === undefined ? {} : { chooseFolder: async () => outDir })
  })
}

/** Runs a channel through the same validation as the UI's requests; a refusal is thrown with its message. */
export async function call<T>(lab: Lab, channel: 'figures:export' | 'runs:export-generator' | 'runs:sample-rows' | 'sweeps:create', req: unknown): Promise<T> {
  const res = await dispatch(lab.handlers, channel, req)
  if (!res.ok) throw LabError.fromInfo(res.error)
  return res.data as T
}

export function describeScores(id: number, s: EpochScores): string {
  return (
    `run ${id} epoch ${s.epoch} (${s.generatedCount} generated, ${s.realCount} real, classifier ${s.classifierId}): ` +
    `FID ${s.fid.toFixed(3)} (floor ${s.fidFloor.toFixed(3)}), classifier score ${s.classifierScore.toFixed(3)} (real ${s.realClassifierScore.toFixed(3)}), ` +
    `precision ${s.precision.toFixed(3)}, recall ${s.recall.toFixed(3)}, density ${s.density.toFixed(3)}, coverage ${s.coverage.toFixed(3)}, ` +
    `classes covered ${s.classesCovered}/${s.histogram.length} [${s.histogram.join(' ')}]`
  )
}
