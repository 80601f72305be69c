// @vitest-environment jsdom
// Resume in the run view: a crashed run offers "Resume", a completed one "Train to N epochs";
// either asks the back end and reloads the run's series, whose tail the resume replaces.
import { describe, expect, it } from 'vitest'
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import type { RunSummary } from '@shared/api'
import { useTrainerStore } from '@renderer/stores/trainer'
import { mountApp, useAppTestSetup } from './helpers/app'
import { FakeLabApi } from './helpers/fake-api'
import { detail, epoch, series, summary } from './helpers/fixtures'

const pinia = useAppTestSetup()

async function open(run: RunSummary, fake: FakeLabApi): Promise<VueWrapper> {
  const w = await mountApp(pinia(), fake)
  await w.get(`[data-testid="run-row-${run.id}"]`).trigger('click')
  await flushPromises()
  return w
}

function fakeFor(run: RunSummary, afterResume: RunSummary): FakeLabApi {
  let resumed = false
  return new FakeLabApi({
    'runs:list': () => [run],
    'presets:list': () => [],
    'runs:get': () => detail(resumed ? afterResume : run, { epochs: [epoch(1), epoch(2)] }),
    // Before the resume the run has 250 steps; after, the 50 past its checkpoint are gone.
    'runs:metrics': () => series(1, resumed ? 200 : 250),
    'runs:resume': () => {
      resumed = true
      return afterResume
    }
  })
}

describe('resume in the run view', () => {
  it('resumes a crashed run and reloads its series from the start', async () => {
    const crashed = summary({ id: 3, status: 'crashed', epochsDone: 2, epochs: 5 })
    const fake = fakeFor(crashed, { ...crashed, status: 'queued' })
    const w = await open(crashed, fake)
    const steps = (): number => useTrainerStore().runs[3].series.step.length
    expect(steps()).toBe(250)
    expect(w.find('[data-testid="continue-run"]').exists()).toBe(false)
    await w.get('[data-testid="resume-run"]').trigger('click')
    await flushPromises()
    expect(fake.requestsTo('runs:resume')).toEqual([{ id: 3 }])
    expect(fake.requestsTo('runs:metrics').at(-1)).toEqual({ id: 3, afterStep: 0 })
    expect(steps()).toBe(200)
    expect(w.find('[data-testid="resume-run"]').exists()).toBe(false)
  })

  it('trains a completed run further to the epochs asked for', async () => {
    const done = summary({ id: 4, status: 'completed', epochsDone: 2, epochs: 2 })
    const fake = fakeFor(done, { ...done, status: 'queued', epochs: 6 })
    const w = await open(done, fake)
    expect(w.find('[data-testid="resume-run"]').exists()).toBe(false)
    await w.get('[data-testid="resume-epochs"]').setValue(6)
    await w.get('[data-testid="continue-run"]').trigger('submit')
    await flushPromises()
    expect(fake.requestsTo('runs:resume')).toEqual([{ id: 4, epochs: 6 }])
  })

  it('offers nothing for a run without a checkpoint', async () => {
    const early = summary({ id: 5, status: 'stopped', epochsDone: 0 })
    const w = await open(early, fakeFor(early, early))
    expect(w.find('[data-testid="resume-run"]').exists()).toBe(false)
  })
})
