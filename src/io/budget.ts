/**
 * The loader's weight budget: while `load` rebuilds a model from a file, every built-in layer is charged,
 * **before** it allocates anything, the number of weight values (params and state) its config and input
 * shape imply; a layer that would need more than the weights file holds is refused. So a file cannot
 * declare a `dense(2**30)`, a `conv2d(2**20, 64)`, an `embedding(2**30, 8)` or an `lstm(2**16)` and make
 * the loader allocate it.
 *
 * `weightCount(kind, config, inputShape)` knows every built-in kind with weights (Dense, the
 * convolutions, BatchNormalization, LayerNormalization, Embedding, SimpleRNN, LSTM, GRU, and the
 * Bidirectional / TimeDistributed wrappers through the layer they wrap); weightless kinds cost 0. A kind
 * it does not know (MultiHeadAttention, whose count depends on several inputs) is built, then charged
 * what it holds, and refused if that is over the budget.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { size as sizeOf } from '../core/Shape.js'
import { isTensor, type Tensor } from '../core/Tensor.js'
import type { AnyLayer } from '../layers/Layer.js'
import { ioError } from './errors.js'

/** Bounds the weight values built-in layers may allocate while a file is being rebuilt. */
export interface Budget {
  remaining: number
  /** load turns the guard off once the model is built, so the loaded model behaves like any other */
  active: boolean
}

type Cfg = { readonly [k: string]: unknown }

const WEIGHTLESS = new Set([
  'Activation', 'Dropout', 'Flatten', 'Reshape', 'Identity', 'LeakyReLU', 'Add', 'Multiply', 'Average', 'Concatenate', 'Masking',
  'MaxPooling1D', 'MaxPooling2D', 'MaxPooling3D', 'AveragePooling1D', 'AveragePooling2D', 'AveragePooling3D',
  'GlobalAveragePooling1D', 'GlobalAveragePooling2D', 'GlobalAveragePooling3D', 'GlobalMaxPooling1D', 'GlobalMaxPooling2D', 'GlobalMaxPooling3D',
  'UpSampling2D', 'ZeroPadding2D', 'Cropping2D', 'RepeatVector', 'Permute', 'SpatialDropout1D', 'SpatialDropout2D', 'GaussianNoise', 'Rescaling',
  'Attention', 'AdditiveAttention'
])

const num = (v: unknown, d = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : d)
const ints = (v: unknown, rank: number): number[] => (typeof v === 'number' ? Array.from({ length: rank }, () => v) : Array.isArray(v) ? v.map((e) => num(e, 1)) : [])
const bias = (c: Cfg, n: number): number => (c.useBias === false ? 0 : n)
/** The size of the axes `axis` (negative from the end) of a shape; unknown sizes count as 0. */
const axesSize = (s: ReadonlyArray<number | null>, axis: unknown): number => {
  const axes = (typeof axis === 'number' ? [axis] : Array.isArray(axis) ? axis : [-1]).map((a) => num(a, -1))
  return axes.reduce((p, a) => p * num(s[a < 0 ? a + s.length : a]), 1)
}

/**
 * The weight values (params and state) a built-in layer of `kind` and `config` allocates for an input of
 * shape `s`, or undefined for a kind not listed here.
 * @example weightCount('Dense', { units: 4 }, [null, 3]) // 16
 */
export const weightCount = (kind: string, c: Cfg, s: ReadonlyArray<number | null>): number | undefined => {
  if (WEIGHTLESS.has(kind)) return 0
  const last = num(s[s.length - 1])
  const channels = c.dataFormat === 'channels_first' ? num(s[1]) : last
  switch (kind) {
    case 'Dense':
      return last * num(c.units) + bias(c, num(c.units))
    case 'Conv1D':
    case 'Conv2D':
    case 'Conv3D': {
      const k = ints(c.kernelSize, s.length - 2)
      return sizeOf(k) * Math.floor(channels / Math.max(1, num(c.groups, 1))) * num(c.filters) + bias(c, num(c.filters))
    }
    case 'Conv2DTranspose':
      return sizeOf(ints(c.kernelSize, 2)) * num(c.filters) * channels + bias(c, num(c.filters))
    case 'DepthwiseConv2D': {
      const m = num(c.depthMultiplier, 1)
      return sizeOf(ints(c.kernelSize, 2)) * channels * m + bias(c, channels * m)
    }
    case 'SeparableConv2D': {
      const m = num(c.depthMultiplier, 1)
      return sizeOf(ints(c.kernelSize, 2)) * channels * m + channels * m * num(c.filters) + bias(c, num(c.filters))
    }
    case 'BatchNormalization':
    case 'LayerNormalization': {
      const n = axesSize(s, c.axis)
      return (c.center === false ? 0 : n) + (c.scale === false ? 0 : n) + (kind === 'BatchNormalization' ? 2 * n : 0)
    }
    case 'Embedding':
      return num(c.inputDim) * num(c.outputDim)
    case 'SimpleRNN':
    case 'LSTM':
    case 'GRU': {
      const u = num(c.units)
      const gates = kind === 'LSTM' ? 4 : kind === 'GRU' ? 3 : 1
      const b = kind === 'GRU' && c.resetAfter !== false ? 2 * gates * u : gates * u
      return gates * (last * u + u * u) + bias(c, b)
    }
    case 'Bidirectional':
    case 'TimeDistributed': {
      const inner = c.layer as { kind?: unknown; config?: unknown } | undefined
      if (inner === undefined || typeof inner.kind !== 'string' || typeof inner.config !== 'object' || inner.config === null) return undefined
      const n = weightCount(inner.kind, inner.config as Cfg, kind === 'TimeDistributed' ? [s[0], ...s.slice(2)] : s)
      return n === undefined ? undefined : kind === 'Bidirectional' ? 2 * n : n
    }
    default:
      return undefined
  }
}

const heldBy = (b: unknown): number => {
  let n = 0
  const walk = (v: unknown): void => {
    if (isTensor(v)) n += (v as Tensor).size
    else if (Array.isArray(v)) v.forEach(walk)
    else if (typeof v === 'object' && v !== null) Object.values(v).forEach(walk)
  }
  walk(b)
  return n
}

/** Wrap a built-in layer so that its `init` first checks the budget (the layer is otherwise the same). */
export const guarded = (l: AnyLayer, budget: Budget | undefined, path: string): AnyLayer => {
  if (budget === undefined || WEIGHTLESS.has(l.kind)) return l
  // a layer is initialised more than once while a graph is built (shape inference, then the model):
  // its first init is charged to the budget, later ones may not ask for more than that
  let charged: number | undefined
  const over = (n: number, limit: number, s: unknown) =>
    E.left(ioError('InvalidWeights', path, `at most ${limit} more weight values (what the weights file holds)`, n, `${path}: layer "${l.name}" would allocate ${n} weight values for input shape ${JSON.stringify(s)}, more than the weights file holds`))
  const charge = (n: number): void => {
    if (charged === undefined) {
      charged = n
      budget.remaining -= n
    }
  }
  return Object.freeze({
    ...l,
    init: (k: Parameters<AnyLayer['init']>[0], s: Parameters<AnyLayer['init']>[1]) => {
      if (!budget.active) return l.init(k, s)
      const limit = charged ?? budget.remaining
      const n = Array.isArray(s) ? weightCount(l.kind, l.config as Cfg, s as ReadonlyArray<number | null>) : undefined
      if (n !== undefined) {
        if (n > limit) return over(n, limit, s)
        charge(n)
        return l.init(k, s)
      }
      // a kind whose count needs its build: charged what it holds
      const built = l.init(k, s)
      if (E.isLeft(built)) return built
      const held = heldBy(built.right.params) + heldBy(built.right.state)
      if (held > limit) return over(held, limit, s)
      charge(held)
      return built
    }
  }) as AnyLayer
}
