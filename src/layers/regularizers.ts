/**
 * Weight regularizers, as Keras's `tf.keras.regularizers`: `regularizers.l2(0.01)`.
 *
 * @since 0.1.0
 */
export { l1, l2, l1l2, type Regularizer, type RegularizerLike } from './weights.js'
