// Files the packaged app loads by path from native code or worker threads (tfjs's wasm
// binaries and thread scripts, MNIST's IDX files) are unpacked from app.asar by the packager
// (electron-builder.json asarUnpack); their paths must name the unpacked copy.

/** `p` with a packaged app's `app.asar` folder replaced by `app.asar.unpacked`; unchanged outside a package. */
export function unpackedPath(p: string): string {
  return p.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2')
}
