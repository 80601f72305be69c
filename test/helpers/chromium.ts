// Debian's Chromium for the end-to-end tests: where it is, and one way to launch it.
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { startLabServer, type RunningLabServer } from '../../src/main/server/lab-server'
import type { Lab } from '../../src/main/services/lab'

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

export interface LabInBrowser {
  server: RunningLabServer
  browser: Browser
  page: Page
  close(): Promise<void>
}

/**
 * Serves the built renderer for `lab` and opens a new Chromium page on it (unless `open` is
 * false, for callers that prepare the page first); page errors go to the log.
 */
export async function openLabInBrowser(lab: Lab, opts: { viewport?: { width: number; height: number }; open?: boolean } = {}): Promise<LabInBrowser> {
  const server = await startLabServer({ lab, rendererDir: resolve(__dirname, '../../out/renderer'), port: 0 })
  const browser = await launchChromium()
  const page = await browser.newPage(opts.viewport ? { viewport: opts.viewport } : {})
  page.on('pageerror', (err) => console.error('page error:', err.message))
  if (opts.open !== false) await page.goto(server.url)
  return {
    server,
    browser,
    page,
    async close() {
      await browser.close()
      await server.close()
    }
  }
}

/** The longest main-thread task (ms) since the page loaded or since the last reset. */
export async function watchLongTasks(page: Page): Promise<{ longest(): Promise<number>; reset(): Promise<void> }> {
  await page.addInitScript(() => {
    const w = window as unknown as { longest: number }
    w.longest = 0
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.longest = Math.max(w.longest, e.duration)
    }).observe({ type: 'longtask', buffered: true })
  })
  return {
    longest: () => page.evaluate(() => Math.round((window as unknown as { longest: number }).longest)),
    reset: () => page.evaluate(() => void ((window as unknown as { longest: number }).longest = 0))
  }
}
