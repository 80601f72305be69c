// A deterministic stand-in for the 506-row, 14-column housing table (Boston housing: crime
// rates, zoning shares, a river flag, a highway code...) that `npm run bench` trains the
// tabular-mlp preset on. It is written as CSV text and imported like any user's file, so the
// lab infers the column types and fits the modes encoding on it as it would on the real table;
// the numbers are drawn, not the real ones (the real file is not shipped with the lab).
import { gaussian, mulberry32 } from '../../src/main/common/random'

export const SYNTHETIC_TABLE_ROWS = 506

/** How each column is drawn, in words of the real table's columns. */
export type SyntheticColumnKind = 'skewed' | 'zero-inflated' | 'flag' | 'code' | 'whole' | 'normal' | 'bounded'

export const SYNTHETIC_TABLE_COLUMNS: readonly { name: string; kind: SyntheticColumnKind }[] = [
  { name: 'CRIM', kind: 'skewed' },
  { name: 'ZN', kind: 'zero-inflated' },
  { name: 'INDUS', kind: 'bounded' },
  { name: 'CHAS', kind: 'flag' },
  { name: 'NOX', kind: 'bounded' },
  { name: 'RM', kind: 'normal' },
  { name: 'AGE', kind: 'bounded' },
  { name: 'DIS', kind: 'skewed' },
  { name: 'RAD', kind: 'code' },
  { name: 'TAX', kind: 'whole' },
  { name: 'PTRATIO', kind: 'bounded' },
  { name: 'B', kind: 'bounded' },
  { name: 'LSTAT', kind: 'skewed' },
  { name: 'MEDV', kind: 'skewed' }
]

const RAD_CODES = [1, 2, 3, 4, 5, 6, 7, 8, 24]
const RAD_WEIGHTS = [0.04, 0.05, 0.08, 0.22, 0.23, 0.05, 0.03, 0.05, 0.25]

/** The table as rows of numbers, one per SYNTHETIC_TABLE_COLUMNS entry, drawn from `seed`. */
export function syntheticTableRows(seed = 1, rows = SYNTHETIC_TABLE_ROWS): number[][] {
  const rand = mulberry32(seed)
  const noise = gaussian(rows * SYNTHETIC_TABLE_COLUMNS.length, rand)
  const round = (v: number, digits: number): number => Number(v.toFixed(digits))
  const out: number[][] = []
  for (let i = 0; i < rows; i++) {
    const z = (j: number): number => noise[i * SYNTHETIC_TABLE_COLUMNS.length + j]
    let u = rand()
    let k = 0
    while (k < RAD_WEIGHTS.length - 1 && u >= RAD_WEIGHTS[k]) u -= RAD_WEIGHTS[k++]
    out.push([
      round(Math.exp(-0.5 + 1.6 * z(0)), 5), // CRIM: log-normal, 0.01-90
      rand() < 0.7 ? 0 : round(12.5 * (1 + Math.floor(rand() * 7)), 1), // ZN: 0 in ~70% of rows
      round(Math.min(27.7, Math.max(0.46, 11 + 6.9 * z(2))), 2), // INDUS
      rand() < 0.07 ? 1 : 0, // CHAS: a 0/1 flag
      round(Math.min(0.871, Math.max(0.385, 0.555 + 0.116 * z(4))), 3), // NOX
      round(6.28 + 0.7 * z(5), 3), // RM
      round(100 - Math.min(97, Math.abs(28 * z(6))), 1), // AGE: piled up near 100
      round(Math.exp(1.2 + 0.5 * z(7)), 4), // DIS
      RAD_CODES[k], // RAD: an integer code
      Math.round(Math.min(711, Math.max(187, 408 + 168 * z(9)))), // TAX: whole numbers
      round(Math.min(22, Math.max(12.6, 18.5 + 2.2 * z(10))), 1), // PTRATIO
      round(Math.max(0.32, 396.9 - Math.abs(60 * z(11) * z(11))), 2), // B: most rows at its cap
      round(Math.exp(2.4 + 0.55 * z(12)), 2), // LSTAT
      round(Math.min(50, Math.exp(3.05 + 0.4 * z(13))), 1) // MEDV: capped at 50
    ])
  }
  return out
}

/** The table as a CSV file's text: a header row, then the rows. */
export function syntheticTableCsv(seed = 1, rows = SYNTHETIC_TABLE_ROWS): string {
  const lines = [SYNTHETIC_TABLE_COLUMNS.map((c) => c.name).join(',')]
  for (const row of syntheticTableRows(seed, rows)) lines.push(row.map(String).join(','))
  return `${lines.join('\n')}\n`
}
