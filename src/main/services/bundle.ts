// Run bundles: one zip with everything a run is (its config, every row the database keeps for
// it, its sample grids and chosen checkpoints), so a run moves between workstations intact.
// The reader trusts nothing in the file: names, sizes, hashes, tables, columns and values are
// checked before anything is written, and the import is one transaction.
// This module is the entry point; the work is split by concern:
//   bundle-format.ts  names, limits, schemas and the helpers both halves share
//   bundle-export.ts  writing a run's zip
//   bundle-zip.ts     reading and checking the zip's entries, manifest and checkpoint files
//   bundle-rows.ts    checking every value against its column's type and the app's limits
//   bundle-import.ts  adding a bundle's run to this lab
export { BUNDLE_FORMAT, BUNDLE_VERSION, DEFAULT_BUNDLE_LIMITS, type BundleCheckpoints, type BundleLimits } from './bundle-format'
export { bundleFileName, exportRunBundle, type ExportBundleOptions } from './bundle-export'
export { importRunBundle, readBundleFile, type ImportedBundle } from './bundle-import'
