import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { CHANNELS, type LabHandlers } from '@shared/api'
import { LabError } from '@shared/errors'
import { composeHandlers } from '../../src/main/services/handlers'
import { parseOrThrow } from '../../src/main/services/validate'

const answer = (): never => {
  throw new Error('not called')
}

describe('composeHandlers', () => {
  const rest = Object.fromEntries(CHANNELS.filter((c) => c !== 'app:info' && c !== 'runs:list').map((c) => [c, answer])) as unknown as Omit<LabHandlers, 'app:info' | 'runs:list'>
  const info = { 'app:info': () => ({ version: '1', dataDir: '/d', transport: 'ipc' as const }) } satisfies Partial<LabHandlers>
  const list = { 'runs:list': () => [] } satisfies Partial<LabHandlers>

  it('merges tables that answer every channel once', () => {
    const all = composeHandlers([info, list, rest])
    expect(Object.keys(all).sort()).toEqual([...CHANNELS].sort())
    expect(all['runs:list'](undefined)).toEqual([])
  })

  it('refuses a channel answered twice or not at all, at compile time and at run time', () => {
    // @ts-expect-error runs:list is answered by no table
    expect(() => composeHandlers([info, rest])).toThrow('No service answers runs:list')
    // @ts-expect-error app:info is answered twice
    expect(() => composeHandlers([info, list, rest, info])).toThrow('Two services answer app:info')
  })
})

describe('parseOrThrow', () => {
  const schema = z.object({ epochs: z.number().int().min(1) }).strict()

  it('returns the parsed value', () => {
    expect(parseOrThrow(schema, { epochs: 3 }, 'Invalid thing')).toEqual({ epochs: 3 })
  })

  it('throws a LabError naming the field, with the code and issues asked for', () => {
    let caught: unknown
    try {
      parseOrThrow(schema, { epochs: 0 }, 'Invalid run config', { code: 'INVALID_CONFIG', issues: (issues) => issues.map((i) => ({ ...i, field: `x.${i.field}` })) })
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(LabError)
    const err = caught as LabError
    expect(err.code).toBe('INVALID_CONFIG')
    expect(err.message).toMatch(/^Invalid run config: x\.epochs: /)
    expect(err.issues).toEqual([expect.objectContaining({ field: 'x.epochs' })])
  })
})
