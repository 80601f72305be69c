// The CLI's commands, in the order the help lists them.
import type { Command } from '../command'
import { exportBundle, importBundle } from './bundles'
import { datasets, importDataset } from './datasets'
import { score, trainClassifier } from './evaluation'
import { explore } from './explore'
import { exportFigure } from './export-figure'
import { exportGenerator } from './export-generator'
import { sample } from './sample'
import { serve } from './serve'
import { sweep } from './sweep'
import { train } from './train'

export const COMMANDS: readonly Command[] = [
  train,
  sweep,
  serve,
  exportBundle,
  importBundle,
  exportFigure,
  exportGenerator,
  sample,
  explore,
  importDataset,
  datasets,
  trainClassifier,
  score
]
