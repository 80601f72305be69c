import { describe, expect, it } from 'vitest'
import { LabError } from '@shared/errors'
import { describeFailure } from '../../src/main/trainer/failure'

function fsError(code: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: failure, write '${path}'`), { code, path })
}

describe('describeFailure', () => {
  it('names a full disk, a read-only folder and missing permissions, and says what is kept', () => {
    expect(describeFailure(fsError('ENOSPC', '/data/runs/3/checkpoints/epoch-0002.partial'))).toBe(
      'The disk is full (/data/runs/3/checkpoints/epoch-0002.partial): the run stopped while writing. Free some space and start it again. Steps, grids and checkpoints recorded before this are kept.'
    )
    expect(describeFailure(fsError('EROFS', '/ro'))).toMatch(/^The data folder is on a read-only file system \(\/ro\)/)
    expect(describeFailure(fsError('EACCES', '/x'))).toMatch(/^No permission to write \(\/x\)/)
  })

  it('names memory exhaustion, GPU or host', () => {
    expect(describeFailure(new Error('OOM when allocating tensor with shape[64,128,28,28] on /job:localhost/device:GPU:0'))).toMatch(/^Out of GPU memory: OOM/)
    expect(describeFailure(new RangeError('Array buffer allocation failed'))).toMatch(/^Out of host memory: Array buffer allocation failed/)
  })

  it('passes other errors through', () => {
    expect(describeFailure(new LabError('DATA_ERROR', 'x.idx: truncated'))).toBe('x.idx: truncated')
  })
})
