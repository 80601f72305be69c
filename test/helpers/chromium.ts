// Debian's Chromium for the end-to-end tests: where it is, and one way to launch it.
import { existsSync } from 'node:fs'
import { chromium, type Browser } from 'playwright-core'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const haveChromium = existsSync(CHROMIUM)

/** On CI a missing Chromium is an error; elsewhere the suite says it is skipped. */
export function requireChromiumOnCi(): void {
  if (haveChromium) return
  if (process.env.CI) throw new Error(`Chromium not found at ${CHROMIUM}; .ci/run installs it with apt-get`)
  console.warn(`SKIPPED: end-to-end tests need Chromium at ${CHROMIUM} (apt-get install chromium)`)
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
  })
}
