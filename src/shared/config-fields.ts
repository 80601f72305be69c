// The run config's fields as dotted paths ("tricks.realLabel.min"), read from the schema: the
// new-run form's draft and the CLI's train flags are derived from them, so neither keeps a copy.
import { z } from 'zod'
import { runConfigSchema, type RunConfig } from './config'

/** The dotted paths of an object type's leaves; arrays and unions of scalars are leaves. */
export type LeafPaths<T, P extends string = ''> = T extends readonly unknown[]
  ? P
  : T extends object
    ? { [K in keyof T & string]: LeafPaths<NonNullable<T[K]>, P extends '' ? K : `${P}.${K}`> }[keyof T & string]
    : P

/** Every field of a run config, e.g. 'optimizerD.lr' or 'discriminator.from.epoch'. */
export type RunConfigField = LeafPaths<RunConfig>

/** The schema inside defaults, nullables, optionals and pipes. */
export function unwrapSchema(schema: z.ZodType): z.ZodType {
  for (let s = schema; ; ) {
    const inner = unwrapOnce(s)
    if (inner === s) return s
    s = inner
  }
}

/** Whether the schema accepts null (a blank number input means null there, not "missing"). */
export function acceptsNull(schema: z.ZodType): boolean {
  return schema.safeParse(null).success
}

/** The dotted paths of an object schema's leaves, in declaration order. */
export function schemaLeaves(schema: z.ZodType, prefix = ''): string[] {
  const s = unwrapSchema(schema)
  if (!(s instanceof z.ZodObject)) return [prefix]
  return Object.entries(s.shape as Record<string, z.ZodType>).flatMap(([key, child]) => schemaLeaves(child, prefix === '' ? key : `${prefix}.${key}`))
}

/** The schema of one field (wrappers included), or undefined for a path the schema does not have. */
export function fieldSchema(schema: z.ZodType, path: string): z.ZodType | undefined {
  let s: z.ZodType | undefined = schema
  for (const key of path.split('.')) {
    const inner: z.ZodType | undefined = s && unwrapSchema(s)
    if (!(inner instanceof z.ZodObject)) return undefined
    s = (inner.shape as Record<string, z.ZodType>)[key]
  }
  return s
}

/** What a field holds: a number (typed as text in inputs and flags), a choice, a flag, text, a list. */
export function fieldKind(schema: z.ZodType): 'number' | 'enum' | 'boolean' | 'string' | 'union' | 'array' | 'object' | 'other' {
  const s = unwrapSchema(schema)
  if (s instanceof z.ZodNumber) return 'number'
  if (s instanceof z.ZodEnum || s instanceof z.ZodLiteral) return 'enum'
  if (s instanceof z.ZodBoolean) return 'boolean'
  if (s instanceof z.ZodString) return 'string'
  if (s instanceof z.ZodUnion) return 'union'
  if (s instanceof z.ZodArray) return 'array'
  if (s instanceof z.ZodObject) return 'object'
  return 'other'
}

/** The values an enum field (or each item of a list of them) takes, or undefined. */
export function fieldChoices(schema: z.ZodType): readonly string[] | undefined {
  const s = unwrapSchema(schema)
  if (s instanceof z.ZodArray) return fieldChoices(s.element as z.ZodType)
  return s instanceof z.ZodEnum ? (s.options as string[]) : undefined
}

/** The field's description (schema.describe(...)) on the schema or any wrapper inside it. */
export function fieldDescription(schema: z.ZodType): string | undefined {
  for (let s: z.ZodType = schema; ; ) {
    if (s.description !== undefined) return s.description
    const inner = unwrapOnce(s)
    if (inner === s) return undefined
    s = inner
  }
}

/** The value the field's own schema gives when it is missing (its .default()), or undefined. */
export function fieldDefault(schema: z.ZodType): unknown {
  for (let s: z.ZodType = schema; ; ) {
    if (s instanceof z.ZodDefault) return s.def.defaultValue
    const inner = unwrapOnce(s)
    if (inner === s) return undefined
    s = inner
  }
}

function unwrapOnce(s: z.ZodType): z.ZodType {
  if (s instanceof z.ZodDefault || s instanceof z.ZodNullable || s instanceof z.ZodOptional || s instanceof z.ZodPrefault || s instanceof z.ZodReadonly) {
    return s.unwrap() as z.ZodType
  }
  return s instanceof z.ZodPipe ? (s.in as z.ZodType) : s
}

export const RUN_CONFIG_FIELDS = schemaLeaves(runConfigSchema) as RunConfigField[]

/**
 * A form's or a command line's values as the schema's input: text where the schema wants a
 * number becomes the number (blank: null where the schema takes null, else missing, so a default
 * applies or the field is "must be a number"); everything else is passed as it is.
 */
export function numbersFromText(schema: z.ZodType, value: unknown): unknown {
  const s = unwrapSchema(schema)
  if (s instanceof z.ZodNumber && typeof value === 'string') {
    const text = value.trim()
    if (text === '') return acceptsNull(schema) ? null : undefined
    return Number(text)
  }
  if (s instanceof z.ZodNumber && value === null && !acceptsNull(schema)) return undefined
  if (s instanceof z.ZodObject && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const shape = s.shape as Record<string, z.ZodType>
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, shape[key] ? numbersFromText(shape[key], v) : v]))
  }
  return value
}

/** Reads a dotted path. */
export function getPath(object: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, key) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[key] : undefined), object)
}

/** Writes a dotted path, creating the objects on the way (where there was null, too). */
export function setPath(object: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.')
  let o = object
  for (const key of keys.slice(0, -1)) {
    const next = o[key]
    if (next === null || typeof next !== 'object') o[key] = {}
    o = o[key] as Record<string, unknown>
  }
  o[keys[keys.length - 1]] = value
}
