// Runs named by the settings they differ in: legend labels and the caption's words.
import { describe, expect, it } from 'vitest'
import { PRESETS, runConfigSchema, type RunConfig } from '@shared/config'
import { differingSettings, runLabels, shortNumber } from '@shared/run-labels'

const base = PRESETS['mnist-mlp'].defaults
const sgd = { ...base.optimizerD, kind: 'sgd' as const, lr: 0.01 }
const config = (over: Partial<RunConfig>): RunConfig => runConfigSchema.parse({ ...base, name: 'run', seed: 11, ...over })
const runs = (configs: RunConfig[]) => configs.map((config, i) => ({ id: i + 1, name: `run ${i + 1}`, config }))

describe('run labels', () => {
  it('names SGD and Adam by optimizer, learning rate and Adam’s β1, in short numbers', () => {
    const pair = [config({ optimizerD: sgd, optimizerG: sgd }), config({})]
    expect(runLabels(runs(pair))).toEqual(['SGD, lr 0.01', 'Adam, lr 2e-4, β1 0.5'])
    expect(differingSettings(pair)).toBe('optimizer, learning rate and β1')
  })

  it('adds the seed last when seeds differ too, and leaves out what every run shares', () => {
    const four = [config({ optimizerD: sgd, optimizerG: sgd }), config({}), config({ optimizerD: sgd, optimizerG: sgd, seed: 12 }), config({ seed: 12 })]
    expect(runLabels(runs(four))).toEqual(['SGD, lr 0.01, seed 11', 'Adam, lr 2e-4, β1 0.5, seed 11', 'SGD, lr 0.01, seed 12', 'Adam, lr 2e-4, β1 0.5, seed 12'])
    const lrs = [config({}), config({ optimizerD: { ...base.optimizerD, lr: 1e-3 }, optimizerG: { ...base.optimizerG, lr: 1e-3 } })]
    expect(runLabels(runs(lrs))).toEqual(['lr 2e-4', 'lr 0.001'])
    expect(differingSettings(lrs)).toBe('learning rate')
  })

  it('says D and G apart where their optimizers differ, names other settings in words, and falls back to names', () => {
    const split = [config({}), config({ optimizerD: sgd })]
    expect(runLabels(runs(split))).toEqual(['Adam, lr 2e-4, β1 0.5', 'SGD (D) / Adam (G), lr 0.01 (D) / 2e-4 (G), β1 0.5 (G)'])
    const momentum = { ...base.optimizerD, kind: 'momentum' as const, momentum: 0.9 }
    const pair = [config({ optimizerD: { ...momentum, lr: 5e-4 }, optimizerG: { ...momentum, lr: 0.005 } }), config({})]
    expect(runLabels(runs(pair))).toEqual(['SGD+momentum, lr 5e-4 (D) / 0.005 (G), momentum 0.9', 'Adam, lr 2e-4, β1 0.5'])
    expect(differingSettings(pair)).toBe('optimizer, learning rate, β1 and momentum')
    const smoothing = [config({}), config({ batchSize: 32, tricks: { ...base.tricks, loss: 'hinge' } })]
    expect(runLabels(runs(smoothing))).toEqual([`batch ${base.batchSize}, ${base.tricks.loss} loss`, 'batch 32, hinge loss'])
    expect(differingSettings(smoothing)).toBe('batch size and loss')
    const same = [config({}), config({ name: 'other' })]
    expect(runLabels(runs(same))).toEqual(['run 1', 'run 2'])
    expect(differingSettings(same)).toBeNull()
  })

  it('writes learning rates as papers do', () => {
    expect(shortNumber(0.0002)).toBe('2e-4')
    expect(shortNumber(0.00005)).toBe('5e-5')
    expect(shortNumber(0.00015)).toBe('1.5e-4')
    expect(shortNumber(0.01)).toBe('0.01')
    expect(shortNumber(0.5)).toBe('0.5')
    expect(shortNumber(0)).toBe('0')
  })
})
