// A discriminator grown from the reference classifier (the seed's untried idea): the
// classifier's convolutions and feature layer as D's body, and a new one-unit real/fake head.
import { loadModelFrom } from '../checkpoint'
import { tf } from '../tf'

export const CLASSIFIER_HEAD = 'real_fake_head'

/** D = the classifier at `dir` up to its feature layer, then a fresh dense head giving one logit. */
export async function discriminatorFromClassifier(dir: string, inputShape: readonly (number | null)[]): Promise<tf.LayersModel> {
  const classifier = await loadModelFrom(dir)
  const want = JSON.stringify(inputShape)
  const got = JSON.stringify(classifier.inputs[0].shape)
  if (want !== got) {
    classifier.dispose()
    throw new Error(`The reference classifier takes inputs of shape ${got}; this run's images have shape ${want}`)
  }
  // The layer before the softmax is the classifier's feature layer.
  const features = classifier.layers[classifier.layers.length - 2].output as tf.SymbolicTensor
  const logit = tf.layers.dense({ units: 1, name: CLASSIFIER_HEAD }).apply(features) as tf.SymbolicTensor
  return tf.model({ inputs: classifier.inputs, outputs: logit, name: 'discriminator' })
}
