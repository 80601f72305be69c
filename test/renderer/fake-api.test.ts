// The renderer tests' fake back end checks every request against the real request schemas and
// refuses as the IPC handler and the lab server do; a test that leaves a refusal untaken fails.
import { describe, expect, it } from 'vitest'
import { useFakeLab } from './helpers/app'
import { untakenRefusals } from './helpers/fake-api'
import { detail, summary } from './helpers/fixtures'

const lab = useFakeLab(() => ({ 'runs:get': ({ id }) => detail(summary({ id })), 'runs:create': ({ config }) => summary({ name: config.name }) }))

describe('FakeLabApi', () => {
  it('refuses a request the schema refuses, naming the field, before any handler runs', async () => {
    await expect(lab.api.call('runs:get', { id: 'x' } as never)).rejects.toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringMatching(/^Invalid runs:get request: id: /) })
    await expect(lab.api.call('runs:create', { config: { name: '' } } as never)).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      issues: expect.arrayContaining([{ field: 'config.name', message: 'must not be empty' }])
    })
    expect(lab.api.takeRefused()).toHaveLength(2)
    expect((await lab.api.call('runs:get', { id: 3 })).summary.id).toBe(3)
  })

  it('keeps the refusals no test took for the set-up to fail on', async () => {
    await expect(lab.api.call('runs:get', {} as never)).rejects.toThrow('Invalid runs:get request')
    expect(untakenRefusals()).toEqual([expect.stringMatching(/^Invalid runs:get request: id: /)])
    expect(untakenRefusals()).toEqual([])
  })
})
