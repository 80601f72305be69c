// The runtime layers are a lint rule, not a habit: each case below is an import that would
// break a runtime (tfjs in Electron's main process, zod in a sandboxed preload, node in the
// renderer), and the project's own ESLint configuration must refuse it; the allowed
// imports next to them must pass.
import { resolve } from 'node:path'
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const eslint = new ESLint({ cwd: resolve(__dirname, '../..') })

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(__dirname, '../..', filePath) })
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message)
}

describe('runtime layers', () => {
  it.each([
    ['src/preload/bridge.ts', "export { z } from 'zod'"],
    ['src/preload/bridge.ts', "export { requestSchemas } from '@shared/api'"],
    ['src/main/services/thing.ts', "export { tf } from '../trainer/tf'"],
    ['src/main/services/thing.ts', "export * as tf from '@tensorflow/tfjs'"],
    ['src/main/thing.ts', "export { Worker } from 'node:worker_threads'"],
    ['src/cli/thing.ts', "export { trainGan } from '../main/trainer/train'"],
    ['src/main/trainer/thing.ts', "export { app } from 'electron'"],
    ['src/main/trainer/thing.ts', "export { RunsRepo } from '../db/repos/runs'"],
    ['src/main/common/thing.ts', "export { tf } from '../trainer/tf'"],
    ['src/shared/thing.ts', "export { readFileSync } from 'node:fs'"],
    ['src/shared/thing.ts', "export { readFileSync } from 'fs'"],
    ['src/renderer/src/thing.ts', "export { Lab } from '../../main/services/lab'"],
    ['src/renderer/src/thing.ts', "export { ipcRenderer } from 'electron'"]
  ])('%s refuses %s', async (file, code) => {
    expect(await restrictedImports(file, code)).toHaveLength(1)
  })

  it.each([
    ['src/preload/bridge.ts', "export { CHANNELS } from '@shared/channels'"],
    ['src/preload/bridge.ts', "export { contextBridge } from 'electron'"],
    ['src/main/services/thing.ts', "export { planeBase } from '../common/plane'"],
    ['src/main/trainer/thing.ts', "export { mulberry32 } from '../common/random'"],
    ['src/main/trainer/thing.ts', "export { tf } from './tf'"],
    ['src/renderer/src/thing.ts', "export { PRESETS } from '@shared/config'"]
  ])('%s allows %s', async (file, code) => {
    expect(await restrictedImports(file, code)).toEqual([])
  })
})
