/**
 * Weight constraints, as Keras's `tf.keras.constraints`: `constraints.maxNorm(3)`.
 *
 * @since 0.1.0
 */
export { maxNorm, minMaxNorm, unitNorm, nonNeg, type Constraint, type ConstraintLike } from './weights.js'
