// Exports for a write-up: the figure size chosen for the paper (kept across menus) and the intent
// to save a figure as SVG, PDF or PNG (SVG and PDF come from the back end as files; PNG comes as
// the figure, drawn here into a canvas at the chosen scale), and a checkpoint's generator with
// generated samples (a folder the desktop app asks for, or a zip in a browser).
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { FigureFormat, FigureRequestInput, GeneratorExport } from '@shared/api'
import { DEFAULT_FIGURE_SIZE, type Figure, type FigureSize } from '@shared/figure'
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

export const useExportsStore = defineStore('exports', () => {
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

  /** The figure the back end lays out for `figure` at the chosen size, for a preview; null when refused (the error shown). */
  async function layoutFigure(figure: FigureRequestInput): Promise<Figure | null> {
    try {
      const file = await useLabApi().call('figures:export', { figure, format: 'png', size: { ...size.value }, scale: 1 })
      return file.format === 'png' ? file.figure : null
    } catch (err) {
      error.value = `Could not lay out the figure: ${errorMessage(err)}`
      return null
    }
  }

  const generatorBusy = ref(false)
  const generatorError = ref<string | null>(null)
  const generatorResult = ref<string | null>(null)

  /** Exports a checkpoint's generator with `samples` generated images; what happened, in words. */
  async function exportGenerator(id: number, epoch: number, samples: number, seed?: number): Promise<GeneratorExport | null> {
    generatorBusy.value = true
    generatorError.value = null
    generatorResult.value = null
    try {
      const res = await useLabApi().call('runs:export-generator', { id, epoch, samples, ...(seed === undefined ? {} : { seed }) })
      if (res.kind === 'zip') {
        downloadBase64(res.filename, res.mime, res.base64)
        generatorResult.value = `Saved ${res.filename} (${res.files.length} files)`
      } else if (res.kind === 'folder') generatorResult.value = `Wrote ${res.files.length} files to ${res.path}`
      return res
    } catch (err) {
      generatorError.value = `Could not export the generator: ${errorMessage(err)}`
      return null
    } finally {
      generatorBusy.value = false
    }
  }

  return { size, scale, busy, error, lastSaved, exportFigure, layoutFigure, generatorBusy, generatorError, generatorResult, exportGenerator }
})
