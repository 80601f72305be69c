// A small CSV table written by the tests themselves: an integer code column (with a code far
// from the others), a zero-inflated number, a category and a number correlated with the first.
import { writeFileSync } from 'node:fs'
import { gaussian, mulberry32 } from '../../src/main/common/random'

/** 400 rows: code 1-5 or 24, amount 0 in 60% of rows else log-normal, group a/b/c, score amount plus noise. */
export function writeTable(path: string): void {
  const rand = mulberry32(11)
  const z = gaussian(800, rand)
  const lines = ['code,amount,group,score']
  for (let i = 0; i < 400; i++) {
    const code = rand() < 0.2 ? 24 : 1 + Math.floor(rand() * 5)
    const amount = rand() < 0.6 ? 0 : Number(Math.exp(1 + 0.5 * z[2 * i]).toFixed(3))
    const group = rand() < 0.7 ? 'a' : rand() < 0.5 ? 'b' : 'c'
    lines.push(`${code},${amount},${group},${(amount + z[2 * i + 1]).toFixed(2)}`)
  }
  writeFileSync(path, lines.join('\n') + '\n')
}
