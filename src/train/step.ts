/**
 * The training step as ONE pure function over a tree of tensors, and its evaluation and prediction
 * siblings. They are what `jit` compiles when `runEagerly` is false:
 *
 * ```
 * stepFn({params, optState, state, xs, ys, sampleWeight}, key)
 *   => {params, optState, state, loss, perOutputLosses, yPreds, masks}
 * ```
 *
 * Rules that keep them compilable: no host reads (`dataSync`, `toArray`, `item`); no branching on tensor
 * values; randomness only from the key argument (layers get it through `ctx.key`). Metric updates read
 * numbers, so they happen outside, on the returned `yPreds`.
 *
 * The loss is Keras's: per output, the mean over the batch of the per-sample losses times the sample
 * weights (`Σ wᵢ·lossᵢ / batch`; a `withReduction` loss: `'sum'` trains and logs `Σ wᵢ·lossᵢ`, `'none'`
 * trains on `Σ wᵢ·lossᵢ` and logs their mean, which an epoch weighs by `batch × their count`), then the sum over outputs weighted by `lossWeights`, plus the layers'
 * regularization (weight penalties and activity penalties), in training and in evaluation alike.
 *
 * Frozen weights (`trainable: false`) are cut out of the differentiated tree: `params` is split into the
 * trainable part (what `valueAndGrad` and the optimizer see; its state covers only these) and the rest,
 * which is passed through untouched — the very same tensors, so frozen weights stay bit-identical.
 * Constraints project the updated trainable weights after each update.
 *
 * @since 0.1.0
 */
import { type Tensor, scalar } from '../core/Tensor.js'
import { fail, show } from '../core/errors.js'
import type { Tree } from '../core/Tree.js'
import { type Key, member } from '../core/Key.js'
import type { ModelLike, ParamSpec } from '../layers/Model.js'
import { getAt, setAt } from '../layers/common.js'
import type { GradientTransformation } from '../optimizers/base.js'
import { applyUpdates } from '../optimizers/base.js'
import { valueAndGrad } from '../ad/grad.js'
import { stopGradient } from '../ad/vjp.js'
import { mul, div, add, sum, reshape, maximum } from '../primitives/index.js'
import { mean } from '../ops/reductions.js'
import { jit } from '../compile/jit.js'
import { reductionOf, weighted } from '../losses/functions.js'

/** A loss: targets and predictions in, one loss per sample (`[batch]`, or `[batch, …]` averaged) out. */
export type LossFn = (yTrue: Tensor, yPred: Tensor) => Tensor

/** The inputs of a training step. */
export type StepIn = {
  readonly params: Tree
  readonly optState: Tree
  readonly state: Tree
  readonly xs: ReadonlyArray<Tensor>
  readonly ys: ReadonlyArray<Tensor>
  /** per output, `[batch]` weights, or `[batch, time]` per-step weights (ones when unweighted) */
  readonly sampleWeight: ReadonlyArray<Tensor>
}

/** The outputs of a training step. */
export type StepOut = {
  readonly params: Tree
  readonly optState: Tree
  readonly state: Tree
  readonly loss: Tensor
  readonly perOutputLosses: ReadonlyArray<Tensor>
  readonly yPreds: ReadonlyArray<Tensor>
  /** the masks of the masked outputs (`[batch, time]`), by output index; metrics weigh steps by them */
  readonly masks: OutputMasks
  /** per output, how many values its logged loss is the mean of (see {@link EvalOut}) */
  readonly logCounts: ReadonlyArray<Tensor>
}

/** The masks of a model's masked outputs by output index (`'0'`, `'1'`, …); outputs without a mask are absent. */
export type OutputMasks = { readonly [output: string]: Tensor }

/** The inputs of an evaluation step. */
export type EvalIn = {
  readonly params: Tree
  readonly state: Tree
  readonly xs: ReadonlyArray<Tensor>
  readonly ys: ReadonlyArray<Tensor>
  readonly sampleWeight: ReadonlyArray<Tensor>
}

/** The outputs of an evaluation step. */
export type EvalOut = {
  readonly loss: Tensor
  readonly perOutputLosses: ReadonlyArray<Tensor>
  readonly yPreds: ReadonlyArray<Tensor>
  readonly masks: OutputMasks
  /**
   * per output, a scalar: how many values its logged loss is the mean of — 1 for a reduced loss, the size
   * of the per-sample loss tensor (`[batch, …]`) for a `'none'` one. Keras 2.15's loss `Mean` metrics get
   * that whole tensor with weight `batch`, so a batch counts `batch × this` in an epoch's logged loss
   */
  readonly logCounts: ReadonlyArray<Tensor>
}

/** The inputs of a prediction step. */
export type PredictIn = {
  readonly params: Tree
  readonly state: Tree
  readonly xs: ReadonlyArray<Tensor>
}

/** What the step functions are made of. */
export interface StepSpec {
  readonly model: ModelLike
  /** one loss per output; `undefined` for an output that is not trained */
  readonly losses: ReadonlyArray<LossFn | undefined>
  readonly lossWeights: ReadonlyArray<number>
  readonly optimizer: GradientTransformation<Tree>
}

/**
 * Per-output losses as Keras 2.15's LossesContainer: `train` is what is differentiated, `log` what is
 * logged. `'sum_over_batch_size'` (plain functions): both the mean over the batch of weighted per-sample
 * losses. `'sum'`: both the weighted sum. `'none'`: train on the sum, log the mean of the values.
 */
const outputLosses = (
  spec: StepSpec,
  ys: ReadonlyArray<Tensor>,
  yPreds: ReadonlyArray<Tensor>,
  sw: ReadonlyArray<Tensor>,
  masks?: ReadonlyArray<Tensor | undefined>
): { readonly train: Tensor[]; readonly log: Tensor[]; readonly counts: Tensor[] } => {
  const counts = yPreds.map(() => scalar(1))
  const pairs = yPreds.map((yp, i): readonly [Tensor, Tensor] => {
    const loss = spec.losses[i]
    if (loss === undefined) return [scalar(0), scalar(0)]
    const { reduction, perSample: fn } = reductionOf(loss)
    const raw = fn(ys[i], yp)
    const w = stepWeights(raw, sw[i], masks?.[i])
    if (reduction !== 'sum_over_batch_size') {
      // masked steps weigh 0 (Keras multiplies the sample weight by the mask)
      const v = w !== undefined ? mul(raw, w) : weighted(raw.shape.length === 0 ? reshape(raw, [1]) : raw, sw[i])
      const s = sum(v)
      if (reduction === 'sum') return [s, s]
      counts[i] = scalar(v.size)
      return [s, div(s, Math.max(1, v.size))]
    }
    if (w !== undefined) {
      // Keras 2.15 (`losses_utils.apply_valid_mask` + `compute_weighted_loss`): Σ loss·weight·mask over the
      // batch and the steps, divided by the number of real steps (all steps without a mask)
      const m = masks?.[i]
      const l = m !== undefined && sameShape(m, raw) ? div(sum(mul(raw, w)), maximum(sum(m), 1e-7)) : div(sum(mul(raw, w)), Math.max(1, raw.size))
      return [l, l]
    }
    // a loss that keeps more than the batch axis is averaged over the rest first; a scalar (a loss that
    // already took the batch mean, as tfjs losses do) stands for every sample: Keras broadcasts it against
    // the weights and divides by their count, so it logs that mean (times the mean weight)
    const perSample = raw.shape.length > 1 ? mean(raw, raw.shape.slice(1).map((_, j) => j + 1)) : raw.shape.length === 0 ? reshape(raw, [1]) : raw
    const v = mul(perSample, sw[i])
    const l = div(sum(v), v.shape[0])
    return [l, l]
  })
  return { train: pairs.map((p) => p[0]), log: pairs.map((p) => p[1]), counts }
}

const sameShape = (a: Tensor, b: Tensor): boolean => a.shape.length === b.shape.length && a.shape.every((d, j) => d === b.shape[j])

/**
 * The per-step weights of a sequence loss (`raw` of shape `[batch, time]`), or undefined for a plain
 * per-sample loss: temporal sample weights (`[batch, time]`, Keras's `sampleWeightMode: 'temporal'`) or
 * per-sample weights spread over the steps, times the output's mask when it has one.
 */
const stepWeights = (raw: Tensor, sw: Tensor, mask: Tensor | undefined): Tensor | undefined => {
  const masked = mask !== undefined && sameShape(mask, raw)
  const temporal = sw.shape.length === 2
  if (temporal && !sameShape(sw, raw))
    fail('ShapeMismatch', `temporal sample weights of shape ${show(sw.shape)} need a loss of one value per sample and time step, but the loss gives shape ${show(raw.shape)} (temporal weights need an output of shape [batch, time, ...])`, {
      op: 'loss',
      expected: raw.shape,
      actual: sw.shape
    })
  if (!temporal && !masked) return undefined
  const base = temporal ? sw : reshape(sw, [sw.shape[0], 1])
  return masked ? mul(mask, base) : base
}

/** The masks of the outputs that have one, by output index (stopped: they carry no gradient). */
const maskRecord = (masks: ReadonlyArray<Tensor | undefined> | undefined): OutputMasks => {
  const out: Record<string, Tensor> = {}
  masks?.forEach((m, i) => {
    if (m !== undefined) out[String(i)] = stopGradient(m)
  })
  return Object.freeze(out)
}

const total = (spec: StepSpec, losses: ReadonlyArray<Tensor>): Tensor =>
  losses.reduce<Tensor | undefined>((acc, l, i) => {
    const w = spec.lossWeights[i] === 1 ? l : mul(l, spec.lossWeights[i])
    return acc === undefined ? w : add(acc, w)
  }, undefined) as Tensor

// ---------------------------------------------------------------------------------------------------
// trainable part, regularization, constraints

const specsOf = (m: ModelLike): ReadonlyArray<ParamSpec> => m.paramSpecs ?? []

/** The empty record standing for a frozen leaf in the trainable part (a tree without leaves). */
const hole: Tree = Object.freeze({})

/**
 * The trainable part of a params tree: frozen leaves replaced by empty records, so that gradients and
 * optimizer state exist for trainable weights only. Without frozen weights, the tree itself.
 * @example trainablePart(model, model.params)
 */
export const trainablePart = (m: ModelLike, params: Tree): Tree =>
  specsOf(m).reduce((t, s) => (s.trainable ? t : setAt(t, s.path, hole)), params)

/** The full params: the trainable leaves of `part` put back into `params` (frozen ones kept as they are). */
const merged = (m: ModelLike, params: Tree, part: Tree): Tree => {
  const specs = specsOf(m)
  if (specs.every((s) => s.trainable)) return part
  return specs.reduce((t, s) => (s.trainable ? setAt(t, s.path, getAt(part, s.path)) : t), params)
}

/** The sum of the weight penalties and the layers' extra losses (undefined when there are none). */
const regularization = (m: ModelLike, params: Tree, extra: ReadonlyArray<Tensor> | undefined): Tensor | undefined => {
  const terms: Tensor[] = []
  for (const s of specsOf(m)) if (s.regularizer !== undefined) terms.push(s.regularizer.penalty(getAt(params, s.path) as Tensor))
  for (const l of extra ?? []) terms.push(l.shape.length === 0 ? l : sum(l))
  return terms.reduce<Tensor | undefined>((acc, t) => (acc === undefined ? t : add(acc, t)), undefined)
}

const withRegularization = (base: Tensor, reg: Tensor | undefined): Tensor => (reg === undefined ? base : add(base, reg))

/** Apply the constraints to the (updated) trainable part. */
const constrained = (m: ModelLike, part: Tree): Tree =>
  specsOf(m).reduce((t, s) => (s.trainable && s.constraint !== undefined ? setAt(t, s.path, s.constraint.apply(getAt(t, s.path) as Tensor)) : t), part)

/**
 * The pure training step: forward in training mode, loss, gradients over `params`, optimizer update.
 * @example const out = makeStepFn(spec)({ params, optState, state, xs, ys, sampleWeight }, key)
 */
export const makeStepFn =
  (spec: StepSpec) =>
  (inp: StepIn, key: Key): StepOut => {
    // valueAndGrad differentiates a scalar function; the forward's other results leave it through
    // this local (stopped, so they carry no trace).
    let aux: { state: Tree; yPreds: ReadonlyArray<Tensor>; perOutputLosses: ReadonlyArray<Tensor>; loss: Tensor | undefined; masks: OutputMasks; logCounts: ReadonlyArray<Tensor> } | undefined
    const m = spec.model
    const lossOf = (part: Tree): Tensor => {
      const p = merged(m, inp.params, part)
      const { outputs, state, losses, masks } = m.forward(p, inp.state, inp.xs, { training: true, key })
      const per = outputLosses(spec, inp.ys, outputs, inp.sampleWeight, masks)
      const reg = regularization(m, p, losses)
      aux = {
        state: stopGradient(state),
        yPreds: outputs.map((o) => stopGradient(o)),
        perOutputLosses: per.log.map((l) => stopGradient(l)),
        loss: per.train.every((t, i) => t === per.log[i]) ? undefined : stopGradient(withRegularization(total(spec, per.log), reg)),
        masks: maskRecord(masks),
        logCounts: per.counts
      }
      return withRegularization(total(spec, per.train), reg)
    }
    const part = trainablePart(m, inp.params)
    const [loss, grads] = valueAndGrad(lossOf)(part)
    const [updates, optState] = spec.optimizer.update(grads, inp.optState, part)
    const params = merged(m, inp.params, constrained(m, applyUpdates(part, updates)))
    const a = aux as unknown as NonNullable<typeof aux>
    return { params, optState, state: a.state, loss: a.loss ?? loss, perOutputLosses: a.perOutputLosses, yPreds: a.yPreds, masks: a.masks, logCounts: a.logCounts }
  }

/** The pure evaluation step: forward in inference mode and the losses. */
export const makeEvalFn =
  (spec: StepSpec) =>
  (inp: EvalIn, key: Key): EvalOut => {
    const { outputs, losses, masks } = spec.model.forward(inp.params, inp.state, inp.xs, { training: false, key })
    const per = outputLosses(spec, inp.ys, outputs, inp.sampleWeight, masks)
    return { loss: withRegularization(total(spec, per.log), regularization(spec.model, inp.params, losses)), perOutputLosses: per.log, yPreds: outputs, masks: maskRecord(masks), logCounts: per.counts }
  }

/** The pure prediction step: forward in inference mode. */
export const makePredictFn =
  (spec: StepSpec) =>
  (inp: PredictIn, key: Key): ReadonlyArray<Tensor> =>
    spec.model.forward(inp.params, inp.state, inp.xs, { training: false, key }).outputs

/** One batch of a multi-step call. */
export type BatchIn = Pick<StepIn, 'xs' | 'ys' | 'sampleWeight'>
/** The inputs of a multi-step training call (`stepsPerExecution`): the carried trees and one batch per step. */
export type ManyIn = Pick<StepIn, 'params' | 'optState' | 'state'> & { readonly batches: ReadonlyArray<BatchIn> }

/**
 * Several training steps as one pure function: step `i` runs on batch `i` with key `member(key, i)` (a
 * `bundle` of the steps' keys) and hands its trees to step `i + 1`. Every step's output is returned, so
 * a compiled call keeps each step's results exactly where a single step's plan keeps them (no fusion
 * across steps): N steps in one call equal N single steps bit for bit.
 * @example makeExecutionFn(spec)({ params, optState, state, batches: [b0, b1] }, bundle([k0, k1])).outs[1].params
 */
export const makeExecutionFn = (spec: StepSpec) => {
  const step = makeStepFn(spec)
  return (inp: ManyIn, key: Key): { readonly outs: ReadonlyArray<StepOut> } => {
    const outs: StepOut[] = []
    let carry: Pick<StepIn, 'params' | 'optState' | 'state'> = inp
    inp.batches.forEach((b, i) => {
      const o = step({ params: carry.params, optState: carry.optState, state: carry.state, ...b }, member(key, i))
      outs.push(o)
      carry = o
    })
    return { outs }
  }
}

/** Several evaluation steps as one function (the same weights and key for each batch). */
const makeEvalManyFn = (spec: StepSpec) => {
  const ev = makeEvalFn(spec)
  return (inp: Pick<EvalIn, 'params' | 'state'> & { readonly batches: ReadonlyArray<BatchIn> }, key: Key): { readonly outs: ReadonlyArray<EvalOut> } => ({
    outs: inp.batches.map((b) => ev({ params: inp.params, state: inp.state, ...b }, key))
  })
}

/** Several prediction steps as one function. */
const makePredictManyFn = (spec: StepSpec) => {
  const pr = makePredictFn(spec)
  return (inp: Pick<PredictIn, 'params' | 'state'> & { readonly batches: ReadonlyArray<Pick<PredictIn, 'xs'>> }, key: Key): { readonly outs: ReadonlyArray<ReadonlyArray<Tensor>> } => ({
    outs: inp.batches.map((b) => pr({ params: inp.params, state: inp.state, xs: b.xs }, key))
  })
}

type Fn<F extends (...a: never[]) => unknown> = (...a: Parameters<F>) => ReturnType<F>

/** @internal The step functions, compiled with `jit` unless `runEagerly`; the `…Many` ones run a whole execution in one call. */
export interface StepFns {
  readonly train: (inp: StepIn, key: Key) => StepOut
  /** the async twin of `train` (compiled: large matmuls of a replay run on the worker pool) */
  readonly trainAsync: (inp: StepIn, key: Key) => Promise<StepOut>
  readonly evaluate: (inp: EvalIn, key: Key) => EvalOut
  readonly predict: (inp: PredictIn, key: Key) => ReadonlyArray<Tensor>
  /** several training steps in one call (its key: a `bundle` of the steps' keys) */
  readonly trainManyAsync: (...a: Parameters<ReturnType<typeof makeExecutionFn>>) => Promise<ReturnType<ReturnType<typeof makeExecutionFn>>>
  readonly evaluateMany: Fn<ReturnType<typeof makeEvalManyFn>>
  readonly predictMany: Fn<ReturnType<typeof makePredictManyFn>>
}

/** @internal Build the step functions of a spec. */
export const stepFns = (spec: StepSpec, runEagerly: boolean): StepFns => {
  const train = makeStepFn(spec)
  const evaluate = makeEvalFn(spec)
  const predict = makePredictFn(spec)
  const many = makeExecutionFn(spec)
  const evaluateMany = makeEvalManyFn(spec)
  const predictMany = makePredictManyFn(spec)
  if (runEagerly) return { train, trainAsync: async (i, k) => train(i, k), evaluate, predict, trainManyAsync: async (i, k) => many(i, k), evaluateMany, predictMany }
  const jitted = jit(train)
  return { train: jitted, trainAsync: jitted.async, evaluate: jit(evaluate), predict: jit(predict), trainManyAsync: jit(many).async, evaluateMany: jit(evaluateMany), predictMany: jit(predictMany) }
}
