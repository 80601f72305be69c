// Debian's Chromium for the end-to-end tests: where it is, how to launch it, and a lab served to it.
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { startLabServer, type RunningLabServer } from '../../src/main/server/lab-server'
import { Lab } from '../../src/main/services/lab'
import { forkLauncher } from '../../src/main/trainer-host/fork-launcher'

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

export interface BrowserLab {
  lab: Lab
  server: RunningLabServer
  browser: Browser
  page: Page
  close(): Promise<void>
}

/**
 * A Lab in a temp folder, prepared by `prepare` (runs trained headless...), served by the lab
 * server from the built renderer, and a Chromium page open on it.
 */
export async function startBrowserLab(name: string, prepare: (lab: Lab) => Promise<void>): Promise<BrowserLab> {
  const lab = new Lab({ dataDir: mkdtempSync(join(tmpdir(), `e2e-${name}-`)), launcher: forkLauncher(), version: 'e2e', transport: 'websocket' })
  await prepare(lab)
  const server = await startLabServer({ lab, rendererDir: resolve(__dirname, '../../out/renderer'), port: 0 })
  const browser = await launchChromium()
  const page = await browser.newPage()
  page.on('pageerror', (err) => console.error('page error:', err.message))
  await page.goto(server.url)
  return {
    lab,
    server,
    browser,
    page,
    close: async () => {
      await browser.close()
      await server.close()
      lab.close()
    }
  }
}
