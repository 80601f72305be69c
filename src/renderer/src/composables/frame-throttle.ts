// Runs a redraw on an animation frame at most once per interval, however often it is asked:
// step batches can arrive many times a second, a chart needs redrawing a few times at most.

export interface FrameThrottle {
  request(): void
  cancel(): void
}

type FrameFn = (callback: () => void) => number

function frameScheduler(): { request: FrameFn; cancel: (id: number) => void } {
  if (typeof globalThis.requestAnimationFrame === 'function') {
    return {
      request: (cb) => globalThis.requestAnimationFrame(() => cb()),
      cancel: (id) => globalThis.cancelAnimationFrame(id)
    }
  }
  return {
    request: (cb) => setTimeout(cb, 16) as unknown as number,
    cancel: (id) => clearTimeout(id)
  }
}

export function createFrameThrottle(draw: () => void, minIntervalMs = 250): FrameThrottle {
  const frames = frameScheduler()
  let pending = false
  let lastDraw = -Infinity
  let timer: ReturnType<typeof setTimeout> | null = null
  let frame: number | null = null

  function run(): void {
    frame = null
    pending = false
    lastDraw = performance.now()
    draw()
  }

  return {
    request() {
      if (pending) return
      pending = true
      const wait = lastDraw + minIntervalMs - performance.now()
      if (wait > 0) {
        timer = setTimeout(() => {
          timer = null
          frame = frames.request(run)
        }, wait)
      } else {
        frame = frames.request(run)
      }
    },
    cancel() {
      if (timer !== null) clearTimeout(timer)
      if (frame !== null) frames.cancel(frame)
      timer = null
      frame = null
      pending = false
    }
  }
}
