/**
 * The public `Loss` namespace: Keras's losses (per-sample, reduced by `reduce`), reductions, and the
 * pieces compile uses to resolve losses by name and per output.
 * @since 0.1.0
 */
export {
  meanSquaredError, meanAbsoluteError, meanAbsolutePercentageError, meanSquaredLogarithmicError, mse, mae, mape, msle,
  binaryCrossentropy, categoricalCrossentropy, sparseCategoricalCrossentropy, hinge, squaredHinge, categoricalHinge,
  huber, logCosh, klDivergence, kld, poisson, cosineSimilarity,
  reduce, weighted, withReduction, reductionOf, REDUCTIONS, lossFromName, lossNames, losses,
  resolveLosses, resolveLossWeights, totalLoss, sampleWeightsFromClassWeight,
  type LossFn, type LossSpec, type LossesSpec, type LossOptions, type CrossentropyOptions,
  type SparseCrossentropyOptions, type HuberOptions, type ReducedLoss, type Reduction, type PlainLoss, type OptionsLoss
} from '../losses/index.js'
