/**
 * The core layers: `dense`, `activation` (and one constructor per activation), `dropout`, `flatten`,
 * `reshape`, `identity`. Each is a few lines on top of the contract in `Layer.ts`.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type { Tensor } from '../core/Tensor.js'
import { size } from '../core/Shape.js'
import { tfError, type TfError, show, orThrow } from '../core/errors.js'
import { split } from '../core/Key.js'
import { randomUniform as rUniform } from '../core/random.js'
import { matmul, add, mul, compare, maximum, minimum, reshape as reshapeOp } from '../primitives/index.js'
import * as A from '../ops/activations.js'
import {
  type Layer, type BaseOptions, type Empty, makeLayer, featureDims, shapeErr, showShape, checkOptions
} from './Layer.js'
import * as I from './initializers.js'
import { weightOptions, type KernelWeightOptions } from './weights.js'

const none: Empty = Object.freeze({})

// ---------------------------------------------------------------------------------------------------
// activations

/** Activation names (Keras's, plus camelCase spellings). */
export type ActivationName =
  | 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax' | 'elu' | 'selu' | 'gelu' | 'softplus' | 'swish' | 'silu'
  | 'leakyRelu' | 'leaky_relu' | 'hardSigmoid' | 'hard_sigmoid'

/** Every activation by name, as a differentiable tensor function. */
export const activations: { readonly [K in ActivationName]: (x: Tensor) => Tensor } = Object.freeze({
  linear: A.linear,
  relu: A.relu,
  sigmoid: A.sigmoid,
  tanh: A.tanh,
  softmax: (x: Tensor) => A.softmax(x),
  elu: (x: Tensor) => A.elu(x),
  selu: A.selu,
  gelu: (x: Tensor) => A.gelu(x),
  softplus: A.softplus,
  swish: A.swish,
  silu: A.silu,
  leakyRelu: (x: Tensor) => A.leakyRelu(x),
  leaky_relu: (x: Tensor) => A.leakyRelu(x),
  // Keras 2 / TensorFlow.js: clip(0.2·x + 0.5, 0, 1) (TensorFlow.js's LSTM default recurrent activation)
  hardSigmoid: (x: Tensor) => minimum(maximum(add(mul(x, 0.2), 0.5), 0), 1),
  hard_sigmoid: (x: Tensor) => minimum(maximum(add(mul(x, 0.2), 0.5), 0), 1)
})

/** Resolve an activation name; `Left` names the allowed ones. */
export const resolveActivation = (where: string, name: unknown): E.Either<TfError, (x: Tensor) => Tensor> =>
  name === undefined || name === null
    ? E.right(A.linear)
    : typeof name === 'string' && Object.prototype.hasOwnProperty.call(activations, name)
      ? E.right(activations[name as ActivationName])
      : E.left(
          tfError('InvalidOption', `${where}: unknown activation ${show(name)}; expected one of ${Object.keys(activations).map((n) => `'${n}'`).join(', ')}`, {
            path: where,
            expected: Object.keys(activations),
            received: name
          })
        )

/**
 * A layer applying an activation elementwise. Throws on an unknown name (use `Layer.activationE` for `Either`).
 * @example activation('relu')
 */
export const activationE = (name: ActivationName, opts?: BaseOptions): E.Either<TfError, Layer<Empty>> =>
  pipe(
    checkOptions('activation', opts, []),
    E.chain(() => resolveActivation('activation', name)),
    E.map((f) =>
      makeLayer<Empty, Empty>('Activation', { activation: name }, opts, (_k, s) => E.right({ params: none, state: none, outputShape: s }), () => (x) => ({ y: f(x), state: none }))
    )
  )
/** A layer applying an activation elementwise. @example activation('relu') */
export const activation = (name: ActivationName, opts?: BaseOptions): Layer<Empty> => orThrow(activationE(name, opts))
/** `activation('relu')`. */
export const relu = (opts?: BaseOptions): Layer<Empty> => activation('relu', opts)
/** `activation('sigmoid')`. */
export const sigmoid = (opts?: BaseOptions): Layer<Empty> => activation('sigmoid', opts)
/** `activation('tanh')`. */
export const tanh = (opts?: BaseOptions): Layer<Empty> => activation('tanh', opts)
/** `activation('softmax')` (last axis). */
export const softmax = (opts?: BaseOptions): Layer<Empty> => activation('softmax', opts)
/** `activation('linear')`. */
export const linear = (opts?: BaseOptions): Layer<Empty> => activation('linear', opts)
/** `activation('elu')`. */
export const elu = (opts?: BaseOptions): Layer<Empty> => activation('elu', opts)
/** `activation('selu')`. */
export const selu = (opts?: BaseOptions): Layer<Empty> => activation('selu', opts)
/** `activation('gelu')`. */
export const gelu = (opts?: BaseOptions): Layer<Empty> => activation('gelu', opts)
/** `activation('softplus')`. */
export const softplus = (opts?: BaseOptions): Layer<Empty> => activation('softplus', opts)
/** `activation('swish')`. */
export const swish = (opts?: BaseOptions): Layer<Empty> => activation('swish', opts)
/** `activation('silu')`. */
export const silu = (opts?: BaseOptions): Layer<Empty> => activation('silu', opts)

/** Keras's `LeakyReLU`: `x` if positive, `αx` otherwise (default α = 0.3). @example leakyRelu({ alpha: 0.1 }) */
export const leakyRelu = (opts: BaseOptions & { readonly alpha?: number } = {}): Layer<Empty> => {
  orThrow(checkOptions('leakyRelu', opts, ['alpha']))
  const alpha = opts.alpha ?? 0.3
  return makeLayer<Empty, Empty>('LeakyReLU', { alpha }, opts, (_k, s) => E.right({ params: none, state: none, outputShape: s }), () => (x) => ({ y: A.leakyRelu(x, alpha), state: none }))
}

// ---------------------------------------------------------------------------------------------------
// dense

/** Params of a dense layer, in Keras's weight order: kernel `[in, units]`, then bias `[units]`. */
export type DenseParams = { readonly kernel: Tensor; readonly bias: Tensor } | { readonly kernel: Tensor }

/** Options of {@link dense}, Keras's arguments in camelCase. */
export interface DenseOptions extends BaseOptions, KernelWeightOptions {
  readonly activation?: ActivationName
  readonly useBias?: boolean
  readonly kernelInitializer?: I.InitializerLike
  readonly biasInitializer?: I.InitializerLike
}

/** `dense` as `Either` (bad units, activation or initializer names are `Left`). */
export const denseE = (units: number, opts: DenseOptions = {}): E.Either<TfError, Layer<DenseParams>> => {
  if (!Number.isSafeInteger(units) || units <= 0)
    return E.left(tfError('InvalidOption', `dense: expected a positive integer number of units, received ${show(units)}`, { path: 'units', expected: 'positive integer', received: units }))
  const useBias = opts.useBias ?? true
  return pipe(
    checkOptions('dense', opts, ['activation', 'useBias', 'kernelInitializer', 'biasInitializer', 'kernelRegularizer', 'biasRegularizer', 'activityRegularizer', 'kernelConstraint', 'biasConstraint']),
    E.chain(() => weightOptions('dense', opts, { kernel: 'kernel', bias: 'bias' })),
    E.bindTo('w'),
    E.bind('act', () => resolveActivation('dense.activation', opts.activation)),
    E.bind('ki', () => I.resolve('dense.kernelInitializer', opts.kernelInitializer, I.glorotUniform)),
    E.bind('bi', () => I.resolve('dense.biasInitializer', opts.biasInitializer, I.zeros)),
    E.map(({ w, act, ki, bi }) =>
      makeLayer<DenseParams, Empty>(
        'Dense',
        { units, activation: opts.activation ?? 'linear', useBias, kernelInitializer: I.toJson(ki), biasInitializer: I.toJson(bi), ...w.config },
        opts,
        (key, s) => {
          if (s.length < 2) return shapeErr('dense', `expected an input of rank ≥ 2 (batch, …, features), received ${showShape(s)}`, 'rank >= 2', s)
          const d = s[s.length - 1]
          if (d === null || d === 0) return shapeErr('dense', `the last axis of the input must be known and positive, received ${showShape(s)}`, 'known last axis', s)
          const [kk, kb] = split(key, 2)
          const kernel = ki.init(kk, [d, units])
          const params: DenseParams = useBias ? Object.freeze({ kernel, bias: bi.init(kb, [units]) }) : Object.freeze({ kernel })
          return E.right({ params, state: none, outputShape: Object.freeze([...s.slice(0, -1), units]) })
        },
        (p) => (x) => {
          // last axis: [..., in] · [in, units] (matmul broadcasts the kernel over leading axes)
          const xm = x.shape.length === 2 ? x : reshapeOp(x, [-1, x.shape[x.shape.length - 1]])
          const z = matmul(xm, p.kernel)
          const zb = 'bias' in p ? add(z, p.bias) : z
          const y = x.shape.length === 2 ? zb : reshapeOp(zb, [...x.shape.slice(0, -1), units])
          return { y: act(y), state: none }
        },
        w
      )
    )
  )
}

/**
 * A densely connected layer: `activation(x · kernel + bias)` on the last axis.
 * @example dense(8, { activation: 'relu', inputShape: [16] })
 */
export const dense = (units: number, opts: DenseOptions = {}): Layer<DenseParams> => orThrow(denseE(units, opts))

// ---------------------------------------------------------------------------------------------------
// dropout, flatten, reshape, identity

/** `dropout` as `Either` (the rate must be in [0, 1)). */
export const dropoutE = (rate: number, opts: BaseOptions = {}): E.Either<TfError, Layer<Empty>> =>
  E.isLeft(checkOptions('dropout', opts, []))
    ? (checkOptions('dropout', opts, []) as E.Either<TfError, never>)
    : typeof rate !== 'number' || !(rate >= 0 && rate < 1)
    ? E.left(tfError('InvalidOption', `dropout: expected a rate in [0, 1), received ${show(rate)}`, { path: 'rate', expected: '[0, 1)', received: rate }))
    : E.right(
        makeLayer<Empty, Empty>('Dropout', { rate }, opts, (_k, s) => E.right({ params: none, state: none, outputShape: s }), () => (x, ctx) => {
          if (!ctx.training || rate === 0) return { y: x, state: none }
          // inverted dropout: keep with probability 1 − rate, scale the kept values by 1 / (1 − rate)
          const keep = compare(rUniform(ctx.key, x.shape), rate, 'ge')
          return { y: mul(x, mul(keep, 1 / (1 - rate))), state: none }
        })
      )
/**
 * Sets inputs to 0 with probability `rate` while training (using the key of `ctx`), scaling the others
 * by `1 / (1 − rate)`; the identity in inference. @example dropout(0.5)
 */
export const dropout = (rate: number, opts: BaseOptions = {}): Layer<Empty> => orThrow(dropoutE(rate, opts))

/** Flattens every axis but the batch axis: `[null, 4, 3]` -> `[null, 12]`. @example flatten() */
export const flatten = (opts: BaseOptions = {}): Layer<Empty> => {
  orThrow(checkOptions('flatten', opts, []))
  return makeLayer<Empty, Empty>(
    'Flatten',
    {},
    opts,
    (_k, s) =>
      pipe(
        featureDims('flatten', s),
        E.map((f) => ({ params: none, state: none, outputShape: Object.freeze([s[0], size(f)]) }))
      ),
    () => (x) => ({ y: reshapeOp(x, [x.shape[0], size(x.shape.slice(1))]), state: none })
  )
}

/** `reshape` as `Either` (the target must be integers, at most one −1). */
export const reshapeE = (targetShape: ReadonlyArray<number>, opts: BaseOptions = {}): E.Either<TfError, Layer<Empty>> => {
  const ok = checkOptions('reshape', opts, [])
  if (E.isLeft(ok)) return ok
  const valid = Array.isArray(targetShape) && targetShape.every((d) => Number.isSafeInteger(d) && d >= -1) && targetShape.filter((d) => d === -1).length <= 1
  if (!valid)
    return E.left(tfError('InvalidOption', `reshape: expected a target shape of non-negative integers with at most one -1, received ${show(targetShape)}`, { path: 'targetShape', expected: 'shape', received: targetShape }))
  const target = [...targetShape]
  return E.right(
    makeLayer<Empty, Empty>(
      'Reshape',
      { targetShape: target },
      opts,
      (_k, s) =>
        pipe(
          featureDims('reshape', s),
          E.chain((f) => {
            const n = size(f)
            const known = target.reduce((p, d) => (d === -1 ? p : p * d), 1)
            const out = target.map((d) => (d === -1 ? (known === 0 ? 0 : n / known) : d))
            return Number.isInteger(out[target.indexOf(-1)] ?? 0) && size(out) === n
              ? E.right({ params: none, state: none, outputShape: Object.freeze([s[0], ...out]) })
              : shapeErr('reshape', `total size of the new array must be unchanged: input shape ${showShape(s)}, target shape ${JSON.stringify(target)}`, target, s)
          })
        ),
      () => (x) => ({ y: reshapeOp(x, [x.shape[0], ...target]), state: none })
    )
  )
}
/** Reshapes the non-batch axes (one may be −1). @example reshape([4, 3]) */
export const reshape = (targetShape: ReadonlyArray<number>, opts: BaseOptions = {}): Layer<Empty> => orThrow(reshapeE(targetShape, opts))

/** The identity layer: the unit of `sequential`. @example sequential([identity(), dense(2)]) */
export const identity = (opts: BaseOptions = {}): Layer<Empty> => {
  orThrow(checkOptions('identity', opts, []))
  return makeLayer<Empty, Empty>('Identity', {}, opts, (_k, s) => E.right({ params: none, state: none, outputShape: s }), () => (x) => ({ y: x, state: none }))
}
