// Command line: `train` runs one GAN headless and stores it like any run started in the lab,
// `serve` serves the lab to a browser, the other commands import, export, score and explore; all
// through the same Lab as the desktop app. Run as a program it exits with the command's code;
// imported (tests, bin.cjs) it only exports runCli.
import { resolve } from 'node:path'
import { runCli } from './cli'

export { runCli, topLevelHelp, type CliIo } from './cli'

/** Runs the command line of this process and exits with its code (open handles of the Lab would keep it alive). */
export function main(): void {
  void runCli(process.argv.slice(2)).then((code) => process.exit(code))
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === __filename) main()
