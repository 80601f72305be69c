// @vitest-environment jsdom
import { beforeEach, describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import type { EpochScores } from '@shared/evaluation'
import { setLabApi } from '@renderer/api/current'
import CompareScores from '@renderer/components/CompareScores.vue'
import { FakeLabApi } from './helpers/fake-api'
import { useAppTestSetup } from './helpers/app'

let api: FakeLabApi
const pinia = useAppTestSetup()

const last: EpochScores = {
  epoch: 5,
  classifierId: 'mnist-convnet-32x64-d128-x',
  classifierAccuracy: 0.987,
  realCount: 2000,
  generatedCount: 2000,
  fid: 14.25,
  fidFloor: 1.73,
  classifierScore: 8.5,
  realClassifierScore: 9.4,
  precision: 0.7,
  recall: 0.6,
  density: 0.9,
  coverage: 0.66,
  histogram: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
  classesCovered: 10,
  fixedBatchDiversity: 0.9,
  conditional: null,
  createdAt: 0
}

beforeEach(() => {
  api = new FakeLabApi({
    'eval:scores': ({ id }) =>
      id === 1
        ? {
            scores: [last],
            evaluation: { bestBy: 'fid', bestEpoch: 3, bestValue: 11.5, flags: [{ kind: 'regressed', epoch: 5, explanation: 'much worse than 11.50' }] },
            pending: [],
            notice: null
          }
        : { scores: [], evaluation: null, pending: [], notice: 'no classifier' }
  })
  setLabApi(api)
})

describe('CompareScores', () => {
  it('puts each run’s best epoch, last scores with counts and classifier, and flags side by side', async () => {
    const w = mount(CompareScores, {
      props: { runs: [{ id: 1, name: 'adam', color: '#f00' }, { id: 2, name: 'sgd', color: '#00f' }] },
      global: { plugins: [pinia()] }
    })
    await flushPromises()
    expect(api.requestsTo('eval:scores')).toEqual([{ id: 1 }, { id: 2 }])
    const a = w.get('[data-testid="compare-scores-1"]').text()
    expect(a).toContain('★3 by Classifier FID (11.50)')
    expect(a).toContain('14.25 (1.73)')
    expect(a).toContain('epoch 5: 2000 real / 2000 generated, mnist-convnet-32x64-d128-x')
    expect(a).toContain('Worse than its best')
    expect(w.get('[data-testid="compare-scores-2"]').text()).toContain('not scored')
  })
})
