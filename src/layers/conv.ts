/**
 * Convolution layers, as Keras 2.15's (`tf.keras.layers.Conv1D/2D/3D`, `Conv2DTranspose`) with camelCase
 * options: `conv1d`, `conv2d`, `conv3d`, `conv2dTranspose`. The depthwise and separable convolutions are
 * in `separable.ts`, pooling in `pooling.ts`, what they share in `spatial.ts`.
 *
 * Keras's positional arguments come first (`conv2d(filters, kernelSize, opts)`), then an options record;
 * an option a layer does not know is an error naming the ones it does. Weights have Keras's layouts and
 * names: `kernel` `[...window, in / groups, filters]` (`[...window, filters, in]` for the transposed
 * convolution), `bias`. Inputs are channels-last by default; `dataFormat: 'channels_first'` transposes
 * around the same kernels. `trainable`, `kernelRegularizer`, `biasRegularizer`, `activityRegularizer`,
 * `kernelConstraint` and `biasConstraint` are Keras's (see `weights.ts`).
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type { Tensor } from '../core/Tensor.js'
import { split } from '../core/Key.js'
import { tfError, type TfError, show, orThrow } from '../core/errors.js'
import { conv, convTranspose, convTransposeLength, type ConvPadding } from '../ops/conv.js'
import { type Layer, type BaseOptions, type Empty, makeLayer, shapeErr, checkOptions } from './Layer.js'
import { type ActivationName, resolveActivation } from './core.js'
import * as I from './initializers.js'
import { weightOptions, weightOptionKeys, type KernelWeightOptions } from './weights.js'
import { type DataFormat, type Geometry, none, positive, geometryE, inputDims, outShape, windowShapes, channelsLast, addBias } from './spatial.js'

export type { DataFormat } from './spatial.js'
export type { KernelWeightOptions } from './weights.js'

/** Params of a convolution layer: `kernel`, then `bias` unless `useBias: false`. */
export type ConvParams = { readonly kernel: Tensor; readonly bias: Tensor } | { readonly kernel: Tensor }

/** Options of {@link conv1d}, {@link conv2d}, {@link conv3d}: Keras's arguments in camelCase. */
export interface ConvLayerOptions extends BaseOptions, KernelWeightOptions {
  /** default 1 */
  readonly strides?: number | ReadonlyArray<number>
  /** 'valid' (default), 'same', or 'causal' (conv1d only) */
  readonly padding?: 'valid' | 'same' | 'causal'
  readonly dataFormat?: DataFormat
  /** default 1 */
  readonly dilationRate?: number | ReadonlyArray<number>
  /** feature groups (default 1): input channels and filters must both be divisible by it */
  readonly groups?: number
  readonly activation?: ActivationName
  readonly useBias?: boolean
  readonly kernelInitializer?: I.InitializerLike
  readonly biasInitializer?: I.InitializerLike
}

const KERNEL_PARAMS = { kernel: 'kernel', bias: 'bias' } as const
const CONV_KEYS = ['strides', 'padding', 'dataFormat', 'dilationRate', 'groups', 'activation', 'useBias', 'kernelInitializer', 'biasInitializer', ...weightOptionKeys(Object.keys(KERNEL_PARAMS))]
const KIND_OF_RANK = ['', 'Conv1D', 'Conv2D', 'Conv3D']

/** A convolution layer of 1, 2 or 3 spatial axes, as `Either`. */
export const convLayerE = (rank: 1 | 2 | 3, filters: number, kernelSize: number | ReadonlyArray<number>, opts: ConvLayerOptions = {}): E.Either<TfError, Layer<ConvParams>> => {
  const kind = KIND_OF_RANK[rank]
  const where = kind.charAt(0).toLowerCase() + kind.slice(1).replace('D', 'd')
  return pipe(
    checkOptions(where, opts, CONV_KEYS),
    E.chain(() => positive(where, 'filters', filters)),
    E.bindTo('filters'),
    E.bind('w', () => weightOptions(where, opts, KERNEL_PARAMS)),
    E.chain((c) => E.map((g: Geometry) => ({ ...c, ...g }))(geometryE(where, kernelSize, opts, rank, rank === 1))),
    E.bind('groups', () => positive(where, 'groups', opts.groups ?? 1)),
    E.bind('act', () => resolveActivation(`${where}.activation`, opts.activation)),
    E.bind('ki', () => I.resolve(`${where}.kernelInitializer`, opts.kernelInitializer, I.glorotUniform)),
    E.bind('bi', () => I.resolve(`${where}.biasInitializer`, opts.biasInitializer, I.zeros)),
    E.chain((c) => {
      if (c.strides.some((s) => s > 1) && c.dilation.some((d) => d > 1))
        return E.left(tfError('InvalidOption', `${where}: strides > 1 cannot be combined with dilationRate > 1 (as in Keras)`, { path: 'strides', expected: 'strides 1 or dilationRate 1', received: { strides: c.strides, dilationRate: c.dilation } }))
      if (c.filters % c.groups !== 0)
        return E.left(tfError('InvalidOption', `${where}: filters ${c.filters} must be divisible by groups ${c.groups}`, { path: 'groups', expected: `a divisor of ${c.filters}`, received: c.groups }))
      return E.right(c)
    }),
    E.map(({ filters: f, w, k, strides, dilation, padding, fmt, groups, act, ki, bi }) => {
      const useBias = opts.useBias ?? true
      return makeLayer<ConvParams, Empty>(
        kind,
        {
          filters: f, kernelSize: k, strides, padding, dataFormat: fmt, dilationRate: dilation, groups, activation: opts.activation ?? 'linear', useBias,
          kernelInitializer: I.toJson(ki), biasInitializer: I.toJson(bi), ...w.config
        },
        opts,
        (key, s) =>
          pipe(
            windowShapes(where, s, rank, fmt, k, strides, padding, dilation),
            E.chain(({ channels, out }) => {
              if (channels % groups !== 0) return shapeErr(where, `input channels ${channels} must be divisible by groups ${groups}`, `multiple of ${groups}`, channels)
              const [kk, kb] = split(key, 2)
              const kernel = ki.init(kk, [...k, channels / groups, f])
              const params: ConvParams = useBias ? Object.freeze({ kernel, bias: bi.init(kb, [f]) }) : Object.freeze({ kernel })
              return E.right({ params, state: none, outputShape: outShape(s[0], out, f, fmt) })
            })
          ),
        (p) => (x) => ({
          y: channelsLast(x, fmt, (xl) => act(addBias(conv(xl, p.kernel, { strides, padding: padding as ConvPadding, dilation, groups }), 'bias' in p ? p.bias : undefined))),
          state: none
        }),
        w
      )
    })
  )
}

/** `conv1d` as `Either`. */
export const conv1dE = (filters: number, kernelSize: number | ReadonlyArray<number>, opts?: ConvLayerOptions) => convLayerE(1, filters, kernelSize, opts)
/** `conv2d` as `Either`. */
export const conv2dE = (filters: number, kernelSize: number | ReadonlyArray<number>, opts?: ConvLayerOptions) => convLayerE(2, filters, kernelSize, opts)
/** `conv3d` as `Either`. */
export const conv3dE = (filters: number, kernelSize: number | ReadonlyArray<number>, opts?: ConvLayerOptions) => convLayerE(3, filters, kernelSize, opts)
/**
 * 1-d convolution over `[batch, steps, channels]` (Keras `Conv1D`); `padding: 'causal'` for sequences.
 * @example conv1d(16, 3, { padding: 'causal', activation: 'relu' })
 */
export const conv1d = (filters: number, kernelSize: number | ReadonlyArray<number>, opts?: ConvLayerOptions): Layer<ConvParams> => orThrow(conv1dE(filters, kernelSize, opts))
/**
 * 2-d convolution over `[batch, height, width, channels]` (Keras `Conv2D`).
 * @example conv2d(32, 3, { activation: 'relu', inputShape: [28, 28, 1], kernelRegularizer: l2(1e-4) })
 */
export const conv2d = (filters: number, kernelSize: number | ReadonlyArray<number>, opts?: ConvLayerOptions): Layer<ConvParams> => orThrow(conv2dE(filters, kernelSize, opts))
/** 3-d convolution over `[batch, depth, height, width, channels]` (Keras `Conv3D`). @example conv3d(8, [3, 3, 3]) */
export const conv3d = (filters: number, kernelSize: number | ReadonlyArray<number>, opts?: ConvLayerOptions): Layer<ConvParams> => orThrow(conv3dE(filters, kernelSize, opts))

// ---------------------------------------------------------------------------------------------------
// transposed convolution

/** Options of {@link conv2dTranspose}. */
export interface ConvTransposeLayerOptions extends BaseOptions, KernelWeightOptions {
  readonly strides?: number | ReadonlyArray<number>
  readonly padding?: 'valid' | 'same'
  /** extra rows/columns at the high end, below the strides (Keras's `output_padding`; default none) */
  readonly outputPadding?: number | ReadonlyArray<number>
  readonly dataFormat?: DataFormat
  readonly dilationRate?: number | ReadonlyArray<number>
  readonly activation?: ActivationName
  readonly useBias?: boolean
  readonly kernelInitializer?: I.InitializerLike
  readonly biasInitializer?: I.InitializerLike
}

const TRANSPOSE_KEYS = ['strides', 'padding', 'outputPadding', 'dataFormat', 'dilationRate', 'activation', 'useBias', 'kernelInitializer', 'biasInitializer', ...weightOptionKeys(Object.keys(KERNEL_PARAMS))]

const outputPaddingE = (where: string, v: unknown, rank: number): E.Either<TfError, number[] | undefined> => {
  if (v === undefined || v === null) return E.right(undefined)
  const xs = typeof v === 'number' ? Array.from({ length: rank }, () => v) : Array.isArray(v) ? [...(v as number[])] : null
  return xs !== null && xs.length === rank && xs.every((e) => Number.isSafeInteger(e) && e >= 0)
    ? E.right(xs)
    : E.left(tfError('InvalidOption', `${where}: outputPadding must be a non-negative integer or ${rank} of them, received ${show(v)}`, { path: 'outputPadding', expected: 'non-negative integers', received: v }))
}

/** `conv2dTranspose` as `Either`. */
export const conv2dTransposeE = (filters: number, kernelSize: number | ReadonlyArray<number>, opts: ConvTransposeLayerOptions = {}): E.Either<TfError, Layer<ConvParams>> => {
  const where = 'conv2dTranspose'
  const rank = 2
  return pipe(
    checkOptions(where, opts, TRANSPOSE_KEYS),
    E.chain(() => positive(where, 'filters', filters)),
    E.bindTo('filters'),
    E.bind('w', () => weightOptions(where, opts, KERNEL_PARAMS)),
    E.chain((c) => E.map((g: Geometry) => ({ ...c, ...g }))(geometryE(where, kernelSize, opts, rank, false))),
    E.bind('outPad', () => outputPaddingE(where, opts.outputPadding, rank)),
    E.bind('act', () => resolveActivation(`${where}.activation`, opts.activation)),
    E.bind('ki', () => I.resolve(`${where}.kernelInitializer`, opts.kernelInitializer, I.glorotUniform)),
    E.bind('bi', () => I.resolve(`${where}.biasInitializer`, opts.biasInitializer, I.zeros)),
    E.chain((c) =>
      c.outPad !== undefined && c.outPad.some((p, d) => p >= c.strides[d])
        ? E.left(tfError('InvalidOption', `${where}: outputPadding ${JSON.stringify(c.outPad)} must be smaller than the strides ${JSON.stringify(c.strides)}`, { path: 'outputPadding', expected: 'below the strides', received: c.outPad }))
        : E.right(c)
    ),
    E.map(({ filters: f, w, k, strides, dilation, padding, fmt, outPad, act, ki, bi }) => {
      const useBias = opts.useBias ?? true
      const pad = padding as 'valid' | 'same'
      return makeLayer<ConvParams, Empty>(
        'Conv2DTranspose',
        {
          filters: f, kernelSize: k, strides, padding: pad, outputPadding: outPad ?? null, dataFormat: fmt, dilationRate: dilation,
          activation: opts.activation ?? 'linear', useBias, kernelInitializer: I.toJson(ki), biasInitializer: I.toJson(bi), ...w.config
        },
        opts,
        (key, s) =>
          pipe(
            inputDims(where, s, rank, fmt),
            E.map(({ spatial, channels }) => {
              const out = spatial.map((d, i) => (d === null ? null : convTransposeLength(d, k[i], strides[i], pad, dilation[i], outPad?.[i])))
              const [kk, kb] = split(key, 2)
              const kernel = ki.init(kk, [...k, f, channels])
              const params: ConvParams = useBias ? Object.freeze({ kernel, bias: bi.init(kb, [f]) }) : Object.freeze({ kernel })
              return { params, state: none, outputShape: outShape(s[0], out, f, fmt) }
            })
          ),
        (p) => (x) => ({
          y: channelsLast(x, fmt, (xl) => act(addBias(convTranspose(xl, p.kernel, { strides, padding: pad, dilation, outputPadding: outPad }), 'bias' in p ? p.bias : undefined))),
          state: none
        }),
        w
      )
    })
  )
}
/**
 * Transposed 2-d convolution (Keras `Conv2DTranspose`): upsamples by the strides. Kernel `[kh, kw, filters, in]`.
 * @example conv2dTranspose(16, 3, { strides: 2, padding: 'same' }) // [b, h, w, c] -> [b, 2h, 2w, 16]
 */
export const conv2dTranspose = (filters: number, kernelSize: number | ReadonlyArray<number>, opts?: ConvTransposeLayerOptions): Layer<ConvParams> =>
  orThrow(conv2dTransposeE(filters, kernelSize, opts))
