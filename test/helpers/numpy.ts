// An independent cross-check with numpy (Debian python3-numpy): tests that use it skip,
// visibly and with the reason, on machines without it.
import { spawnSync } from 'node:child_process'

const PYTHON = '/usr/bin/python3'

export const numpyMissing: string | null = (() => {
  const probe = spawnSync(PYTHON, ['-c', 'import numpy'], { encoding: 'utf8' })
  if (probe.error) return `${PYTHON} is not available (${probe.error.message})`
  if (probe.status !== 0) return `numpy is not installed for ${PYTHON} (apt-get install python3-numpy)`
  return null
})()

/** Runs a Python script with `input` as JSON on stdin and returns its JSON stdout. */
export function runNumpy<T>(script: string, input: unknown): T {
  const out = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 1 << 28 })
  if (out.status !== 0) throw new Error(`python failed: ${out.stderr}`)
  return JSON.parse(out.stdout) as T
}

/** FID, PRDC (k = 5) and the classifier score of {dim, real, fake, probs} computed with numpy alone. */
export const NUMPY_SCORES = `
import json, sys
import numpy as np
d = json.load(sys.stdin)
dim = d['dim']
r = np.array(d['real'], dtype=np.float64).reshape(-1, dim)
f = np.array(d['fake'], dtype=np.float64).reshape(-1, dim)
def fid(a, b):
    m1, m2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    w, v = np.linalg.eigh(s1)
    root = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    ev = np.linalg.eigvalsh(root @ s2 @ root)
    return float(((m1 - m2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.sqrt(np.clip(ev, 0, None)).sum())
def dist(a, b):
    return ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)
k = 5
rr, ff, rf = dist(r, r), dist(f, f), dist(r, f)
rad_r = np.sort(rr, axis=1)[:, k]
rad_f = np.sort(ff, axis=1)[:, k]
p = np.array(d['probs'], dtype=np.float64).reshape(-1, 10)
py = p.mean(0)
kl = (p * (np.log(p + 1e-12) - np.log(py + 1e-12))).sum(1).mean()
print(json.dumps({
  'fid': fid(r, f),
  'precision': float((rf < rad_r[:, None]).any(0).mean()),
  'recall': float((rf < rad_f[None, :]).any(1).mean()),
  'density': float((rf < rad_r[:, None]).sum(0).mean() / k),
  'coverage': float((rf.min(1) < rad_r).mean()),
  'score': float(np.exp(kl)),
}))
`

export interface NumpyScores {
  fid: number
  precision: number
  recall: number
  density: number
  coverage: number
  score: number
}
