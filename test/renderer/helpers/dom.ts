// jsdom has no canvas: getContext would log "not implemented". Tests decide what it returns.
import { vi } from 'vitest'

export function stubCanvasContext(context: unknown = null): void {
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation(
    // The spy stands in for every overload of getContext; the return is whatever the test asked for.
    () => context as ReturnType<HTMLCanvasElement['getContext']>
  )
}
