// `npm start` on a new machine: the prestart step finds or fetches Electron's binary, and
// where the download fails it says what is missing and how to provide it (checked here short
// of the download itself, and once with the real install.js against an unreachable mirror).
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ensureElectron } from '../../scripts/ensure-electron'

const root = resolve(__dirname, '../..')

function fakeElectron(installed: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'electron-pkg-'))
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'electron', version: '45.4.1' }))
  if (installed) install(dir)
  return dir
}

function install(dir: string): void {
  mkdirSync(join(dir, 'dist'), { recursive: true })
  writeFileSync(join(dir, 'dist', 'electron'), '')
  writeFileSync(join(dir, 'path.txt'), 'electron')
}

describe('ensure-electron (prestart)', () => {
  it('uses an installed binary without downloading', () => {
    const dir = fakeElectron(true)
    const check = ensureElectron({ electronDir: dir, env: {}, platform: 'linux', arch: 'x64', runInstall: () => { throw new Error('must not download') } })
    expect(check).toEqual({ ok: true, executable: join(dir, 'dist', 'electron'), fetched: false })
  })

  it("fetches a missing binary with the electron package's own install.js", () => {
    const dir = fakeElectron(false)
    const scripts: string[] = []
    const check = ensureElectron({ electronDir: dir, env: {}, platform: 'linux', arch: 'x64', runInstall: (script) => (scripts.push(script), install(dir), { status: 0, stderr: '' }) })
    expect(scripts).toEqual([join(dir, 'install.js')])
    expect(check).toEqual({ ok: true, executable: join(dir, 'dist', 'electron'), fetched: true })
  })

  it('names what is missing, why the download failed and three ways to provide it', () => {
    const dir = fakeElectron(false)
    const check = ensureElectron({ electronDir: dir, env: {}, platform: 'linux', arch: 'x64', runInstall: () => ({ status: 1, stderr: 'TypeError: fetch failed\n    at FetchDownloader.download' }) })
    expect(check.ok).toBe(false)
    const message = check.ok ? '' : check.message
    expect(message).toContain("Electron 45.4.1's binary for linux-x64 is not installed, and downloading it failed (TypeError: fetch failed)")
    expect(message).toContain('electron-v45.4.1-linux-x64.zip once, from https://github.com/electron/electron/releases/download/')
    expect(message).toMatch(/ELECTRON_MIRROR=\S+ npm start/)
    expect(message).toMatch(/ELECTRON_EXEC_PATH=\/that\/folder\/electron npm start/)
    expect(message).toContain('npm run serve')
    expect(message).not.toContain('Electron uninstall')
  })

  it('takes ELECTRON_EXEC_PATH (which electron-vite honours) and refuses one that does not exist', () => {
    const dir = fakeElectron(false)
    const exe = join(fakeElectron(true), 'dist', 'electron')
    expect(ensureElectron({ electronDir: dir, env: { ELECTRON_EXEC_PATH: exe } })).toEqual({ ok: true, executable: exe, fetched: false })
    const missing = ensureElectron({ electronDir: dir, env: { ELECTRON_EXEC_PATH: '/nowhere/electron' } })
    expect(missing).toMatchObject({ ok: false, message: expect.stringContaining('ELECTRON_EXEC_PATH names /nowhere/electron, which does not exist') })
  })

  it('runs before npm start and npm run dev, and against an unreachable mirror exits 1 with the message', async () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    expect(pkg.scripts.prestart).toBe('tsx scripts/ensure-electron.ts')
    expect(pkg.scripts.predev).toBe('tsx scripts/ensure-electron.ts')
    const electronDir = dirname(require.resolve('electron/package.json', { paths: [root] }))
    const installed = ensureElectron({ electronDir, runInstall: () => ({ status: 1, stderr: '' }) }).ok
    const env = { ...process.env, ELECTRON_MIRROR: 'http://127.0.0.1:9/', ELECTRON_EXEC_PATH: '', electron_config_cache: mkdtempSync(join(tmpdir(), 'electron-cache-')) }
    const run = await new Promise<{ code: number; stderr: string }>((done) =>
      execFile(process.execPath, ['--import', 'tsx', join(root, 'scripts/ensure-electron.ts')], { cwd: root, env }, (err, _stdout, stderr) =>
        done({ code: err ? Number(err.code) : 0, stderr })
      )
    )
    if (installed) {
      expect(run.code).toBe(0)
    } else {
      expect(run.code).toBe(1)
      expect(run.stderr).toMatch(/^GAN Workbench cannot start: Electron \d+\.\d+\.\d+'s binary for \w+-\w+ is not installed, and downloading it failed/)
      expect(run.stderr).toContain('from http://127.0.0.1:9/')
    }
  })
})
