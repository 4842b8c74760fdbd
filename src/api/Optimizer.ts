/**
 * The public `Optimizer` namespace: optax-style gradient transformations, named optimizers and schedules.
 * @since 0.1.0
 */
export {
  sgd, adam, adamw, rmsprop, adagrad, adadelta, adamax, nadam, optimizerFromName, optimizerNames, optimizers,
  chain, identity, scale, scaleByLearningRate, scaleBySchedule, scaleByAdam, scaleByAdamax, scaleByNadam,
  scaleByRms, scaleByRss, scaleByAdadelta, traceMomentum, addDecayedWeights, clipByValue, clipByNorm,
  clipByGlobalNorm, applyUpdates, injectLearningRate, getLearningRate, setLearningRate,
  schedule, constant, exponentialDecay, cosineDecay, linearWarmup, warmupCosineDecay, piecewiseConstant,
  type GradientTransformation, type Optimizer, type OptimizerName, type LearningRate, type Schedule, type StateOf,
  type Tree, type AnyOptimizerOptions, type BaseOptimizerOptions, type SgdOptions, type AdamOptions,
  type AdamFamilyOptions, type RmspropOptions, type AdagradOptions, type AdadeltaOptions, type RmsOptions,
  type RssOptions, type ScaleByAdadeltaOptions, type TraceOptions, type DecayOptions, type ExponentialDecayOptions,
  type CosineDecayOptions, type LinearWarmupOptions, type WarmupCosineDecayOptions, type PiecewiseConstantOptions,
  type AdamState, type AdamaxState, type NadamState, type AdadeltaState, type RmsState, type RssState,
  type TraceState, type CountState, type EmptyState, type InjectedState
} from '../optimizers/index.js'
