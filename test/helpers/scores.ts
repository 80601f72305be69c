// One epoch's scores for tests: plausible values for every field; a test passes the ones it
// is about (and asserts) as overrides.
import type { EpochScores } from '../../src/shared/evaluation'

export function epochScores(over: Partial<EpochScores> = {}): EpochScores {
  return {
    epoch: 1,
    classifierId: 'cls',
    classifierAccuracy: 0.98,
    realCount: 500,
    generatedCount: 500,
    fid: 10,
    fidFloor: 2,
    classifierScore: 5,
    realClassifierScore: 9,
    precision: 0.5,
    recall: 0.5,
    density: 1,
    coverage: 0.5,
    histogram: [1, 1],
    classesCovered: 2,
    fixedBatchDiversity: 1,
    conditional: null,
    createdAt: 0,
    ...over
  }
}
