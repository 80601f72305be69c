// Curves of the compare view (shared with exported figures, see @shared/curves) and which grid
// each run shows at the scrubber's epoch.
export {
  AXIS_LABELS,
  chartedMetrics,
  curve,
  isFraction,
  metricLabel,
  smooth,
  thin,
  xOf,
  type CurveSeries,
  type MetricColumns,
  type Point
} from '@shared/curves'

/**
 * The grid (or, for a toy run, the field of D and G) each run shows at the scrubber's epoch: its
 * own, or its last one when it ended earlier.
 */
export function gridEpochFor(epochsWithGrid: readonly number[], epoch: number, noun: 'grid' | 'field' = 'grid'): { epoch: number | null; note: string | null } {
  if (epochsWithGrid.length === 0) return { epoch: null, note: noun === 'grid' ? 'no sample grid yet' : 'no field yet' }
  if (epochsWithGrid.includes(epoch)) return { epoch, note: null }
  const earlier = epochsWithGrid.filter((e) => e <= epoch)
  if (earlier.length === 0) return { epoch: epochsWithGrid[0], note: `first ${noun} is epoch ${epochsWithGrid[0]}` }
  const last = earlier[earlier.length - 1]
  const ended = last === epochsWithGrid[epochsWithGrid.length - 1]
  return { epoch: last, note: ended ? `ends at epoch ${last}; showing its last ${noun}` : `no ${noun} for epoch ${epoch}; showing epoch ${last}` }
}
