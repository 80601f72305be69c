// Turns what broke a training job into a message that names the cause and what is kept.
import { toErrorInfo } from '@shared/errors'

const KEPT = 'Steps, grids and checkpoints recorded before this are kept.'

export function describeFailure(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code
  const path = (err as NodeJS.ErrnoException | null)?.path
  const where = path ? ` (${path})` : ''
  switch (code) {
    case 'ENOSPC':
      return `The disk is full${where}: the run stopped while writing. Free some space and start it again. ${KEPT}`
    case 'EDQUOT':
      return `The disk quota is exhausted${where}: the run stopped while writing. ${KEPT}`
    case 'EROFS':
      return `The data folder is on a read-only file system${where}: nothing can be written there. ${KEPT}`
    case 'EACCES':
    case 'EPERM':
      return `No permission to write${where}: check the data folder's permissions. ${KEPT}`
  }
  const message = toErrorInfo(err).message
  if (err instanceof RangeError && /allocation|Array buffer|Invalid typed array length/i.test(message)) {
    return `Out of host memory: ${message}. Use a smaller batch size or model. ${KEPT}`
  }
  if (/OOM|out of memory|ResourceExhausted|failed to allocate/i.test(message)) {
    const what = /gpu|cuda/i.test(message) ? 'GPU memory' : 'memory'
    return `Out of ${what}: ${message}. Use a smaller batch size or model. ${KEPT}`
  }
  return message
}
