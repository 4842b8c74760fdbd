/**
 * The public `Initializers` namespace: Keras's weight initializers (`Initializers.glorotUniform()`, …).
 * @since 0.1.0
 */
export {
  glorotUniform, glorotNormal, heNormal, heUniform, lecunNormal, lecunUniform, zeros, ones, constant, randomNormal,
  randomUniform, orthogonal, varianceScaling, type Initializer, type InitializerName, type InitializerLike
} from '../layers/initializers.js'
