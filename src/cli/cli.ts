// The command line as a function: finds the command in the table, prints help generated from its
// declarations, and turns a refusal into a message on stderr and exit code 2.
import { PRESET_IDS } from '@shared/config'
import { LabError } from '@shared/errors'
import { defaultDataDir } from '../main/paths'
import { commandHelp, consoleIo, type CliIo } from './command'
import { COMMANDS } from './commands'

export const PROGRAM = 'gan-workbench'
export type { CliIo } from './command'

export function topLevelHelp(): string {
  const column = Math.max(...COMMANDS.map((c) => c.name.length)) + 2
  return [
    'GAN Workbench command line',
    '',
    `Usage: ${PROGRAM} COMMAND [options]     (from a checkout: npm run cli -- COMMAND [options])`,
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(column)}${c.summary}`),
    '',
    `${PROGRAM} COMMAND --help lists the options of a command.`,
    'npm run train -- [options] is train, npm run serve -- [options] builds the renderer and serves.',
    `Without --data-dir the app's own data folder is used (${defaultDataDir()}).`,
    `Presets: ${PRESET_IDS.join(', ')}`
  ].join('\n')
}

/**
 * Runs one command line (the arguments after the program) and resolves to its exit code: 0 done,
 * 1 a run that did not complete, 2 refused. Output goes to `io` (the console by default).
 */
export async function runCli(argv: string[], io: CliIo = consoleIo): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const about = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined
    io.out(about ? commandHelp(about, PROGRAM) : topLevelHelp())
    return 0
  }
  const command = COMMANDS.find((c) => c.name === name)
  if (!command) {
    io.err(`error: there is no command "${name}"`)
    io.out(topLevelHelp())
    return 2
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(commandHelp(command, PROGRAM))
    return 0
  }
  try {
    return await command.run(rest, io)
  } catch (err) {
    if (err instanceof LabError && err.code === 'INVALID_CONFIG' && err.issues && err.issues.length > 0) {
      io.err(`error: the run config is invalid:\n${err.issues.map((i) => `  ${i.field}: ${i.message}`).join('\n')}`)
    } else {
      io.err(`error: ${err instanceof Error ? err.message : String(err)}`)
    }
    return 2
  }
}
