// A stand-in for chart.js in jsdom, which cannot draw: records each chart's config, datasets,
// updates and destruction. Tests mock the module with it:
//   vi.mock('chart.js', () => import('./helpers/fake-chart'))
// and read FakeChart.instances (emptied by resetFakeCharts, e.g. in beforeEach).

export interface FakeDataset {
  label: string
  data: { x: number; y: number }[]
  borderColor?: string
  borderDash?: number[]
  pointStyle?: string[]
  pointRadius?: number[]
}

/** A dataset of ScoreChart, which sets every one of these. */
export type ScoreDataset = Required<FakeDataset>

export class FakeChart {
  static instances: FakeChart[] = []
  static register(): void {}
  readonly updates: (string | undefined)[] = []
  destroyed = false
  data: { datasets: FakeDataset[] }
  options: Record<string, unknown>
  constructor(_ctx: unknown, config: { data: { datasets: FakeDataset[] }; options: Record<string, unknown> }) {
    this.data = config.data
    this.options = config.options
    FakeChart.instances.push(this)
  }
  update(mode?: string): void {
    this.updates.push(mode)
  }
  destroy(): void {
    this.destroyed = true
  }
}

export function resetFakeCharts(): void {
  FakeChart.instances = []
}

// What the components register: nothing to do here.
export { FakeChart as Chart }
export const Decimation = {}
/** Interaction modes the charts add to (the compare view's 'eachDataset'). */
export const Interaction: { modes: Record<string, unknown> } = { modes: {} }
export const Legend = {}
export const LinearScale = {}
export const LineController = {}
export const LineElement = {}
export const PointElement = {}
export const Tooltip = {}
