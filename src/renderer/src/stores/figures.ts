// Figure exports: the size chosen for the paper (kept across menus), and the intent to save a
// figure as SVG, PDF or PNG. SVG and PDF come from the back end as files; PNG comes as the figure,
// drawn here into a canvas at the chosen scale.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { FigureFormat, FigureRequestInput } from '@shared/api'
import { DEFAULT_FIGURE_SIZE, type FigureSize } from '@shared/figure'
import { useLabApi } from '@renderer/api/current'
import { downloadBase64, downloadBlob } from '@renderer/download'
import { figurePixelSize, figureToPngBlob } from '@renderer/figure-canvas'
import { errorMessage } from '@renderer/format'

export interface SavedFigure {
  filename: string
  bytes: number
  /** PNG only: its pixel size. */
  pixels?: { width: number; height: number }
}

export const useFiguresStore = defineStore('figures', () => {
  const size = ref<FigureSize>({ ...DEFAULT_FIGURE_SIZE })
  const scale = ref(3)
  const busy = ref(false)
  const error = ref<string | null>(null)
  const lastSaved = ref<SavedFigure | null>(null)

  /** Saves one figure as a file; null (with the error shown) when refused. */
  async function exportFigure(figure: FigureRequestInput, format: FigureFormat): Promise<SavedFigure | null> {
    busy.value = true
    error.value = null
    try {
      const file = await useLabApi().call('figures:export', { figure, format, size: { ...size.value }, scale: scale.value })
      let saved: SavedFigure
      if (file.format === 'png') {
        const blob = await figureToPngBlob(file.figure, file.scale)
        downloadBlob(file.filename, blob)
        saved = { filename: file.filename, bytes: blob.size, pixels: figurePixelSize(file.figure, file.scale) }
      } else {
        downloadBase64(file.filename, file.mime, file.base64)
        saved = { filename: file.filename, bytes: file.bytes }
      }
      lastSaved.value = saved
      return saved
    } catch (err) {
      error.value = `Could not export the figure: ${errorMessage(err)}`
      return null
    } finally {
      busy.value = false
    }
  }

  return { size, scale, busy, error, lastSaved, exportFigure }
})
