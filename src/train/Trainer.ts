/**
 * The `Trainer`: an immutable value holding a model (with its current weights), the optimizer state, the
 * step count and the random key, plus what `compile` resolved (optimizer, losses, metrics). Every
 * operation returns a new trainer; none changes the one it got. There is no "fit before compile":
 * the only way to get a trainer is `compile`.
 *
 * The same value serves both surfaces. The functional surface is the `Trainer` namespace
 * (`Trainer.fit(trainer, x, y, opts)` → `TaskEither`); the notebook surface is the methods here
 * (`await trainer.fit(x, y, opts)`), which throw a `TensorfoldError` on failure.
 *
 * Keys: the per-step key is `foldIn(trainKey, step)`, and the shuffle order of an epoch comes from
 * `foldIn(shuffleKey, step)` at the epoch's start — so training is a deterministic function of the seed,
 * the data and the step count, which is what the fold law needs.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Tree } from '../core/Tree.js'
import { type Key, split, foldIn } from '../core/Key.js'
import { orThrow, tfError } from '../core/errors.js'
import type { ModelLike } from '../layers/Model.js'
import type { GradientTransformation } from '../optimizers/base.js'
import { getLearningRate, setLearningRate } from '../optimizers/alias.js'
import { type LossFn, type StepFns, stepFns } from './step.js'
import type { MetricSource } from './registry.js'
import type { Logs } from './History.js'
import type { FitResult, FitOptionsInput, EvaluateOptionsInput, PredictOptionsInput, BatchOptionsInput, CustomTrainStep, CustomTestStep } from './options.js'
// fit.ts and evaluate.ts import this module's types only, so these imports make no cycle
import { fit as fitTE } from './fit.js'
import { type Predictions, type Batch, trainStep as trainStepThrowing, evaluate as evaluateTE, predict as predictTE, trainOnBatch as trainOnBatchE, testOnBatch as testOnBatchE, predictOnBatch as predictOnBatchE } from './evaluate.js'
import { deepFreeze } from '../core/freeze.js'
import type { TrainError } from './errors.js'

/** @internal What `compile` resolved, shared unchanged by every trainer derived from it. */
export interface TrainConfig {
  readonly optimizer: GradientTransformation<Tree>
  /** the optimizer's Keras name when given by name */
  readonly optimizerName: string | undefined
  /** one loss per output, and the name it was given by (for metric resolution) */
  readonly losses: ReadonlyArray<LossFn | undefined>
  readonly lossNames: ReadonlyArray<string | undefined>
  readonly lossWeights: ReadonlyArray<number>
  /** per output: the metrics, in the order given (unweighted first, then weighted) */
  readonly metrics: ReadonlyArray<ReadonlyArray<MetricSource>>
  readonly metricsNames: ReadonlyArray<string>
  readonly runEagerly: boolean
  /** batches per compiled call (`fit`, `evaluate`, `predict`); 1 unless compiled with `stepsPerExecution` */
  readonly stepsPerExecution: number
  /** `'temporal'`: sample weights must be per time step (`[n, time]`) */
  readonly sampleWeightMode?: 'temporal'
  /** a custom training step that `fit` and `trainOnBatch` run instead of the default one */
  readonly trainStep: CustomTrainStep | undefined
  /** a custom test step that `evaluate`, fit's validation and `testOnBatch` run instead of the default one */
  readonly testStep: CustomTestStep | undefined
  readonly seed: number
}

/** @internal The fields of a trainer (declared once, on the class below). */
export type TrainerFields = Pick<Trainer, 'model' | 'optState' | 'step' | 'key' | 'config' | 'fns'>

/** A model's new weights after a training step, over a model of the same structure (`base`). */
class Stepped {
  constructor(
    readonly base: ModelLike,
    readonly params: Tree,
    readonly state: Tree
  ) {}
}

/** Whether a value is a trainer. */
export const isTrainer = (u: unknown): u is Trainer => u instanceof Trainer

/**
 * An immutable trainer. Get one from `Trainer.compile(model, opts)` (Either) or `model.compile(opts)`
 * (throws). See the module header for the two surfaces.
 */
export class Trainer {
  readonly _tag = 'Trainer' as const
  /** the model, or (after a training step) its new weights until the model is first read */
  #model: ModelLike | Stepped
  /** the optimizer state (undefined until the model is built) */
  readonly optState: Tree | undefined
  /** the number of training steps taken */
  readonly step: number
  /** the trainer's root key (from `seed`) */
  readonly key: Key
  /** @internal */
  readonly config: TrainConfig
  /** @internal the (possibly jitted) step functions of the built model */
  readonly fns: StepFns | undefined

  /** @internal use `compile`. */
  constructor(f: Omit<TrainerFields, 'model'> & { readonly model: ModelLike | Stepped }) {
    this.#model = f.model
    this.optState = f.optState
    this.step = f.step
    this.key = f.key
    this.config = f.config
    this.fns = f.fns
    // deeply: nothing reachable from a trainer (optimizer state, configuration, step functions, the
    // weights) can be written from outside; what earlier trainers shared is remembered, so this walks
    // only what is new
    deepFreeze(this)
    deepFreeze(f.model)
  }

  /** The model, with the trainer's current weights (the same value on every read). */
  get model(): ModelLike {
    const m = this.#model
    if (!(m instanceof Stepped)) return m
    // a model value (its weight list, closures, deep freeze) costs about as much as a small kernel, so a
    // training step keeps only the new weights and the model is made from them when someone asks
    const made = m.base.withWeights(m.params, m.state)
    this.#model = made
    return made
  }

  /** @internal A trainer with some fields replaced. */
  with(f: Partial<TrainerFields>): Trainer {
    return new Trainer({ model: this.#model, optState: this.optState, step: this.step, key: this.key, config: this.config, fns: this.fns, ...f })
  }

  /**
   * @internal The trainer after training steps: new weights (as `model.withWeights(params, state)`, made
   * when the model is first read), optimizer state and step count.
   */
  stepped(params: Tree, state: Tree, optState: Tree, step: number): Trainer {
    const m = this.#model
    return new Trainer({ model: new Stepped(m instanceof Stepped ? m.base : m, params, state), optState, step, key: this.key, config: this.config, fns: this.fns })
  }

  /** The same trainer over a model of the same structure with other weights (e.g. restored ones). */
  withModel(model: ModelLike): Trainer {
    return this.with({ model })
  }

  /** Keras's `metrics_names`: `['loss', 'mae']`, or per output `['loss', 'out_loss', 'out_1_loss', 'out_mae', …]`. */
  get metricsNames(): ReadonlyArray<string> {
    return this.config.metricsNames
  }
  /** The trainable weights (the model's params tree). */
  get params(): Tree {
    return this.#model.params
  }
  /** The non-trainable state (the model's state tree). */
  get state(): Tree {
    return this.#model.state
  }
  /** The optimizer in use. */
  get optimizer(): GradientTransformation<Tree> {
    return this.config.optimizer
  }
  /** The learning rate of the next step (named optimizers), or undefined. */
  get learningRate(): number | undefined {
    return this.optState === undefined ? undefined : getLearningRate(this.optState)
  }
  /** @internal The learning rate, or an error naming `who` needs it. */
  learningRateE(who: string): E.Either<TrainError, number> {
    if (this.optState === undefined) return E.left(tfError('NotBuilt', `${who}: the model is not built yet, so the optimizer has no state`, { op: who }))
    const lr = getLearningRate(this.optState)
    return lr === undefined
      ? E.left(tfError('NoLearningRate', `${who}: the optimizer keeps no learning rate in its state; compile with a named optimizer ('adam', 'sgd', …) or injectLearningRate`, { op: who }))
      : E.right(lr)
  }
  /** A trainer whose next steps use learning rate `lr` (named optimizers). @example trainer.withLearningRate(1e-4) */
  withLearningRate(lr: number): E.Either<TrainError, Trainer> {
    if (this.optState === undefined) return E.left(tfError('NotBuilt', 'withLearningRate: the model is not built yet, so the optimizer has no state', {}))
    return E.map((optState: Tree) => this.with({ optState }))(setLearningRate(this.optState, lr))
  }

  /** Whether the steps run op by op (`runEagerly`) rather than compiled with `jit`. */
  get runEagerly(): boolean {
    return this.config.runEagerly
  }
  /**
   * Keras's settable `run_eagerly`, as an immutable update: a trainer with the same model, optimizer
   * state, step and key whose steps run eagerly (or compiled). This trainer is unchanged.
   * @example const debug = trainer.withRunEagerly(true)
   */
  withRunEagerly(runEagerly: boolean): Trainer {
    if (typeof runEagerly !== 'boolean') orThrow(E.left(tfError('InvalidOption', `withRunEagerly: expected a boolean, received ${String(runEagerly)}`, { expected: 'boolean', received: runEagerly })))
    if (runEagerly === this.config.runEagerly) return this
    const config: TrainConfig = Object.freeze({ ...this.config, runEagerly })
    const c = config
    const fns = this.fns === undefined ? undefined : stepFns({ model: this.model, losses: c.losses, lossWeights: c.lossWeights, optimizer: c.optimizer }, runEagerly)
    return this.with({ config, fns })
  }

  /** @internal The key of step `step`. */
  stepKey(step: number = this.step): Key {
    return foldIn(split(this.key, 3)[0], step)
  }
  /** @internal The key of the shuffle order of the epoch starting at `step`. */
  shuffleKey(step: number = this.step): Key {
    return foldIn(split(this.key, 3)[1], step)
  }
  /** @internal The key for evaluation and prediction (layers use it only when training). */
  inferenceKey(): Key {
    return split(this.key, 3)[2]
  }

  // ------------------------------------------------------------------------------------------------
  // the notebook surface: same functions, throwing instead of returning Either

  /** Train. Resolves to `{trainer, history}`; this trainer is unchanged. @example const { trainer: t2, history } = await trainer.fit(x, y, { epochs: 10 }) */
  async fit(x: unknown, y?: unknown, options?: FitOptionsInput): Promise<FitResult> {
    return orThrow(await fitTE(this, x, y, options)())
  }
  /** Loss and metrics on data, in `metricsNames` order (or a record with `returnDict`). */
  async evaluate(x: unknown, y?: unknown, options?: EvaluateOptionsInput): Promise<ReadonlyArray<number> | Logs> {
    return orThrow(await evaluateTE(this, x, y, options)())
  }
  /** Predictions for data: a tensor (one output) or one tensor per output. */
  async predict(x: unknown, options?: PredictOptionsInput): Promise<Predictions> {
    return orThrow(await predictTE(this, x, options)())
  }
  /** One pure training step (the default step, as `Trainer.trainStep` but throwing): `[newTrainer, logs]`. */
  trainStep(batch: Batch): readonly [Trainer, Logs] {
    return trainStepThrowing(this, batch)
  }
  /** One training step on one batch: `[newTrainer, values in metricsNames order]`. */
  trainOnBatch(x: unknown, y: unknown, options?: BatchOptionsInput): readonly [Trainer, ReadonlyArray<number> | Logs] {
    return orThrow(trainOnBatchE(this, x, y, options))
  }
  /** Loss and metrics of one batch, without training. */
  testOnBatch(x: unknown, y: unknown, options?: BatchOptionsInput): ReadonlyArray<number> | Logs {
    return orThrow(testOnBatchE(this, x, y, options))
  }
  /** Predictions for one batch. */
  predictOnBatch(x: unknown): Predictions {
    return orThrow(predictOnBatchE(this, x))
  }
  toString(): string {
    return `Trainer(${this.model.name}, step ${this.step}, metrics ${JSON.stringify(this.metricsNames)})`
  }
}
