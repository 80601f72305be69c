// The new-run form's one draft: a run config as the schema shapes it (numbers may be the text of
// a number input), filled from a preset's defaults, an example or an earlier run; the schema parses
// it and places each problem next to the field's input. The form's sections inject it.
import { computed, inject, provide, reactive, ref, watch, type ComputedRef, type InjectionKey } from 'vue'
import type { z } from 'zod'
import { describeIssues, PRESET_DATA_KINDS, runConfigSchema, type FieldIssue, type PresetId, type RunConfig } from '@shared/config'
import { numbersFromText, type RunConfigField } from '@shared/config-fields'
import { LabError } from '@shared/errors'
import type { DatasetRef } from '@shared/datasets'
import { exampleById } from '@shared/examples'
import { errorMessage, formatTime } from '@renderer/format'
import { FIELD_REGISTRY, type FieldRegistry } from '@renderer/composables/field-registry'
import { useDatasetsStore } from '@renderer/stores/datasets'
import { usePresetsStore } from '@renderer/stores/presets'

/** What v-model on a number input holds: a number, or the raw text when it is blank or not a number. */
export type NumberText = number | string

/** A config as a form holds it: the same shape, with text allowed wherever a number goes. */
export type DraftOf<T> = T extends number
  ? NumberText
  : T extends string | boolean | null | undefined
    ? T
    : T extends readonly unknown[]
      ? T[number][]
      : { [K in keyof T]: DraftOf<T[K]> }

export type RunDraftState = DraftOf<RunConfig>

/** The fields a preset leaves as they were when it is picked (but for D's regulariser); it sets every other one (conditioning included: the quick DCGAN is conditional, the others are not). */
const KEPT_BY_PRESET = ['name', 'seed', 'dataset', 'discriminator', 'evaluation'] as const satisfies readonly (keyof RunConfig)[]

export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31)
}

/** The draft of a config: a deep copy (the form edits it in place). */
export function draftOf(config: RunConfig): RunDraftState {
  // Through JSON: the config may be a store's reactive proxy, which structuredClone refuses.
  return JSON.parse(JSON.stringify(config)) as RunDraftState
}

/** The draft as the schema's input: number inputs' text turned into numbers, blanks into null or missing. */
export function draftInput(draft: RunDraftState): unknown {
  return numbersFromText(runConfigSchema, draft)
}

/** zod's generic type errors, said the way a form would. */
function friendly(message: string): string {
  if (/expected number, received (undefined|NaN|null)/.test(message)) return 'must be a number'
  return message
}


export interface RunDraft {
  draft: RunDraftState
  parsed: ComputedRef<z.ZodSafeParseResult<RunConfig>>
  /** The message to show under a field's input, or null. */
  errorOf(field: RunConfigField): string | null
  /** Problems with no input shown to place them at, named by their label ("Batch size (per half): ..."). */
  formErrors: ComputedRef<string[]>
  /** The back end's objection to the last submit (issues go to their fields, the rest to formErrors). */
  refuse(err: unknown): void
  clearRefusal(): void
  /** Fills the draft from a named example, keeping the seed; false for an unknown id. */
  applyExample(id: string): boolean
}

const RUN_DRAFT: InjectionKey<RunDraft> = Symbol('run-draft')

export function defaultRunName(preset: PresetId): string {
  return `${preset} ${formatTime(Date.now())}`
}

/**
 * Creates the form's draft and provides it to its sections. Starts from the first preset's
 * defaults with a random seed, or from `initial` ("run again with changes", seed kept).
 */
export function useRunDraft(initial: RunConfig | null | undefined): RunDraft {
  const presets = usePresetsStore()
  const datasets = useDatasetsStore()
  const initialPreset: PresetId = presets.presets[0]?.id ?? 'mnist-dcgan'
  const start: RunConfig = initial
    ? { ...presets.byId(initial.preset).defaults, ...initial }
    : { ...presets.byId(initialPreset).defaults, name: defaultRunName(initialPreset), seed: randomSeed() }
  const draft = reactive(draftOf(start)) as RunDraftState

  function presetDefaults(id: PresetId): void {
    const defaults = draftOf({ ...presets.byId(id).defaults, name: draft.name, seed: 0 })
    // Keep the data set when the new preset takes it; else the preset's own.
    const current = datasets.byId(draft.dataset as DatasetRef)
    const keep = new Set<string>(KEPT_BY_PRESET)
    if (!current || !PRESET_DATA_KINDS[id].includes(current.kind)) keep.delete('dataset')
    for (const key of Object.keys(defaults) as (keyof RunDraftState)[]) {
      if (!keep.has(key)) (draft as Record<string, unknown>)[key] = defaults[key]
    }
    // D's start (from a run, frozen) stays; how D is regularised is the preset's (dropout, or the quick DCGAN's batch norm).
    draft.discriminator.regularizer = defaults.discriminator.regularizer
    draft.preset = id
  }

  /** The preset an example just set: its own settings stand, the preset's defaults are not laid over them. */
  let presetSetByExample: PresetId | null = null
  watch(
    () => draft.preset,
    (id) => {
      if (id === presetSetByExample) {
        presetSetByExample = null
        return
      }
      presetDefaults(id)
    }
  )

  function applyExample(id: string): boolean {
    const example = exampleById(id)
    if (!example) return false
    if (example.config.preset !== draft.preset) presetSetByExample = example.config.preset
    const seed = draft.seed
    Object.assign(draft, draftOf({ ...example.config, discriminator: { ...example.config.discriminator, from: null }, name: `${example.label} ${formatTime(Date.now())}`, seed: 0 }))
    draft.seed = seed
    return true
  }

  const parsed = computed(() => runConfigSchema.safeParse(draftInput(draft)))
  const clientIssues = computed<FieldIssue[]>(() => (parsed.value.success ? [] : describeIssues(parsed.value.error)))
  const serverIssues = ref<FieldIssue[]>([])
  const serverError = ref<string | null>(null)

  // Which fields have an input on screen (counted: an input may briefly be shown twice while one replaces another).
  const placed = reactive(new Map<string, number>())
  // The label each field was last shown with: a problem of a field no longer on screen is named by it.
  const labels = reactive(new Map<string, string>())
  const registry: FieldRegistry = {
    place(field, label) {
      placed.set(field, (placed.get(field) ?? 0) + 1)
      labels.set(field, label)
      return () => {
        const n = (placed.get(field) ?? 1) - 1
        if (n <= 0) placed.delete(field)
        else placed.set(field, n)
      }
    }
  }
  provide(FIELD_REGISTRY, registry)

  const issues = computed(() => [...clientIssues.value, ...serverIssues.value])
  const fieldErrors = computed(() => {
    const errors = new Map<string, string>()
    // The form's own check comes first; the back end's objections fill the fields it left alone.
    for (const issue of issues.value) {
      if (placed.has(issue.field) && !errors.has(issue.field)) errors.set(issue.field, friendly(issue.message))
    }
    return errors
  })
  const formErrors = computed<string[]>(() => {
    const messages = issues.value.filter((i) => !placed.has(i.field)).map((i) => `${labels.get(i.field) ?? i.field}: ${friendly(i.message)}`)
    if (serverError.value) messages.push(serverError.value)
    return messages
  })

  function refuse(err: unknown): void {
    if (err instanceof LabError && err.issues && err.issues.length > 0) {
      serverIssues.value = err.issues.map((i) => ({ ...i, field: i.field.replace(/^config\./, '') }))
    } else {
      serverError.value = err instanceof LabError ? `${err.code}: ${err.message}` : errorMessage(err)
    }
  }
  function clearRefusal(): void {
    serverIssues.value = []
    serverError.value = null
  }
  // An edit answers the back end's objections; they are re-checked on the next submit.
  watch(draft, clearRefusal, { deep: true })

  const state: RunDraft = {
    draft,
    parsed,
    errorOf: (field) => fieldErrors.value.get(field) ?? null,
    formErrors,
    refuse,
    clearRefusal,
    applyExample
  }
  provide(RUN_DRAFT, state)
  return state
}

/** The draft of the form a section is part of. */
export function injectRunDraft(): RunDraft {
  const state = inject(RUN_DRAFT)
  if (!state) throw new Error('a run-form section must be inside the new-run form (useRunDraft)')
  return state
}
