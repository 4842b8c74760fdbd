/**
 * Optimizers as optax-style gradient transformations: `init`/`update` pairs with typed, saveable
 * states; combinators (`chain`), building blocks (`scaleByAdam`, `clipByGlobalNorm`, …), named Keras
 * optimizers (`sgd`, `adam`, …), learning-rate schedules, and the learning rate as a state leaf.
 * See docs/optimizers.md.
 *
 * @since 0.1.0
 */
export {
  type GradientTransformation, type StateOf, type EmptyState, type CountState, type Tree, applyUpdates, identity, chain, scale
} from './base.js'
export {
  scaleByLearningRate, scaleBySchedule, traceMomentum, scaleByAdam, scaleByAdamax, scaleByNadam, scaleByRms, scaleByRss,
  scaleByAdadelta, addDecayedWeights, clipByGlobalNorm, clipByNorm, clipByValue,
  type TraceState, type TraceOptions, type AdamState, type AdamOptions, type AdamaxState, type NadamState, type RmsState,
  type RmsOptions, type RssState, type RssOptions, type AdadeltaState, type ScaleByAdadeltaOptions, type DecayOptions
} from './transform.js'
export {
  type Schedule, type LearningRate, schedule, exponentialDecay, cosineDecay, piecewiseConstant, linearWarmup, warmupCosineDecay, constant,
  type ExponentialDecayOptions, type CosineDecayOptions, type PiecewiseConstantOptions, type LinearWarmupOptions, type WarmupCosineDecayOptions
} from './schedule.js'
export {
  type InjectedState, type Optimizer, type OptimizerName, type BaseOptimizerOptions, type SgdOptions, type AdamFamilyOptions,
  type RmspropOptions, type AdagradOptions, type AdadeltaOptions, type AnyOptimizerOptions,
  injectLearningRate, sgd, adam, adamw, adamax, nadam, rmsprop, adagrad, adadelta, optimizers, optimizerNames, optimizerFromName,
  getLearningRate, setLearningRate
} from './alias.js'
