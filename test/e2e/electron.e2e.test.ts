// The packaged path: the built app in a real Electron window, driven by Playwright.
// Electron's binary is fetched on first start (npm start); where it is not there (the build
// machines cannot download it) this test says it is skipped, and why. ELECTRON_EXEC_PATH
// points it at an unpacked Electron, as it does npm start.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { _electron as electron } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { ensureElectron } from '../../scripts/ensure-electron'
import { lockHolder } from '../../src/main/data-lock'
import { built, ROOT } from '../helpers/built'

const check = ensureElectron({
  electronDir: dirname(require.resolve('electron/package.json', { paths: [ROOT] })),
  runInstall: () => ({ status: 1, stderr: 'tests do not download Electron' })
})
if (!check.ok) console.warn('SKIPPED: Electron end-to-end test: the Electron binary is not on this machine (npm start fetches it; these machines cannot)')

describe.skipIf(!check.ok)('the Electron app', () => {
  it('opens a window that shows the runs list through the sandboxed preload bridge, holding the data folder', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'electron-e2e-'))
    const app = await electron.launch({
      executablePath: check.ok ? check.executable : '',
      args: [built('main/index.js'), '--no-sandbox'],
      env: { ...process.env, GAN_WORKBENCH_DATA: dataDir }
    })
    try {
      const win = await app.firstWindow()
      await win.getByTestId('runs-list').waitFor()
      expect(await win.evaluate(() => typeof (globalThis as unknown as { labBridge?: unknown }).labBridge)).toBe('object')
      expect(await win.evaluate(() => typeof (globalThis as unknown as { require?: unknown }).require)).toBe('undefined')
      expect(lockHolder(dataDir)).toMatchObject({ program: 'the desktop app' })
    } finally {
      await app.close()
    }
  })
})
