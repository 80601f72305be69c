// The help is generated from the commands' option declarations: the list of commands, and for
// export-figure exactly what the command and the figures:export schema accept.
import { describe, expect, it } from 'vitest'
import { figureRequestSchema } from '../../src/shared/api'
import { COMMANDS } from '../../src/cli/commands'
import { FIGURE_FIELD_FLAGS } from '../../src/cli/commands/export-figure'
import { ENTRY, cli, spawnCli } from './run-cli'

describe('gan-workbench --help', () => {
  it('lists every command on one line, and an unknown command exits 2', async () => {
    const res = await cli(['--help'])
    expect(res.code).toBe(0)
    const names = ['train', 'sweep', 'serve', 'export-bundle', 'import-bundle', 'export-figure', 'export-generator', 'sample', 'explore', 'import-dataset', 'datasets', 'train-classifier', 'score']
    expect(COMMANDS.map((c) => c.name)).toEqual(names)
    for (const name of names) expect(res.stdout).toMatch(new RegExp(`^  ${name} +\\S.*$`, 'm'))
    expect((await cli([])).stdout).toBe(res.stdout)
    const unknown = await cli(['trian'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('error: there is no command "trian"')
  })

  it('gives each command its own options, every declared one and no other', async () => {
    for (const c of COMMANDS) {
      const help = await cli([c.name, '--help'])
      expect(help.code).toBe(0)
      expect(help.stdout).toMatch(new RegExp(`^Usage: gan-workbench ${c.name} `))
      const listed = [...help.stdout.matchAll(/^ {2}(--[a-z0-9-]+)/gm)].map((m) => m[1])
      expect(listed).toEqual([...Object.keys(c.options).map((o) => `--${o}`), '--help'])
    }
    expect((await cli(['help', 'score'])).stdout).toBe((await cli(['score', '-h'])).stdout)
  })

  it('documents for export-figure every figure kind of the schema and, per flag, the kinds it applies to', async () => {
    const { stdout } = await cli(['export-figure', '--help'])
    const kinds = figureRequestSchema.options.map((o) => o.shape.kind.value)
    expect(kinds).toContain('scores')
    const flat = stdout.replace(/\s+/g, ' ')
    expect(flat).toContain(`--kind KIND what the figure shows (${kinds.join(' | ')}; default: chart)`)
    expect(flat).toContain('--format FORMAT the file format (svg | pdf; default: svg)')
    expect(flat).toContain('--score NAME [scores] the score plotted per epoch (fid | classifierScore')
    expect(flat).toContain('--x AXIS [chart, comparison] the x axis')
    expect(flat).toContain('--no-caption [chart, grid-row, comparison, scores] no caption')
    // Every field of every kind has a flag (the runs come from --run), so the CLI accepts what the schema does.
    const flagged = new Set([...Object.values(FIGURE_FIELD_FLAGS).map((f) => f.field), 'kind', 'id', 'ids'])
    for (const o of figureRequestSchema.options) for (const field of Object.keys(o.shape)) expect(flagged, `${o.shape.kind.value}.${field}`).toContain(field)
  })

  it('runs as a program only when started as one: exit codes 0 for help and 2 for a refusal', async () => {
    const help = await spawnCli(['--import', 'tsx', ENTRY], ['export-figure', '--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toBe((await cli(['export-figure', '--help'])).stdout)
    const refused = await spawnCli(['--import', 'tsx', ENTRY], ['export-bundle', '--checkpoints', 'some'])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toBe('error: export-bundle needs --run ID\n')
  })
})
