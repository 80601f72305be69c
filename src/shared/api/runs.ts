// The runs domain of the LabApi: what a run looks like to the renderer (summary, detail,
// epochs, scores), run edits, sweeps as created, and the lab's settings.
import { z } from 'zod'
import type { BackendName, RunConfig } from '../config'
import type { EpochScores } from '../evaluation'
import type { RunEvaluation } from '../failure-detect'
import type { StepMetrics } from '../metrics'
import type { Sweep } from '../sweep'
import type { BackendReport, ProgressInfo, RunStatus } from '../trainer-protocol'

/** Lab-wide settings, stored in SQLite. */
export const labSettingsSchema = z
  .object({
    /** How many runs train at once (one trainer process each); later runs wait in the queue. */
    maxConcurrentRuns: z.number().int('must be a whole number').min(1, 'must be at least 1').max(16, 'must be at most 16')
  })
  .strict()
export type LabSettings = z.infer<typeof labSettingsSchema>
/** Two runs at once: on a 2-core machine two trainer processes give 1.8x the images per second of one. */
export const DEFAULT_LAB_SETTINGS: LabSettings = { maxConcurrentRuns: 2 }

/** A sweep as created: the sweep and its runs (queued as the lab's settings allow). */
export interface SweepCreated {
  sweep: Sweep
  runs: RunSummary[]
}

export interface RunSummary {
  id: number
  name: string
  preset: string
  optimizer: string
  status: RunStatus
  statusMessage: string | null
  backend: BackendName | null
  seed: number
  epochs: number
  epochsDone: number
  stepsDone: number
  createdAt: number
  startedAt: number | null
  endedAt: number | null
  /** Means of the last finished epoch, or the last step when no epoch has finished. */
  lastMetrics: StepMetrics | null
  /** The researcher's notes on the run ('' when none). */
  notes: string
  tags: string[]
  /** Learning rates of D and G from the run's config (absent where the stored config cannot be read). */
  lr?: { d: number; g: number }
  /** Best epoch by the run's chosen score and its failure flags, once anything was scored or detected. */
  evaluation?: RunEvaluation
}

export interface EpochInfo {
  epoch: number
  means: StepMetrics
  durationMs: number
  imagesPerSec: number
  hasGrid: boolean
  /** Generated rows or points (tabular and toy runs) instead of a grid. */
  hasSamples: boolean
  /** D's output and G's gradients over the data plane at the epoch's end (runs of 1D/2D points; runs:field). */
  hasField: boolean
  checkpointDir: string | null
}

export interface RunDetail {
  summary: RunSummary
  config: RunConfig
  backendReport: BackendReport | null
  epochs: EpochInfo[]
  progress: ProgressInfo | null
  /** Stored values of the run that could not be read (each names its table and column); absent when all is well. */
  problems?: string[]
}

export interface AppInfo {
  version: string
  dataDir: string
  transport: 'ipc' | 'websocket'
}
const tagSchema = z.string().trim().min(1, 'must not be empty').max(40, 'must be at most 40 characters')

/** Rename, notes and tags. Tags are trimmed and de-duplicated, keeping the first spelling. */
export const runUpdateSchema = z
  .object({
    id: z.number().int().positive(),
    name: z.string().trim().min(1, 'must not be empty').max(120, 'must be at most 120 characters').optional(),
    notes: z.string().max(10_000, 'must be at most 10000 characters').optional(),
    tags: z
      .array(tagSchema)
      .transform((tags) => [...new Set(tags)])
      .refine((tags) => tags.length <= 20, 'at most 20 tags')
      .optional()
  })
  .strict()
export type RunUpdateRequest = z.output<typeof runUpdateSchema>

/** A run's scores by epoch, its best epoch and flags, and scorings waiting or under way. */
export interface RunScores {
  scores: EpochScores[]
  evaluation: RunEvaluation | null
  pending: number[]
  /** Why epochs are not being scored, when they are not (e.g. no reference classifier yet). */
  notice: string | null
}
