// @vitest-environment jsdom
import { beforeEach, describe, expect, it } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { LabError } from '@shared/errors'
import { setLabApi } from '@renderer/api/current'
import { useRunsStore } from '@renderer/stores/runs'
import { useTrainerStore } from '@renderer/stores/trainer'
import { FakeLabApi } from './helpers/fake-api'
import { useAppTestSetup } from './helpers/app'
import { config, detail, series, summary } from './helpers/fixtures'

let api: FakeLabApi

useAppTestSetup()

beforeEach(() => {
  api = new FakeLabApi({
    'runs:list': () => [summary({ id: 1, createdAt: 100 }), summary({ id: 2, createdAt: 300 }), summary({ id: 3, createdAt: 200 })],
    'runs:get': ({ id }) => detail(summary({ id, createdAt: id * 100 })),
    'runs:metrics': () => series(1, 0)
  })
  setLabApi(api)
})

describe('runs store', () => {
  it('loads the list and sorts it newest first', async () => {
    const runs = useRunsStore()
    await runs.start()
    expect(runs.sorted.map((r) => r.id)).toEqual([2, 3, 1])
  })

  it('subscribes once however often it starts', async () => {
    const runs = useRunsStore()
    await runs.start()
    await runs.start()
    expect(api.listenerCount('runs:changed')).toBe(1)
    expect(api.listenerCount('trainer:steps')).toBe(1)
    runs.stop()
    expect(api.listenerCount('runs:changed')).toBe(0)
  })

  it('adds and updates runs from runs:changed', async () => {
    const runs = useRunsStore()
    await runs.start()
    api.emit('runs:changed', summary({ id: 4, name: 'fresh', createdAt: 400, status: 'queued' }))
    expect(runs.sorted[0]).toMatchObject({ id: 4, name: 'fresh', status: 'queued' })

    await runs.select(4)
    api.emit('runs:changed', summary({ id: 4, name: 'fresh', createdAt: 400, status: 'diverged', statusMessage: 'NaN at step 12' }))
    expect(runs.runs).toHaveLength(4)
    expect(runs.selected).toMatchObject({ status: 'diverged', statusMessage: 'NaN at step 12' })
    expect(runs.detail?.summary.status).toBe('diverged')
  })

  it('drops a deleted run and clears the selection when it was selected', async () => {
    const runs = useRunsStore()
    await runs.start()
    await runs.select(2)
    expect(runs.detail?.summary.id).toBe(2)
    expect(useTrainerStore().runs[2]).toBeDefined()

    api.emit('runs:deleted', { id: 2 })
    expect(runs.runs.map((r) => r.id)).toEqual([1, 3])
    expect(runs.selectedId).toBeNull()
    expect(runs.detail).toBeNull()
    expect(useTrainerStore().runs[2]).toBeUndefined()
  })

  it('keeps the detail of the run selected last when an earlier request answers late', async () => {
    let release: () => void = () => {}
    api.handlers['runs:get'] = async ({ id }) => {
      if (id === 1) await new Promise<void>((r) => (release = r))
      return detail(summary({ id }))
    }
    const runs = useRunsStore()
    const slow = runs.select(1)
    await runs.select(2)
    release()
    await slow
    expect(runs.selectedId).toBe(2)
    expect(runs.detail?.summary.id).toBe(2)
  })

  it('creates a run and rethrows the LabError for the form', async () => {
    const runs = useRunsStore()
    api.handlers['runs:create'] = ({ config: c }) => summary({ id: 9, name: c.name })
    const created = await runs.create(config({ name: 'new one' }))
    expect(created.id).toBe(9)
    expect(runs.runs.map((r) => r.id)).toContain(9)

    api.handlers['runs:create'] = () => {
      throw new LabError('INVALID_CONFIG', 'bad', [{ field: 'name', message: 'taken' }])
    }
    await expect(runs.create(config())).rejects.toMatchObject({ code: 'INVALID_CONFIG' })
  })

  it('stops and deletes through the API, reporting failures', async () => {
    const runs = useRunsStore()
    await runs.start()
    api.handlers['runs:stop'] = ({ id }) => summary({ id, createdAt: 300, status: 'stopped' })
    await runs.stopRun(2)
    expect(runs.runs.find((r) => r.id === 2)?.status).toBe('stopped')

    api.handlers['runs:delete'] = () => {
      throw new LabError('CONFLICT', 'Run 3 is still running')
    }
    await runs.remove(3)
    expect(runs.runs.map((r) => r.id)).toContain(3)
    expect(runs.error).toMatch(/still running/)

    api.handlers['runs:delete'] = ({ id }) => ({ id })
    await runs.remove(3)
    await flushPromises()
    expect(runs.runs.map((r) => r.id)).not.toContain(3)
  })
})
