// Builds IDX files in memory for tests.
export function idxBytes(dims: number[], data: Uint8Array | number[], type = 0x08): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length)
  const view = new DataView(header.buffer)
  header[2] = type
  header[3] = dims.length
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false))
  const body = data instanceof Uint8Array ? data : Uint8Array.from(data)
  const out = new Uint8Array(header.length + body.length)
  out.set(header)
  out.set(body, header.length)
  return out
}
