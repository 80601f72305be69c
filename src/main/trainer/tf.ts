// The one tfjs instance the trainer uses. tfjs-node(-gpu), when present, registers its
// 'tensorflow' backend on this same instance.
import * as tf from '@tensorflow/tfjs'

export { tf }
export type Tf = typeof tf
