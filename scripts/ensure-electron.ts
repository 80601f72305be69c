// `npm start`'s first step (prestart): makes sure Electron's binary is there. Electron 45
// downloads it lazily and electron-vite only reads node_modules/electron/path.txt, so a fresh
// `npm install` starts with no binary and electron-vite's bare "Electron uninstall". Here the
// binary is fetched the supported way (the electron package's own install.js, which honours
// ELECTRON_MIRROR and Electron's download cache) and, where that fails, the message says what
// is missing and how to provide it.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

export type ElectronCheck = { ok: true; executable: string; fetched: boolean } | { ok: false; message: string }

export interface EnsureOptions {
  /** The electron package folder (node_modules/electron). */
  electronDir: string
  env?: NodeJS.ProcessEnv
  platform?: NodeJS.Platform
  arch?: string
  /** Runs the package's install.js; returns its exit status and what it printed on stderr. */
  runInstall?: (installScript: string) => { status: number | null; stderr: string }
}

/** The executable's path below dist/, as electron's install.js writes it into path.txt. */
function platformPath(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron'
  if (platform === 'win32') return 'electron.exe'
  return 'electron'
}

function installedExecutable(electronDir: string): string | null {
  const pathFile = join(electronDir, 'path.txt')
  if (!existsSync(pathFile)) return null
  const executable = join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim())
  return existsSync(executable) ? executable : null
}

const defaultInstall = (installScript: string): { status: number | null; stderr: string } => {
  const result = spawnSync(process.execPath, [installScript], { encoding: 'utf8', stdio: ['ignore', 'inherit', 'pipe'] })
  return { status: result.status, stderr: result.stderr ?? String(result.error ?? '') }
}

export function ensureElectron(opts: EnsureOptions): ElectronCheck {
  const env = opts.env ?? process.env
  const platform = opts.platform ?? process.platform
  const arch = opts.arch ?? process.arch
  const override = env.ELECTRON_EXEC_PATH
  if (override) {
    return existsSync(override)
      ? { ok: true, executable: override, fetched: false }
      : { ok: false, message: `ELECTRON_EXEC_PATH names ${override}, which does not exist. Point it at an unpacked Electron's executable, or unset it to download Electron.` }
  }
  const present = installedExecutable(opts.electronDir)
  if (present) return { ok: true, executable: present, fetched: false }

  const version = (JSON.parse(readFileSync(join(opts.electronDir, 'package.json'), 'utf8')) as { version: string }).version
  const zip = `electron-v${version}-${platform}-${arch}.zip`
  const mirror = env.ELECTRON_MIRROR ?? 'https://github.com/electron/electron/releases/download/'
  console.log(`Fetching Electron ${version} for ${platform}-${arch} (first start only): ${mirror}${env.ELECTRON_MIRROR ? '' : `v${version}/`}${zip}`)
  const installed = (opts.runInstall ?? defaultInstall)(join(opts.electronDir, 'install.js'))
  const fetched = installed.status === 0 ? installedExecutable(opts.electronDir) : null
  if (fetched) return { ok: true, executable: fetched, fetched: true }

  const reason = installed.stderr.split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? `install.js exited with ${installed.status}`
  return {
    ok: false,
    message: [
      `GAN Workbench cannot start: Electron ${version}'s binary for ${platform}-${arch} is not installed, and downloading it failed (${reason}).`,
      `Electron fetches ${zip} once, from ${mirror}${env.ELECTRON_MIRROR ? '' : ` (set ELECTRON_MIRROR to use another server)`}. To provide it:`,
      `  - from a mirror your network reaches:  ELECTRON_MIRROR=https://your.mirror/electron/ npm start`,
      `  - from a copy of ${zip}: unpack it into a folder and run  ELECTRON_EXEC_PATH=/that/folder/${platformPath(platform)} npm start`,
      `  - through a proxy: set HTTPS_PROXY (Electron's downloader honours it) and run npm start again`,
      `Without Electron the same lab runs in a browser:  npm run serve`
    ].join('\n')
  }
}

// Run as a script (prestart): exit 0 with the binary in place, or 1 with the message.
const invokedDirectly = process.argv[1] !== undefined && /ensure-electron\.[cm]?[jt]s$/.test(process.argv[1])
if (invokedDirectly) {
  const require = createRequire(import.meta.url)
  const check = ensureElectron({ electronDir: dirname(require.resolve('electron/package.json')) })
  if (check.ok) {
    if (check.fetched) console.log(`Electron is ready: ${check.executable}`)
  } else {
    console.error(check.message)
    process.exit(1)
  }
}
