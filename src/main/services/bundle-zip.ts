// Run bundles, reading the zip: entry names and declared sizes checked before anything is
// inflated, the manifest and its hashes, and checkpoint files inflated only once a row and a
// model or optimizer JSON account for them.
import { unzipSync, type UnzipFileInfo } from 'fflate'
import { z } from 'zod'
import { describeIssues } from '@shared/config'
import { LabError } from '@shared/errors'
import { BUNDLE_FORMAT, BUNDLE_VERSION, FILE_ENTRY, isRunFileEntry, MANIFEST, manifestSchema, refuse, sha256, TABLE_ENTRY, type BundleLimits, type Manifest } from './bundle-format'

export interface ZipEntry {
  name: string
  originalSize: number
}

/**
 * Lists the zip's entries with every name and declared size checked, inflating none: only names
 * a bundle may hold, none twice, each and all together within the limits.
 */
export function listEntries(bytes: Uint8Array, limits: BundleLimits): Map<string, ZipEntry> {
  if (bytes.length > limits.maxBytes) refuse(`the file is ${bytes.length} bytes, over the limit of ${limits.maxBytes}`)
  const entries = new Map<string, ZipEntry>()
  let total = 0
  inflate(bytes, (file) => {
    if (entries.size >= limits.maxEntries) refuse(`it holds more than ${limits.maxEntries} entries`)
    if (file.name.endsWith('/')) return false
    if (file.name !== MANIFEST && !TABLE_ENTRY.test(file.name) && !FILE_ENTRY.test(file.name) && !isRunFileEntry(file.name)) {
      refuse(`it holds an entry a run bundle never has: ${JSON.stringify(file.name.slice(0, 120))}`)
    }
    // fflate would keep the last of two entries with one name; which one a reader sees must not be a guess.
    if (entries.has(file.name)) refuse(`it holds ${file.name} twice`)
    if (file.originalSize > limits.maxEntryBytes) refuse(`${file.name} would unpack to ${file.originalSize} bytes (limit ${limits.maxEntryBytes})`)
    total += file.originalSize
    if (total > limits.maxTotalBytes) refuse(`it would unpack to more than ${limits.maxTotalBytes} bytes`)
    entries.set(file.name, { name: file.name, originalSize: file.originalSize })
    return false
  })
  return entries
}

/**
 * Inflates the entries `want` accepts. fflate inflates each into a buffer of its declared size
 * and never grows it, so what was checked on the listing bounds the memory used.
 */
export function inflate(bytes: Uint8Array, want: (file: UnzipFileInfo) => boolean): Record<string, Uint8Array> {
  try {
    return unzipSync(bytes, { filter: want })
  } catch (err) {
    if (err instanceof LabError) throw err
    refuse(`it is not a readable zip file (${err instanceof Error ? err.message : String(err)})`)
  }
}

export function parseJson(name: string, data: Uint8Array | undefined): unknown {
  if (!data) refuse(`${name} is missing`)
  try {
    return JSON.parse(Buffer.from(data).toString('utf8'))
  } catch (err) {
    refuse(`${name} is not valid JSON (${err instanceof Error ? err.message : String(err)})`)
  }
}

export function zodProblem(error: z.ZodError): string {
  return describeIssues(error)
    .slice(0, 3)
    .map((i) => `${i.field}: ${i.message}`)
    .join('; ')
}

export function readManifest(head: Record<string, Uint8Array>, entries: Map<string, ZipEntry>, schemaVersion: number): Manifest {
  const raw = parseJson(MANIFEST, head[MANIFEST]) as Record<string, unknown> | null
  if (raw && typeof raw === 'object' && raw.format !== BUNDLE_FORMAT) refuse(`it is not a GAN Workbench run bundle (format ${JSON.stringify(raw.format)})`)
  if (raw && typeof raw === 'object' && typeof raw.version === 'number' && raw.version > BUNDLE_VERSION) {
    refuse(`it was written by a newer GAN Workbench (bundle version ${raw.version}; this app reads up to ${BUNDLE_VERSION})`)
  }
  const parsed = manifestSchema.safeParse(raw)
  if (!parsed.success) refuse(`its manifest is malformed (${zodProblem(parsed.error)})`)
  const manifest = parsed.data
  if (manifest.schemaVersion > schemaVersion) {
    refuse(`it comes from a newer database schema (${manifest.schemaVersion}; this app knows up to ${schemaVersion}); update GAN Workbench`)
  }
  for (const name of entries.keys()) {
    if (name !== MANIFEST && !Object.hasOwn(manifest.sha256, name)) refuse(`${name} is not listed in the manifest`)
  }
  for (const name of Object.keys(manifest.sha256)) if (!entries.has(name)) refuse(`${name} is listed in the manifest but missing`)
  checkHashes(head, manifest)
  return manifest
}

function checkHashes(files: Record<string, Uint8Array>, manifest: Manifest): void {
  for (const [name, data] of Object.entries(files)) {
    if (name !== MANIFEST && sha256(data) !== manifest.sha256[name]) refuse(`${name} is damaged (its SHA-256 does not match the manifest)`)
  }
}

const BYTES_PER_DTYPE: Readonly<Record<string, number>> = { float32: 4, int32: 4, bool: 1, string: 0, complex64: 8 }
const OPTIMIZER_FILES = ['d', 'g']

const modelJsonSchema = z
  .object({
    weightsManifest: z.array(
      z
        .object({
          paths: z.array(z.string().max(100)),
          weights: z.array(z.object({ shape: z.array(z.number().int().min(0)), dtype: z.string() }).passthrough())
        })
        .passthrough()
    )
  })
  .passthrough()

const optimizerJsonSchema = z
  .object({ weights: z.array(z.object({ length: z.number().int().min(0) }).passthrough()) })
  .passthrough()

/**
 * The checkpoint files of the bundle, inflated only once they are known to belong: each lies in
 * a checkpoint folder a row names, and is a model.json, a weight file it names, or optimizer
 * state; a weight or state file must declare the size its JSON says it holds. So a bundle cannot
 * make the lab inflate or write anything its rows do not use.
 */
export function readCheckpointFiles(bytes: Uint8Array, entries: Map<string, ZipEntry>, manifest: Manifest, dirs: ReadonlySet<string>): Record<string, Uint8Array> {
  const fileEntries = [...entries.keys()].filter((n) => FILE_ENTRY.test(n))
  const folderOf = (name: string): string => name.split('/').slice(1, 3).join('/')
  for (const name of fileEntries) {
    if (!dirs.has(folderOf(name))) refuse(`${name} belongs to no checkpoint of the run (no checkpoint row names ${folderOf(name)})`)
  }
  const describing = (name: string): boolean => name.endsWith('/model.json') || /\/optimizer\/[dg]\.json$/.test(name)
  const heads = inflate(bytes, (f) => entries.has(f.name) && FILE_ENTRY.test(f.name) && describing(f.name))
  checkHashes(heads, manifest)
  /** Entry name -> the bytes its describing JSON says it holds (sum over a model's weight files). */
  const expected = new Map<string, number>()
  const groups: { names: string[]; bytes: number; describedBy: string }[] = []
  for (const [name, data] of Object.entries(heads)) {
    if (name.endsWith('/model.json')) {
      const model = modelJsonSchema.safeParse(parseJson(name, data))
      if (!model.success) refuse(`${name} is not a tfjs model (${zodProblem(model.error)})`)
      const folder = name.slice(0, -'model.json'.length)
      let bytesWanted = 0
      const names: string[] = []
      for (const group of model.data.weightsManifest) {
        for (const w of group.weights) bytesWanted += w.shape.reduce((a, b) => a * b, 1) * (BYTES_PER_DTYPE[w.dtype] ?? 4)
        for (const p of group.paths) {
          if (!entries.has(folder + p)) refuse(`${name} names a weight file that is not in the bundle: ${JSON.stringify(p).slice(0, 80)}`)
          names.push(folder + p)
        }
      }
      groups.push({ names, bytes: bytesWanted, describedBy: name })
    } else {
      const state = optimizerJsonSchema.safeParse(parseJson(name, data))
      if (!state.success) refuse(`${name} is not optimizer state (${zodProblem(state.error)})`)
      const bin = name.replace(/\.json$/, '.bin')
      if (!entries.has(bin)) refuse(`${name} has no ${bin.split('/').pop()} beside it`)
      groups.push({ names: [bin], bytes: state.data.weights.reduce((a, w) => a + w.length * 4, 0), describedBy: name })
    }
  }
  for (const { names, bytes: wanted, describedBy } of groups) {
    const declared = names.reduce((a, n) => a + (entries.get(n)?.originalSize ?? 0), 0)
    if (declared !== wanted) refuse(`${describedBy} describes ${wanted} bytes of weights, but its files would unpack to ${declared}`)
    for (const n of names) expected.set(n, wanted)
  }
  for (const name of fileEntries) {
    if (!heads[name] && !expected.has(name)) refuse(`${name} is used by no model or optimizer state of its checkpoint`)
  }
  for (const dir of dirs) {
    for (const part of ['generator', 'discriminator']) {
      if (fileEntries.some((n) => n.startsWith(`files/${dir}/${part}/`)) && !heads[`files/${dir}/${part}/model.json`]) refuse(`files/${dir}/${part} has no model.json`)
    }
    for (const o of OPTIMIZER_FILES) {
      if (entries.has(`files/${dir}/optimizer/${o}.bin`) && !heads[`files/${dir}/optimizer/${o}.json`]) refuse(`files/${dir}/optimizer/${o}.bin has no ${o}.json beside it`)
    }
  }
  const rest = inflate(bytes, (f) => expected.has(f.name))
  checkHashes(rest, manifest)
  return { ...heads, ...rest }
}
