// A CLI command declares its options once (type, default, value placeholder, one-line
// description); node's parseArgs parses with that table and the help text is generated from it.
import { parseArgs } from 'node:util'

/** Where a command writes: lines to stdout and stderr, and a status line rewritten in place. */
export interface CliIo {
  out(line: string): void
  err(line: string): void
  /** Rewrites the status line on stderr; '' ends it. Absent: no status line. */
  progress?(text: string): void
}

export const consoleIo: CliIo = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  progress: (text) => process.stderr.write(text === '' ? '\n' : `\r${text}`)
}

export interface StringOption {
  type: 'string'
  /** The value's placeholder in the help: N, ID, FILE. */
  value: string
  description: string
  default?: string
  /** A default the command or the schema applies, for the help only: 'a random one', 'fid'. */
  shownDefault?: string
  multiple?: boolean
  /** The values the option takes, listed in the help (the command or the schema checks them). */
  choices?: readonly string[]
}

export interface BooleanOption {
  type: 'boolean'
  description: string
  default?: boolean
}

export type OptionSpec = StringOption | BooleanOption
export type Options = Record<string, OptionSpec>

type ValueOf<S extends OptionSpec> = S extends BooleanOption
  ? S extends { default: boolean }
    ? boolean
    : boolean | undefined
  : S extends { multiple: true }
    ? string[] | undefined
    : S extends { default: string }
      ? string
      : string | undefined

export type Values<O extends Options> = { [K in keyof O]: ValueOf<O[K]> }

export interface CommandContext<O extends Options> {
  values: Values<O>
  positionals: string[]
  /** The arguments as given, for commands that refuse flags by combination. */
  argv: string[]
  io: CliIo
}

export interface CommandSpec<O extends Options> {
  name: string
  /** One line for the list of commands. */
  summary: string
  /** What follows the command's name in the usage line, e.g. '--run ID [options]'; one per form. */
  synopsis: string | string[]
  /** Positional arguments, e.g. 'FILE [LABELS_FILE]'; without it positionals are refused. */
  positionals?: string
  options: O
  /** Paragraphs after the options. */
  notes?: string[]
  run(ctx: CommandContext<O>): Promise<number> | number
}

/** A command as the table holds it: its declarations for the help and a run that parses. */
export interface Command {
  name: string
  summary: string
  synopsis: string | string[]
  positionals?: string
  options: Options
  notes: string[]
  run(argv: string[], io: CliIo): Promise<number>
}

export function defineCommand<const O extends Options>(spec: CommandSpec<O>): Command {
  return {
    name: spec.name,
    summary: spec.summary,
    synopsis: spec.synopsis,
    positionals: spec.positionals,
    options: spec.options,
    notes: spec.notes ?? [],
    run: async (argv, io) => {
      const { values, positionals } = parseArgs({
        args: argv,
        strict: true,
        allowPositionals: spec.positionals !== undefined,
        options: parseArgsOptions(spec.options)
      })
      return spec.run({ values: values as Values<O>, positionals, argv, io })
    }
  }
}

type ParseArgsOptions = NonNullable<Parameters<typeof parseArgs>[0]>['options']

function parseArgsOptions(options: Options): ParseArgsOptions {
  const out: NonNullable<ParseArgsOptions> = {}
  for (const [name, o] of Object.entries(options)) {
    out[name] =
      o.type === 'boolean'
        ? { type: 'boolean', ...(o.default !== undefined ? { default: o.default } : {}) }
        : { type: 'string', ...(o.multiple ? { multiple: true } : {}), ...(o.default !== undefined ? { default: o.default } : {}) }
  }
  return out
}

/** The --data-dir every command takes. */
export const dataDirOption = { type: 'string', value: 'DIR', description: 'the data folder', shownDefault: "the app's own, see gan-workbench --help" } as const

/** The names of the --flags given. */
export function flagsOf(argv: string[]): string[] {
  return argv.filter((a) => a.startsWith('--')).map((a) => a.slice(2).split('=')[0])
}

const WIDTH = 100

/** Words of `text` in lines of at most `width - indent` characters, every line but the first indented. */
export function wrap(text: string, indent: number, width = WIDTH): string {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== '' && indent + line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else line = line === '' ? word : `${line} ${word}`
  }
  lines.push(line)
  return lines.join(`\n${' '.repeat(indent)}`)
}

function optionLabel(name: string, o: OptionSpec): string {
  return o.type === 'boolean' ? `--${name}` : `--${name} ${o.value}${o.multiple ? ' ...' : ''}`
}

function optionText(o: OptionSpec): string {
  const extras = [
    ...(o.type === 'string' && o.choices ? [o.choices.join(' | ')] : []),
    ...(o.type === 'string' && (o.default ?? o.shownDefault) !== undefined ? [`default: ${o.default ?? o.shownDefault}`] : []),
    ...(o.type === 'string' && o.multiple ? ['may be repeated'] : [])
  ]
  return extras.length > 0 ? `${o.description} (${extras.join('; ')})` : o.description
}

/** The help of one command, generated from its declarations. */
export function commandHelp(c: Command, program: string): string {
  const labels = Object.entries(c.options).map(([name, o]) => optionLabel(name, o))
  // A label too long for the column (--instance-noise STD[:DECAY_EPOCHS]) takes a line of its own.
  const column = Math.max(8, ...labels.filter((l) => l.length <= 26).map((l) => l.length)) + 2
  const options = Object.values(c.options).map((o, i) => {
    const label = labels[i]
    const head = label.length + 2 > column ? `  ${label}\n${' '.repeat(column + 2)}` : `  ${label.padEnd(column)}`
    return head + wrap(optionText(o), column + 2)
  })
  const usage = (Array.isArray(c.synopsis) ? c.synopsis : [c.synopsis]).map((s, i) => `${i === 0 ? 'Usage:' : '      '} ${program} ${c.name} ${s}`)
  return [
    ...usage,
    '',
    wrap(c.summary, 0),
    ...(c.positionals ? ['', `Arguments: ${c.positionals}`] : []),
    '',
    'Options:',
    ...options,
    `  ${'--help'.padEnd(column)}this help`,
    ...c.notes.flatMap((n) => ['', wrap(n, 0)])
  ].join('\n')
}
