import { describe, expect, it } from 'vitest'
import { PRESETS, runConfigSchema, type RunConfig } from '../../src/shared/config'
import {
  CONFIG_FILE_FORMAT,
  MAX_CONFIG_FILE_BYTES,
  configFileName,
  parseConfigFile,
  serializeConfigFile
} from '../../src/shared/config-file'
import { LabError } from '../../src/shared/errors'
import { mulberry32 } from '../../src/main/common/random'

const config: RunConfig = runConfigSchema.parse({
  ...PRESETS['mnist-dcgan'].defaults,
  name: 'SGD vs Adam / run 1',
  seed: 42,
  tricks: { ...PRESETS['mnist-dcgan'].defaults.tricks, realLabel: { min: 0.7, max: 1.2 } }
})

function refusal(text: string): LabError {
  try {
    parseConfigFile(text)
  } catch (err) {
    if (err instanceof LabError) return err
    throw err
  }
  throw new Error('the file was accepted')
}

describe('saved run config files', () => {
  it('round-trips a config through its file', () => {
    expect(parseConfigFile(serializeConfigFile(config))).toEqual(config)
  })

  it('accepts a bare config object, as runs:get shows it, and a UTF-8 BOM', () => {
    expect(parseConfigFile('\uFEFF' + JSON.stringify(config))).toEqual(config)
  })

  it('names a file after the run, safely', () => {
    expect(configFileName(config)).toBe('SGD-vs-Adam-run-1.config.json')
    expect(configFileName({ name: '../../..' })).toBe('run.config.json')
    expect(configFileName({ name: '///' })).toBe('run.config.json')
  })

  it.each([
    ['not JSON', '{"format":', /not JSON/],
    ['an array', '[1,2]', /holds an array/],
    ['a number', '42', /holds a number/],
    ['another format', JSON.stringify({ format: 'something-else', version: 1, config }), /Unknown file format "something-else"/],
    ['a newer version', JSON.stringify({ format: CONFIG_FILE_FORMAT, version: 7, config }), /newer GAN Workbench \(format version 7/],
    ['no config', JSON.stringify({ format: CONFIG_FILE_FORMAT, version: 1 }), /no "config" field/],
    ['an oversized file', ' '.repeat(MAX_CONFIG_FILE_BYTES + 1), /at most 65536 bytes/]
  ])('refuses %s with a message', (_what, text, message) => {
    expect(refusal(text).message).toMatch(message)
  })

  it('names every field at fault: an unknown field, a wrong type, an impossible value', () => {
    const bad = { ...config, batchSize: 'many', epochs: 0, optimizerD: { ...config.optimizerD, lr: -1 }, colour: 'blue' }
    const err = refusal(serializeConfigFile(bad as unknown as RunConfig))
    expect(err.code).toBe('INVALID_CONFIG')
    const fields = (err.issues ?? []).map((i) => i.field).sort()
    expect(fields).toEqual(['(config)', 'batchSize', 'epochs', 'optimizerD.lr'])
    expect(err.message).toContain('config.optimizerD.lr')
  })

  it('either reads or refuses with a LabError every one of 3000 mutated files, never anything else', () => {
    const original = Buffer.from(serializeConfigFile(config))
    const random = mulberry32(20261123)
    let accepted = 0
    for (let i = 0; i < 3000; i++) {
      const bytes = Buffer.from(original)
      const edits = 1 + Math.floor(random() * 8)
      for (let e = 0; e < edits; e++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256)
      const cut = random() < 0.2 ? Math.floor(random() * bytes.length) : bytes.length
      const text = bytes.subarray(0, cut).toString('utf8')
      try {
        const read = parseConfigFile(text)
        // Whatever was accepted is a valid config.
        expect(runConfigSchema.safeParse(read).success).toBe(true)
        accepted++
      } catch (err) {
        expect(err).toBeInstanceOf(LabError)
        expect((err as LabError).message.length).toBeGreaterThan(10)
      }
    }
    // Mutations inside string values (the name) keep a file valid; most break it.
    expect(accepted).toBeGreaterThan(0)
    expect(accepted).toBeLessThan(3000)
  })
})
