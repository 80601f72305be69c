// A table with rare categories for `npm run bench:tabular -- rare`: what training-by-sampling is
// for. 2000 rows: kind common (90%), mid (8%) or rare (2%), with x near 0, 4 or -5 by kind and y
// = 2x + noise; flag yes in 5% of rows, with z near 10 for yes and 0 for no. A GAN that does not
// learn the rare categories draws them too seldom, or with the common rows' values.
import { writeFileSync } from 'node:fs'
import { gaussian, mulberry32 } from '../../src/main/common/random'

export const RARE_TABLE_ROWS = 2000

export function writeRareTable(path: string): string {
  const rand = mulberry32(7)
  const z = gaussian(RARE_TABLE_ROWS * 3, rand)
  const lines = ['kind,x,y,flag,z']
  for (let i = 0; i < RARE_TABLE_ROWS; i++) {
    const u = rand()
    const kind = u < 0.9 ? 'common' : u < 0.98 ? 'mid' : 'rare'
    const x = kind === 'common' ? z[3 * i] : kind === 'mid' ? 4 + 0.5 * z[3 * i] : -5 + 0.3 * z[3 * i]
    const y = 2 * x + 0.5 * z[3 * i + 1]
    const flag = rand() < 0.05 ? 'yes' : 'no'
    lines.push(`${kind},${x.toFixed(4)},${y.toFixed(4)},${flag},${((flag === 'yes' ? 10 : 0) + z[3 * i + 2]).toFixed(4)}`)
  }
  writeFileSync(path, lines.join('\n') + '\n')
  return path
}
