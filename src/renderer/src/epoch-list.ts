// The epochs of a row of sample grids, as a researcher types them ("1, 5, 10" or "1-5").

/** Up to `n` epochs spread evenly over the list, first and last included. */
export function spreadEpochs(epochs: readonly number[], n = 5): number[] {
  if (epochs.length <= n) return epochs.slice()
  return [...new Set(Array.from({ length: n }, (_, i) => epochs[Math.round((i * (epochs.length - 1)) / (n - 1))]))]
}

/** Parses "1, 5, 10-12" against the epochs that have grids; a problem names what is wrong. */
export function parseEpochList(text: string, available: readonly number[]): { epochs: number[] } | { problem: string } {
  const out: number[] = []
  for (const part of text.split(/[\s,]+/).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part)
    if (!m) return { problem: `"${part}" is not an epoch number or range (e.g. 1, 5, 10-12)` }
    const from = Number(m[1])
    const to = m[2] === undefined ? from : Number(m[2])
    if (to < from) return { problem: `"${part}": the range runs backwards` }
    for (let e = from; e <= to && out.length <= 12; e++) if (!out.includes(e)) out.push(e)
  }
  if (out.length === 0) return { problem: 'name at least one epoch' }
  if (out.length > 12) return { problem: 'at most 12 epochs in one row' }
  const missing = out.filter((e) => !available.includes(e))
  if (missing.length > 0) return { problem: `no sample grid for epoch ${missing.join(', ')}` }
  return { epochs: out }
}
