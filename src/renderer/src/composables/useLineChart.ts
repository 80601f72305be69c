// The life of a component's Chart.js line chart: created on mount when the canvas has a 2D
// context, brought up to date whenever what it follows changes (at once, or at most a few times
// a second on an animation frame), destroyed on unmount. Without a context (jsdom, some headless
// set-ups) there is no chart, but `draw` still runs with null, so counts shown beside it stay true.
import { onBeforeUnmount, onMounted, watch, type Ref, type WatchSource } from 'vue'
import { Chart, Decimation, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip, type ChartConfiguration } from 'chart.js'
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
