// The life of a component's Chart.js line chart: created on mount when the canvas has a 2D
// context, brought up to date whenever what it follows changes (at once, or at most a few times
// a second on an animation frame), destroyed on unmount. Without a context (jsdom, some headless
// set-ups) there is no chart, but `draw` still runs with null, so counts shown beside it stay true.
import { onBeforeUnmount, onMounted, watch, type Ref, type WatchSource } from 'vue'
import {
  Chart,
  Decimation,
  Interaction,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
  type ChartEvent,
  type InteractionItem
} from 'chart.js'
import { getRelativePosition } from 'chart.js/helpers'
import type { Point } from '@shared/curves'
import { createFrameThrottle } from './frame-throttle'

Chart.register(LineController, LineElement, PointElement, LinearScale, Legend, Tooltip, Decimation)

export type LineChart = Chart<'line', Point[]>

export interface LineChartOptions {
  /** The chart's configuration, built once the canvas is mounted with a 2D context. */
  config: () => ChartConfiguration<'line', Point[]>
  /** Brings the chart, or null without one, up to date with the component's props. */
  draw: (chart: LineChart | null) => void
  /** What a redraw follows. */
  follow: WatchSource | WatchSource[]
  /** Redraw at most ~4 times a second on an animation frame (default), or at once. */
  throttle?: boolean
  /** The first draw: right after mounting (default), on the next allowed frame, or none (the config already holds the data). */
  firstDraw?: 'mount' | 'frame' | 'none'
}

type LineOptions = NonNullable<ChartConfiguration<'line', Point[]>['options']>

/**
 * Options of a chart of long step series (the run view's and the compare view's curves): no
 * animation or parsing, min-max decimation, tooltips for the nearest x, and `legend` as given.
 */
export function longSeriesOptions(xTitle: string, y: { min?: number; max?: number }, legend: NonNullable<LineOptions['plugins']>['legend']): LineOptions {
  return {
    animation: false,
    parsing: false,
    normalized: true,
    responsive: true,
    maintainAspectRatio: false,
    interaction: { mode: 'nearest', axis: 'x', intersect: false },
    scales: {
      x: { type: 'linear', title: { display: true, text: xTitle }, ticks: { maxTicksLimit: 8 } },
      y: { type: 'linear', min: y.min, max: y.max, ticks: { maxTicksLimit: 6 } }
    },
    plugins: { decimation: { enabled: true, algorithm: 'min-max' }, legend, tooltip: { enabled: true } }
  }
}

export function useLineChart(canvas: Ref<HTMLCanvasElement | null>, options: LineChartOptions): void {
  let chart: LineChart | null = null
  const draw = (): void => options.draw(chart)
  const throttle = options.throttle === false ? null : createFrameThrottle(draw)
  const request = (): void => (throttle ? throttle.request() : draw())

  onMounted(() => {
    const ctx = canvas.value?.getContext('2d') ?? null
    if (ctx) chart = new Chart(ctx, options.config())
    const first = options.firstDraw ?? 'mount'
    if (first === 'mount') draw()
    else if (first === 'frame') request()
  })

  watch(options.follow, request)

  onBeforeUnmount(() => {
    throttle?.cancel()
    chart?.destroy()
    chart = null
  })
}

/**
 * "eachDataset": for every visible dataset, its point nearest the pointer's x, so a tooltip lists
 * every curve's value at the hovered x even when the curves' x values differ (runs of other
 * lengths, the wall-time axis). Curves are sorted by x, so each is a binary search.
 */
function eachDataset(chart: Chart, e: ChartEvent | Event): InteractionItem[] {
  const pos = getRelativePosition(e as Event, chart as never)
  const items: InteractionItem[] = []
  chart.data.datasets.forEach((_, datasetIndex) => {
    if (!chart.isDatasetVisible(datasetIndex)) return
    const elements = chart.getDatasetMeta(datasetIndex).data
    if (elements.length === 0) return
    let lo = 0
    let hi = elements.length - 1
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1
      if (elements[mid].x <= pos.x) lo = mid
      else hi = mid
    }
    const index = Math.abs(elements[lo].x - pos.x) <= Math.abs(elements[hi].x - pos.x) ? lo : hi
    items.push({ element: elements[index], datasetIndex, index })
  })
  return items
}
;(Interaction.modes as unknown as Record<string, unknown>).eachDataset = eachDataset

declare module 'chart.js' {
  interface InteractionModeMap {
    eachDataset: typeof eachDataset
  }
}
