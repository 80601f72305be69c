// Sweeps as data: the grid of values, the configs it makes, and the refusals that name the field or point.
import { describe, expect, it } from 'vitest'
import { PRESETS } from '@shared/config'
import { describePoint, expandSweep, gridOf, SweepError, sweepRequestSchema, type SweepRequest } from '@shared/sweep'

const base = { ...PRESETS['mnist-mlp'].defaults, seed: 1, epochs: 1, stepsPerEpoch: 2 }
const request = (axes: SweepRequest['axes'], over: Partial<SweepRequest> = {}): SweepRequest =>
  sweepRequestSchema.parse({ name: 'opt x lr', base, axes, ...over })

describe('sweeps', () => {
  it('makes every combination, the first field varying slowest', () => {
    expect(gridOf([{ field: 'a', values: [1, 2] }, { field: 'b', values: ['x', 'y', 'z'] }])).toEqual([
      { a: 1, b: 'x' },
      { a: 1, b: 'y' },
      { a: 1, b: 'z' },
      { a: 2, b: 'x' },
      { a: 2, b: 'y' },
      { a: 2, b: 'z' }
    ])
  })

  it('sets both optimizers for optimizer.* fields, any other field by its path, and names each run by its values', () => {
    const points = expandSweep(
      request([
        { field: 'optimizer.kind', values: ['sgd', 'adam'] },
        { field: 'optimizer.lr', values: [0.01, 0.0002] },
        { field: 'seed', values: [1, 2] }
      ])
    )
    expect(points).toHaveLength(8)
    const last = points[7].config
    expect(last.optimizerD).toMatchObject({ kind: 'adam', lr: 0.0002 })
    expect(last.optimizerG).toMatchObject({ kind: 'adam', lr: 0.0002 })
    expect(last.seed).toBe(2)
    expect(last.name).toBe('opt x lr · kind=adam, lr=0.0002, seed=2')
    expect(points[0].config.optimizerD).toMatchObject({ kind: 'sgd', lr: 0.01 })
    // The rest of the base config is untouched.
    expect(last.batchSize).toBe(base.batchSize)
    const tricks = expandSweep(request([{ field: 'tricks.dStepsPerG', values: [1, 3] }]))
    expect(tricks.map((p) => p.config.tricks.dStepsPerG)).toEqual([1, 3])
    expect(describePoint({ 'tricks.loss': 'hinge', batchSize: 32 })).toBe('loss=hinge, batchSize=32')
  })

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'tricks.__proto__', 'optimizerD.constructor', '__proto__.polluted'])(
    'refuses the inherited or prototype key %s as a field, naming it',
    (field) => {
      let error: unknown
      try {
        expandSweep(request([{ field, values: [1, 2, 3] }]))
      } catch (err) {
        error = err
      }
      expect(error).toBeInstanceOf(SweepError)
      expect((error as SweepError).message).toMatch(new RegExp(`axes\\.0\\.field: no field ${field.replace(/\./g, '\\.')} in the run config`))
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    }
  )

  it('refuses an unknown field, a group, too many runs, repeated values and a point that is not a valid run', () => {
    const refusal = (fn: () => unknown): SweepError => {
      try {
        fn()
      } catch (err) {
        if (err instanceof SweepError) return err
        throw err
      }
      throw new Error('not refused')
    }
    expect(refusal(() => expandSweep(request([{ field: 'optimizerD.speed', values: [1] }]))).message).toMatch(/axes.0.field: no field optimizerD.speed in the run config/)
    expect(refusal(() => expandSweep(request([{ field: 'name', values: ['a'] }]))).message).toMatch(/the name is set per run/)
    const bad = refusal(() => expandSweep(request([{ field: 'optimizer.lr', values: [0.001, -1] }])))
    expect(bad.message).toMatch(/The point lr=-1 is not a valid run: optimizerD.lr: must be greater than 0/)
    expect(bad.issues[0]).toEqual({ field: 'optimizerD.lr', message: 'must be greater than 0' })
    const tooMany = sweepRequestSchema.safeParse({
      name: 'big',
      base,
      axes: [
        { field: 'seed', values: [1, 2, 3, 4, 5] },
        { field: 'optimizer.lr', values: [0.1, 0.2, 0.3, 0.4, 0.5] }
      ]
    })
    expect(tooMany.success).toBe(false)
    expect(JSON.stringify(tooMany.error?.issues)).toMatch(/makes more than 24 runs/)
    expect(sweepRequestSchema.safeParse({ name: 'r', base, axes: [{ field: 'seed', values: [1, 1] }] }).success).toBe(false)
    expect(refusal(() => expandSweep({ name: 'x', base: { ...base, batchSize: 0 }, axes: [{ field: 'seed', values: [1] }], compareWhenDone: true })).message).toMatch(
      /base config is invalid: base.batchSize: must be at least 1/
    )
  })
})
