// The build output (out/), as Electron and the packager see it.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'

export const ROOT = resolve(__dirname, '../..')
export const OUT = join(ROOT, 'out')

/** The path of a built file; a clear error when the build has not run. */
export function built(file: string): string {
  const path = join(OUT, file)
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` (test:e2e does) before these checks`)
  return path
}

/** Every module a built file requires, following its relative requires into chunks: bare names, each with the file that requires it. */
export function requireGraph(entry: string): Map<string, string> {
  const bare = new Map<string, string>()
  const seen = new Set<string>()
  const visit = (file: string): void => {
    if (seen.has(file)) return
    seen.add(file)
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(/require\(\s*["'`]([^"'`]+)["'`]\s*\)/g)) {
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.endsWith('.js') ? spec : `${spec}.js`))
      else if (!bare.has(spec)) bare.set(spec, file)
    }
  }
  visit(entry)
  return bare
}
