// The packaged path: the built app in a real Electron window, driven by Playwright.
// Electron's binary is downloaded on first launch; where that download is impossible
// (the build machines) this test says it is skipped, and why.
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { _electron as electron } from 'playwright-core'
import { describe, expect, it } from 'vitest'

const root = resolve(__dirname, '../..')
const pkgDir = join(root, 'node_modules', 'electron')
const pathFile = join(pkgDir, 'path.txt')
const binary = existsSync(pathFile) ? join(pkgDir, 'dist', readFileSync(pathFile, 'utf8').trim()) : null
const haveElectron = binary !== null && existsSync(binary)
if (!haveElectron) console.warn('SKIPPED: Electron end-to-end test: the Electron binary is not downloaded on this machine (it cannot be fetched here)')

describe.skipIf(!haveElectron)('the Electron app', () => {
  it('opens a window that shows the runs list through the preload bridge', async () => {
    const app = await electron.launch({ executablePath: binary!, args: [join(root, 'out/main/index.js'), '--no-sandbox'], env: { ...process.env, GAN_WORKBENCH_DATA: join(root, '.tmp', 'electron-e2e') } })
    try {
      const win = await app.firstWindow()
      await win.getByTestId('runs-list').waitFor()
      expect(await win.evaluate(() => typeof (globalThis as unknown as { labBridge?: unknown }).labBridge)).toBe('object')
      expect(await win.evaluate(() => typeof (globalThis as unknown as { require?: unknown }).require)).toBe('undefined')
    } finally {
      await app.close()
    }
  })
})
