/**
 * The bench CNN as a tensorfold model (bench/cnn/common.ts describes it), for the tensorfold children
 * only: the tfjs and jax-js children import common.ts, which must not load tensorfold.
 */
import * as tf from '../../src/index.js'
import { CNN } from './common.js'

/** conv 3×3 → max pool 2 → conv 3×3 → max pool 2 → flatten → dense relu → dense 10 softmax. */
export const cnnModel = (): tf.Sequential =>
  tf.sequential([
    tf.layers.conv2d(CNN.filters[0], 3, { activation: 'relu', inputShape: [28, 28, 1] }),
    tf.layers.maxPooling2d(2),
    tf.layers.conv2d(CNN.filters[1], 3, { activation: 'relu' }),
    tf.layers.maxPooling2d(2),
    tf.layers.flatten(),
    tf.layers.dense(CNN.dense, { activation: 'relu' }),
    tf.layers.dense(10, { activation: 'softmax' })
  ])
