// The fixed latent batch behind a run's epoch grids: each tile's latent vector and class, and
// the spread of the latent distribution the explorer scales its planes by.
import { describe, expect, it } from 'vitest'
import { conditionalGrid } from '@shared/conditional'
import { fixedBatchLatents, gridSample, latentSpread } from '../../src/main/common/fixed-batch'
import { slerpAngle } from '../../src/main/common/interpolate'

describe('gridSample', () => {
  it('is the slice of the fixed batch the trainer draws for tile k', () => {
    const batch = fixedBatchLatents(9, 8, 100, 'gaussian', 0)
    const found = gridSample(9, 8, 'gaussian', 0, 42)!
    expect(Array.from(found.latent)).toEqual(Array.from(batch.slice(42 * 8, 43 * 8)))
    expect(found.classLabel).toBeUndefined()
    expect(gridSample(9, 8, 'gaussian', 0, 100)).toBeNull()
    expect(gridSample(9, 8, 'gaussian', 0, -1)).toBeNull()
  })

  it('gives a conditional grid tile its column latent and its row class', () => {
    const { cols, count } = conditionalGrid(10)
    const batch = fixedBatchLatents(3, 4, count, 'uniform', 10)
    const k = 3 * cols + 2
    const found = gridSample(3, 4, 'uniform', 10, k)!
    expect(found.classLabel).toBe(3)
    expect(Array.from(found.latent)).toEqual(Array.from(batch.slice(k * 4, (k + 1) * 4)))
    expect(found.count).toBe(count)
  })

  it('scales by the standard deviation of one latent component', () => {
    expect(latentSpread('gaussian')).toBe(1)
    expect(latentSpread('uniform')).toBeCloseTo(0.57735, 5)
  })
})

describe('slerpAngle', () => {
  it('names opposite, parallel and zero endpoints, where slerp is lerp', () => {
    expect(slerpAngle([1, 2], [-1, -2])).toEqual({ degrees: 180, sameAsLerp: true })
    expect(slerpAngle([1, 2], [2, 4])).toEqual({ degrees: 0, sameAsLerp: true })
    expect(slerpAngle([0, 0], [1, 0])).toEqual({ degrees: null, sameAsLerp: true })
    expect(slerpAngle([1, 0], [0, 1])).toEqual({ degrees: 90, sameAsLerp: false })
  })
})
