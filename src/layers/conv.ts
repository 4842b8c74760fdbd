/**
 * Convolution and pooling layers, as Keras 2.15's (`tf.keras.layers.Conv2D`, …) with camelCase options:
 * `conv1d`, `conv2d`, `conv3d`, `conv2dTranspose`, `depthwiseConv2d`, `separableConv2d`,
 * `maxPooling1d/2d/3d`, `averagePooling1d/2d/3d`, `globalAveragePooling1d/2d/3d`, `globalMaxPooling1d/2d/3d`.
 *
 * Keras's positional arguments come first (`conv2d(filters, kernelSize, opts)`,
 * `maxPooling2d(poolSize, opts)`), then an options record; an option a layer does not know is an error
 * naming the ones it does. Weights have Keras's layouts and names: `kernel` `[...window, in / groups,
 * filters]` (`[...window, filters, in]` for the transposed convolution), `depthwise_kernel`
 * `[...window, in, depthMultiplier]`, `pointwise_kernel` `[1, 1, in · depthMultiplier, filters]`, `bias`.
 * Inputs are channels-last by default; `dataFormat: 'channels_first'` transposes around the same kernels.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type { Tensor } from '../core/Tensor.js'
import { split } from '../core/Key.js'
import { tfError, type TfError, show, orThrow } from '../core/errors.js'
import { add, transpose, reshape as reshapeOp, max as maxOp } from '../primitives/index.js'
import { mean } from '../ops/reductions.js'
import { conv, convTranspose, maxPool, avgPool, convTransposeLength, type ConvPadding } from '../ops/conv.js'
import { windowOutLength } from '../backend/window.js'
import { type Layer, type BaseOptions, type Empty, type BatchShape, makeLayer, shapeErr, showShape } from './Layer.js'
import { type ActivationName, resolveActivation } from './core.js'
import * as I from './initializers.js'

const none: Empty = Object.freeze({})

/** Keras's `data_format`. */
export type DataFormat = 'channels_last' | 'channels_first'

const BASE_KEYS = ['name', 'inputShape'] as const

/** An unknown option is an error naming the known ones (Keras raises on unknown keyword arguments too). */
const checkOptions = (layer: string, opts: object | undefined, allowed: ReadonlyArray<string>): E.Either<TfError, void> => {
  if (opts === undefined) return E.right(undefined)
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts))
    return E.left(tfError('InvalidArgument', `${layer}: expected an options record, received ${show(opts)}`, { path: 'options', expected: 'record', received: opts }))
  const known = [...BASE_KEYS, ...allowed]
  for (const k of Object.keys(opts)) {
    if ((opts as Record<string, unknown>)[k] === undefined) continue
    if (!known.includes(k))
      return E.left(tfError('InvalidArgument', `${layer}: unknown option '${k}' (expected one of ${known.map((o) => `'${o}'`).join(', ')})`, { path: k, expected: known, received: k }))
  }
  return E.right(undefined)
}

/** One positive integer per spatial axis, from a number or an array of `rank`. */
const tupleE = (layer: string, what: string, v: unknown, rank: number, dflt: number | ReadonlyArray<number>): E.Either<TfError, number[]> => {
  const raw = v === undefined || v === null ? dflt : v
  const xs = typeof raw === 'number' ? Array.from({ length: rank }, () => raw) : Array.isArray(raw) ? [...(raw as number[])] : null
  if (xs === null || xs.length !== rank || !xs.every((e) => Number.isSafeInteger(e) && e >= 1))
    return E.left(tfError('InvalidArgument', `${layer}: ${what} must be a positive integer or ${rank} of them, received ${show(v)}`, { path: what, expected: `positive integer or ${rank} of them`, received: v }))
  return E.right(xs)
}

const paddingE = (layer: string, v: unknown, allowCausal: boolean): E.Either<TfError, 'valid' | 'same' | 'causal'> => {
  const p = v ?? 'valid'
  const ok = p === 'valid' || p === 'same' || (allowCausal && p === 'causal')
  return ok
    ? E.right(p as 'valid' | 'same' | 'causal')
    : E.left(tfError('InvalidArgument', `${layer}: padding must be 'valid'${allowCausal ? ", 'same' or 'causal'" : " or 'same'"}, received ${show(v)}`, { path: 'padding', expected: allowCausal ? ['valid', 'same', 'causal'] : ['valid', 'same'], received: v }))
}

const formatE = (layer: string, v: unknown): E.Either<TfError, DataFormat> =>
  v === undefined || v === null || v === 'channels_last' || v === 'channels_first'
    ? E.right((v ?? 'channels_last') as DataFormat)
    : E.left(tfError('InvalidArgument', `${layer}: dataFormat must be 'channels_last' or 'channels_first', received ${show(v)}`, { path: 'dataFormat', expected: ['channels_last', 'channels_first'], received: v }))

/** Check the input rank and read its channels; the spatial sizes may be unknown (null). */
const inputDims = (layer: string, s: BatchShape, rank: number, fmt: DataFormat): E.Either<TfError, { spatial: Array<number | null>; channels: number }> => {
  if (s.length !== rank + 2) return shapeErr(layer, `expected an input of rank ${rank + 2} ([batch, ${fmt === 'channels_last' ? `...${rank} spatial, channels` : `channels, ...${rank} spatial`}]), received ${showShape(s)}`, rank + 2, s)
  const channels = fmt === 'channels_last' ? s[rank + 1] : s[1]
  if (channels === null || channels === 0) return shapeErr(layer, `the channel axis must be known and positive, received ${showShape(s)}`, 'known channels', s)
  return E.right({ spatial: (fmt === 'channels_last' ? s.slice(1, rank + 1) : s.slice(2)) as Array<number | null>, channels })
}

/** The output batch shape from spatial sizes and channels in the layer's data format. */
const outShape = (batch: number | null, spatial: ReadonlyArray<number | null>, channels: number, fmt: DataFormat): BatchShape =>
  Object.freeze(fmt === 'channels_last' ? [batch, ...spatial, channels] : [batch, channels, ...spatial])

/** Output length of a convolution axis under Keras padding (null stays null). */
const convLength = (s: number | null, k: number, stride: number, padding: 'valid' | 'same' | 'causal', dilation: number): number | null => {
  if (s === null) return null
  if (padding === 'same') return Math.ceil(s / stride)
  if (padding === 'causal') return windowOutLength(s, k, stride, (k - 1) * dilation, 0, 1, dilation)
  return windowOutLength(s, k, stride, 0, 0, 1, dilation)
}

/** Run `f` channels-last: transpose a channels-first input in and the result back out. */
const channelsLast = (x: Tensor, fmt: DataFormat, f: (x: Tensor) => Tensor): Tensor => {
  if (fmt === 'channels_last') return f(x)
  const r = x.shape.length
  const toLast = [0, ...Array.from({ length: r - 2 }, (_, i) => i + 2), 1]
  const toFirst = [0, r - 1, ...Array.from({ length: r - 2 }, (_, i) => i + 1)]
  return transpose(f(transpose(x, toLast)), toFirst)
}

const addBias = (y: Tensor, bias: Tensor | undefined): Tensor => (bias === undefined ? y : add(y, bias))

// ---------------------------------------------------------------------------------------------------
// convolution

/** Params of a convolution layer: `kernel`, then `bias` unless `useBias: false`. */
export type ConvParams = { readonly kernel: Tensor; readonly bias: Tensor } | { readonly kernel: Tensor }

/** Options of {@link conv1d}, {@link conv2d}, {@link conv3d}: Keras's arguments in camelCase. */
export interface ConvLayerOptions extends BaseOptions {
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

const CONV_KEYS = ['strides', 'padding', 'dataFormat', 'dilationRate', 'groups', 'activation', 'useBias', 'kernelInitializer', 'biasInitializer']
const KIND_OF_RANK = ['', 'Conv1D', 'Conv2D', 'Conv3D']

const positive = (layer: string, what: string, v: unknown): E.Either<TfError, number> =>
  Number.isSafeInteger(v) && (v as number) >= 1
    ? E.right(v as number)
    : E.left(tfError('InvalidArgument', `${layer}: expected ${what} to be a positive integer, received ${show(v)}`, { path: what, expected: 'positive integer', received: v }))

/** A convolution layer of 1, 2 or 3 spatial axes, as `Either`. */
export const convLayerE = (rank: 1 | 2 | 3, filters: number, kernelSize: number | ReadonlyArray<number>, opts: ConvLayerOptions = {}): E.Either<TfError, Layer<ConvParams>> => {
  const kind = KIND_OF_RANK[rank]
  const where = kind.charAt(0).toLowerCase() + kind.slice(1).replace('D', 'd')
  return pipe(
    checkOptions(where, opts, CONV_KEYS),
    E.chain(() => positive(where, 'filters', filters)),
    E.bindTo('filters'),
    E.bind('k', () => tupleE(where, 'kernelSize', kernelSize, rank, 1)),
    E.bind('strides', () => tupleE(where, 'strides', opts.strides, rank, 1)),
    E.bind('dilation', () => tupleE(where, 'dilationRate', opts.dilationRate, rank, 1)),
    E.bind('padding', () => paddingE(where, opts.padding, rank === 1)),
    E.bind('fmt', () => formatE(where, opts.dataFormat)),
    E.bind('groups', () => positive(where, 'groups', opts.groups ?? 1)),
    E.bind('act', () => resolveActivation(`${where}.activation`, opts.activation)),
    E.bind('ki', () => I.resolve(`${where}.kernelInitializer`, opts.kernelInitializer, I.glorotUniform)),
    E.bind('bi', () => I.resolve(`${where}.biasInitializer`, opts.biasInitializer, I.zeros)),
    E.chain((c) => {
      if (c.strides.some((s) => s > 1) && c.dilation.some((d) => d > 1))
        return E.left(tfError('InvalidArgument', `${where}: strides > 1 cannot be combined with dilationRate > 1 (as in Keras)`, { path: 'strides', expected: 'strides 1 or dilationRate 1', received: { strides: c.strides, dilationRate: c.dilation } }))
      if (c.filters % c.groups !== 0)
        return E.left(tfError('InvalidArgument', `${where}: filters ${c.filters} must be divisible by groups ${c.groups}`, { path: 'groups', expected: `a divisor of ${c.filters}`, received: c.groups }))
      return E.right(c)
    }),
    E.map(({ filters: f, k, strides, dilation, padding, fmt, groups, act, ki, bi }) => {
      const useBias = opts.useBias ?? true
      return makeLayer<ConvParams, Empty>(
        kind,
        { filters: f, kernelSize: k, strides, padding, dataFormat: fmt, dilationRate: dilation, groups, activation: opts.activation ?? 'linear', useBias, kernelInitializer: I.toJson(ki), biasInitializer: I.toJson(bi) },
        opts,
        (key, s) =>
          pipe(
            inputDims(where, s, rank, fmt),
            E.chain(({ spatial, channels }) => {
              if (channels % groups !== 0) return shapeErr(where, `input channels ${channels} must be divisible by groups ${groups}`, `multiple of ${groups}`, channels)
              const out = spatial.map((d, i) => convLength(d, k[i], strides[i], padding, dilation[i]))
              if (out.some((d) => d !== null && d <= 0)) return shapeErr(where, `the input ${showShape(s)} is smaller than the (dilated) kernel ${JSON.stringify(k)}`, 'a larger input', s)
              const [kk, kb] = split(key, 2)
              const kernel = ki.init(kk, [...k, channels / groups, f])
              const params: ConvParams = useBias ? Object.freeze({ kernel, bias: bi.init(kb, [f]) }) : Object.freeze({ kernel })
              return E.right({ params, state: none, outputShape: outShape(s[0], out, f, fmt) })
            })
          ),
        (p) => (x) => ({
          y: channelsLast(x, fmt, (xl) => act(addBias(conv(xl, p.kernel, { strides, padding: padding as ConvPadding, dilation, groups }), 'bias' in p ? p.bias : undefined))),
          state: none
        })
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
 * @example conv2d(32, 3, { activation: 'relu', inputShape: [28, 28, 1] })
 */
export const conv2d = (filters: number, kernelSize: number | ReadonlyArray<number>, opts?: ConvLayerOptions): Layer<ConvParams> => orThrow(conv2dE(filters, kernelSize, opts))
/** 3-d convolution over `[batch, depth, height, width, channels]` (Keras `Conv3D`). @example conv3d(8, [3, 3, 3]) */
export const conv3d = (filters: number, kernelSize: number | ReadonlyArray<number>, opts?: ConvLayerOptions): Layer<ConvParams> => orThrow(conv3dE(filters, kernelSize, opts))

// ---------------------------------------------------------------------------------------------------
// transposed convolution

/** Options of {@link conv2dTranspose}. */
export interface ConvTransposeLayerOptions extends BaseOptions {
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

/** `conv2dTranspose` as `Either`. */
export const conv2dTransposeE = (filters: number, kernelSize: number | ReadonlyArray<number>, opts: ConvTransposeLayerOptions = {}): E.Either<TfError, Layer<ConvParams>> => {
  const where = 'conv2dTranspose'
  const rank = 2
  return pipe(
    checkOptions(where, opts, ['strides', 'padding', 'outputPadding', 'dataFormat', 'dilationRate', 'activation', 'useBias', 'kernelInitializer', 'biasInitializer']),
    E.chain(() => positive(where, 'filters', filters)),
    E.bindTo('filters'),
    E.bind('k', () => tupleE(where, 'kernelSize', kernelSize, rank, 1)),
    E.bind('strides', () => tupleE(where, 'strides', opts.strides, rank, 1)),
    E.bind('dilation', () => tupleE(where, 'dilationRate', opts.dilationRate, rank, 1)),
    E.bind('padding', () => paddingE(where, opts.padding, false)),
    E.bind('fmt', () => formatE(where, opts.dataFormat)),
    E.bind('outPad', () => {
      const v = opts.outputPadding
      if (v === undefined || v === null) return E.right(undefined)
      const xs = typeof v === 'number' ? [v, v] : Array.isArray(v) ? [...v] : null
      return xs !== null && xs.length === rank && xs.every((e) => Number.isSafeInteger(e) && e >= 0)
        ? E.right(xs)
        : E.left(tfError('InvalidArgument', `${where}: outputPadding must be a non-negative integer or ${rank} of them, received ${show(v)}`, { path: 'outputPadding', expected: 'non-negative integers', received: v }))
    }),
    E.bind('act', () => resolveActivation(`${where}.activation`, opts.activation)),
    E.bind('ki', () => I.resolve(`${where}.kernelInitializer`, opts.kernelInitializer, I.glorotUniform)),
    E.bind('bi', () => I.resolve(`${where}.biasInitializer`, opts.biasInitializer, I.zeros)),
    E.chain((c) =>
      c.outPad !== undefined && c.outPad.some((p, d) => p >= c.strides[d])
        ? E.left(tfError('InvalidArgument', `${where}: outputPadding ${JSON.stringify(c.outPad)} must be smaller than the strides ${JSON.stringify(c.strides)}`, { path: 'outputPadding', expected: 'below the strides', received: c.outPad }))
        : E.right(c)
    ),
    E.map(({ filters: f, k, strides, dilation, padding, fmt, outPad, act, ki, bi }) => {
      const useBias = opts.useBias ?? true
      const pad = padding as 'valid' | 'same'
      return makeLayer<ConvParams, Empty>(
        'Conv2DTranspose',
        {
          filters: f, kernelSize: k, strides, padding: pad, outputPadding: outPad ?? null, dataFormat: fmt, dilationRate: dilation,
          activation: opts.activation ?? 'linear', useBias, kernelInitializer: I.toJson(ki), biasInitializer: I.toJson(bi)
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
        })
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

// ---------------------------------------------------------------------------------------------------
// depthwise and separable

/** Params of a depthwise convolution: `depthwise_kernel` `[kh, kw, in, depthMultiplier]`, then `bias`. */
export type DepthwiseParams = { readonly depthwise_kernel: Tensor; readonly bias: Tensor } | { readonly depthwise_kernel: Tensor }

/** Options of {@link depthwiseConv2d}. */
export interface DepthwiseOptions extends BaseOptions {
  readonly strides?: number | ReadonlyArray<number>
  readonly padding?: 'valid' | 'same'
  readonly depthMultiplier?: number
  readonly dataFormat?: DataFormat
  readonly dilationRate?: number | ReadonlyArray<number>
  readonly activation?: ActivationName
  readonly useBias?: boolean
  readonly depthwiseInitializer?: I.InitializerLike
  readonly biasInitializer?: I.InitializerLike
}

/** Options of {@link separableConv2d}. */
export interface SeparableOptions extends BaseOptions {
  readonly strides?: number | ReadonlyArray<number>
  readonly padding?: 'valid' | 'same'
  readonly depthMultiplier?: number
  readonly dataFormat?: DataFormat
  readonly dilationRate?: number | ReadonlyArray<number>
  readonly activation?: ActivationName
  readonly useBias?: boolean
  readonly depthwiseInitializer?: I.InitializerLike
  readonly pointwiseInitializer?: I.InitializerLike
  readonly biasInitializer?: I.InitializerLike
}

/** Params of a separable convolution: `depthwise_kernel`, `pointwise_kernel` `[1, 1, in · m, filters]`, then `bias`. */
export type SeparableParams =
  | { readonly depthwise_kernel: Tensor; readonly pointwise_kernel: Tensor; readonly bias: Tensor }
  | { readonly depthwise_kernel: Tensor; readonly pointwise_kernel: Tensor }

/** The depthwise step: kernel `[kh, kw, in, m]` as a grouped convolution with `in` groups. */
const depthwise = (x: Tensor, dk: Tensor, strides: number[], padding: 'valid' | 'same', dilation: number[]): Tensor => {
  const [kh, kw, c, m] = dk.shape
  return conv(x, reshapeOp(dk, [kh, kw, 1, c * m]), { strides, padding, dilation, groups: c })
}

const spatial2dE = (where: string, opts: { strides?: unknown; dilationRate?: unknown; padding?: unknown; dataFormat?: unknown; depthMultiplier?: unknown }, kernelSize: unknown) =>
  pipe(
    tupleE(where, 'kernelSize', kernelSize, 2, 1),
    E.bindTo('k'),
    E.bind('strides', () => tupleE(where, 'strides', opts.strides, 2, 1)),
    E.bind('dilation', () => tupleE(where, 'dilationRate', opts.dilationRate, 2, 1)),
    E.bind('padding', () => paddingE(where, opts.padding, false)),
    E.bind('fmt', () => formatE(where, opts.dataFormat)),
    E.bind('m', () => positive(where, 'depthMultiplier', opts.depthMultiplier ?? 1))
  )

/** `depthwiseConv2d` as `Either`. */
export const depthwiseConv2dE = (kernelSize: number | ReadonlyArray<number>, opts: DepthwiseOptions = {}): E.Either<TfError, Layer<DepthwiseParams>> => {
  const where = 'depthwiseConv2d'
  return pipe(
    checkOptions(where, opts, ['strides', 'padding', 'depthMultiplier', 'dataFormat', 'dilationRate', 'activation', 'useBias', 'depthwiseInitializer', 'biasInitializer']),
    E.chain(() => spatial2dE(where, opts, kernelSize)),
    E.bind('act', () => resolveActivation(`${where}.activation`, opts.activation)),
    E.bind('di', () => I.resolve(`${where}.depthwiseInitializer`, opts.depthwiseInitializer, I.glorotUniform)),
    E.bind('bi', () => I.resolve(`${where}.biasInitializer`, opts.biasInitializer, I.zeros)),
    E.map(({ k, strides, dilation, padding, fmt, m, act, di, bi }) => {
      const useBias = opts.useBias ?? true
      const pad = padding as 'valid' | 'same'
      return makeLayer<DepthwiseParams, Empty>(
        'DepthwiseConv2D',
        {
          kernelSize: k, strides, padding: pad, depthMultiplier: m, dataFormat: fmt, dilationRate: dilation, activation: opts.activation ?? 'linear', useBias,
          depthwiseInitializer: I.toJson(di), biasInitializer: I.toJson(bi)
        },
        opts,
        (key, s) =>
          pipe(
            inputDims(where, s, 2, fmt),
            E.chain(({ spatial, channels }) => {
              const out = spatial.map((d, i) => convLength(d, k[i], strides[i], pad, dilation[i]))
              if (out.some((d) => d !== null && d <= 0)) return shapeErr(where, `the input ${showShape(s)} is smaller than the (dilated) kernel ${JSON.stringify(k)}`, 'a larger input', s)
              const [kk, kb] = split(key, 2)
              const dk = di.init(kk, [...k, channels, m])
              const params: DepthwiseParams = useBias ? Object.freeze({ depthwise_kernel: dk, bias: bi.init(kb, [channels * m]) }) : Object.freeze({ depthwise_kernel: dk })
              return E.right({ params, state: none, outputShape: outShape(s[0], out, channels * m, fmt) })
            })
          ),
        (p) => (x) => ({
          y: channelsLast(x, fmt, (xl) => act(addBias(depthwise(xl, p.depthwise_kernel, strides, pad, dilation), 'bias' in p ? p.bias : undefined))),
          state: none
        })
      )
    })
  )
}
/**
 * Depthwise 2-d convolution (Keras `DepthwiseConv2D`): each input channel convolved with its own
 * `depthMultiplier` filters. @example depthwiseConv2d(3, { padding: 'same' })
 */
export const depthwiseConv2d = (kernelSize: number | ReadonlyArray<number>, opts?: DepthwiseOptions): Layer<DepthwiseParams> => orThrow(depthwiseConv2dE(kernelSize, opts))

/** `separableConv2d` as `Either`. */
export const separableConv2dE = (filters: number, kernelSize: number | ReadonlyArray<number>, opts: SeparableOptions = {}): E.Either<TfError, Layer<SeparableParams>> => {
  const where = 'separableConv2d'
  return pipe(
    checkOptions(where, opts, ['strides', 'padding', 'depthMultiplier', 'dataFormat', 'dilationRate', 'activation', 'useBias', 'depthwiseInitializer', 'pointwiseInitializer', 'biasInitializer']),
    E.chain(() => positive(where, 'filters', filters)),
    E.chain((f) => pipe(spatial2dE(where, opts, kernelSize), E.map((c) => ({ ...c, f })))),
    E.bind('act', () => resolveActivation(`${where}.activation`, opts.activation)),
    E.bind('di', () => I.resolve(`${where}.depthwiseInitializer`, opts.depthwiseInitializer, I.glorotUniform)),
    E.bind('pi', () => I.resolve(`${where}.pointwiseInitializer`, opts.pointwiseInitializer, I.glorotUniform)),
    E.bind('bi', () => I.resolve(`${where}.biasInitializer`, opts.biasInitializer, I.zeros)),
    E.map(({ f, k, strides, dilation, padding, fmt, m, act, di, pi, bi }) => {
      const useBias = opts.useBias ?? true
      const pad = padding as 'valid' | 'same'
      return makeLayer<SeparableParams, Empty>(
        'SeparableConv2D',
        {
          filters: f, kernelSize: k, strides, padding: pad, depthMultiplier: m, dataFormat: fmt, dilationRate: dilation, activation: opts.activation ?? 'linear', useBias,
          depthwiseInitializer: I.toJson(di), pointwiseInitializer: I.toJson(pi), biasInitializer: I.toJson(bi)
        },
        opts,
        (key, s) =>
          pipe(
            inputDims(where, s, 2, fmt),
            E.chain(({ spatial, channels }) => {
              const out = spatial.map((d, i) => convLength(d, k[i], strides[i], pad, dilation[i]))
              if (out.some((d) => d !== null && d <= 0)) return shapeErr(where, `the input ${showShape(s)} is smaller than the (dilated) kernel ${JSON.stringify(k)}`, 'a larger input', s)
              const [kd, kp, kb] = split(key, 3)
              const depthwise_kernel = di.init(kd, [...k, channels, m])
              const pointwise_kernel = pi.init(kp, [1, 1, channels * m, f])
              const params: SeparableParams = useBias ? Object.freeze({ depthwise_kernel, pointwise_kernel, bias: bi.init(kb, [f]) }) : Object.freeze({ depthwise_kernel, pointwise_kernel })
              return E.right({ params, state: none, outputShape: outShape(s[0], out, f, fmt) })
            })
          ),
        (p) => (x) => ({
          y: channelsLast(x, fmt, (xl) => act(addBias(conv(depthwise(xl, p.depthwise_kernel, strides, pad, dilation), p.pointwise_kernel), 'bias' in p ? p.bias : undefined))),
          state: none
        })
      )
    })
  )
}
/**
 * Depthwise-separable 2-d convolution (Keras `SeparableConv2D`): a depthwise convolution, then a 1×1
 * convolution to `filters` channels. @example separableConv2d(32, 3, { activation: 'relu' })
 */
export const separableConv2d = (filters: number, kernelSize: number | ReadonlyArray<number>, opts?: SeparableOptions): Layer<SeparableParams> =>
  orThrow(separableConv2dE(filters, kernelSize, opts))

// ---------------------------------------------------------------------------------------------------
// pooling

/** Options of the pooling layers. */
export interface PoolingOptions extends BaseOptions {
  /** default: the pool size */
  readonly strides?: number | ReadonlyArray<number> | null
  readonly padding?: 'valid' | 'same'
  readonly dataFormat?: DataFormat
}

const POOL_KINDS: Record<string, string> = { max: 'MaxPooling', avg: 'AveragePooling' }

/** A max or average pooling layer over 1, 2 or 3 spatial axes, as `Either`. */
export const poolingLayerE = (op: 'max' | 'avg', rank: 1 | 2 | 3, poolSize: number | ReadonlyArray<number> | undefined, opts: PoolingOptions = {}): E.Either<TfError, Layer<Empty>> => {
  const kind = `${POOL_KINDS[op]}${rank}D`
  const where = `${op === 'max' ? 'maxPooling' : 'averagePooling'}${rank}d`
  return pipe(
    checkOptions(where, opts, ['strides', 'padding', 'dataFormat']),
    E.chain(() => tupleE(where, 'poolSize', poolSize, rank, 2)),
    E.bindTo('win'),
    E.bind('strides', ({ win }) => tupleE(where, 'strides', opts.strides, rank, win)),
    E.bind('padding', () => paddingE(where, opts.padding, false)),
    E.bind('fmt', () => formatE(where, opts.dataFormat)),
    E.map(({ win, strides, padding, fmt }) => {
      const pad = padding as 'valid' | 'same'
      const f = op === 'max' ? maxPool : avgPool
      return makeLayer<Empty, Empty>(
        kind,
        { poolSize: win, strides, padding: pad, dataFormat: fmt },
        opts,
        (_k, s) =>
          pipe(
            inputDims(where, s, rank, fmt),
            E.chain(({ spatial, channels }) => {
              const out = spatial.map((d, i) => convLength(d, win[i], strides[i], pad, 1))
              if (out.some((d) => d !== null && d <= 0)) return shapeErr(where, `the input ${showShape(s)} is smaller than the pool ${JSON.stringify(win)}`, 'a larger input', s)
              return E.right({ params: none, state: none, outputShape: outShape(s[0], out, channels, fmt) })
            })
          ),
        () => (x) => ({ y: channelsLast(x, fmt, (xl) => f(xl, win, { strides, padding: pad })), state: none })
      )
    })
  )
}

type PoolCtor = (poolSize?: number | ReadonlyArray<number>, opts?: PoolingOptions) => Layer<Empty>
const poolCtor = (op: 'max' | 'avg', rank: 1 | 2 | 3): PoolCtor => (poolSize, opts) => orThrow(poolingLayerE(op, rank, poolSize, opts))

/** Max pooling over steps (Keras `MaxPooling1D`, pool 2 by default). @example maxPooling1d(2) */
export const maxPooling1d: PoolCtor = poolCtor('max', 1)
/** Max pooling over height and width (Keras `MaxPooling2D`, pool 2×2 by default). @example maxPooling2d(2) */
export const maxPooling2d: PoolCtor = poolCtor('max', 2)
/** Max pooling over 3 spatial axes (Keras `MaxPooling3D`). @example maxPooling3d(2) */
export const maxPooling3d: PoolCtor = poolCtor('max', 3)
/** Average pooling over steps (Keras `AveragePooling1D`). @example averagePooling1d(2) */
export const averagePooling1d: PoolCtor = poolCtor('avg', 1)
/** Average pooling over height and width (Keras `AveragePooling2D`); padding is not counted. @example averagePooling2d(2, { padding: 'same' }) */
export const averagePooling2d: PoolCtor = poolCtor('avg', 2)
/** Average pooling over 3 spatial axes (Keras `AveragePooling3D`). @example averagePooling3d(2) */
export const averagePooling3d: PoolCtor = poolCtor('avg', 3)

/** Options of the global pooling layers. */
export interface GlobalPoolingOptions extends BaseOptions {
  readonly dataFormat?: DataFormat
  /** keep the spatial axes with size 1 (default false) */
  readonly keepdims?: boolean
}

/** A global max or average pooling layer, as `Either`. */
export const globalPoolingLayerE = (op: 'max' | 'avg', rank: 1 | 2 | 3, opts: GlobalPoolingOptions = {}): E.Either<TfError, Layer<Empty>> => {
  const kind = `Global${POOL_KINDS[op]}${rank}D`
  const where = `global${op === 'max' ? 'MaxPooling' : 'AveragePooling'}${rank}d`
  return pipe(
    checkOptions(where, opts, ['dataFormat', 'keepdims']),
    E.chain(() => formatE(where, opts.dataFormat)),
    E.chain((fmt) =>
      opts.keepdims !== undefined && typeof opts.keepdims !== 'boolean'
        ? E.left(tfError('InvalidArgument', `${where}: keepdims must be a boolean, received ${show(opts.keepdims)}`, { path: 'keepdims', expected: 'boolean', received: opts.keepdims }))
        : E.right(fmt)
    ),
    E.map((fmt) => {
      const keep = opts.keepdims ?? false
      const axes = fmt === 'channels_last' ? Array.from({ length: rank }, (_, i) => i + 1) : Array.from({ length: rank }, (_, i) => i + 2)
      return makeLayer<Empty, Empty>(
        kind,
        { dataFormat: fmt, keepdims: keep },
        opts,
        (_k, s) =>
          pipe(
            inputDims(where, s, rank, fmt),
            E.map(({ channels }) => ({
              params: none,
              state: none,
              outputShape: keep ? outShape(s[0], axes.map(() => 1), channels, fmt) : (Object.freeze([s[0], channels]) as BatchShape)
            }))
          ),
        () => (x) => ({ y: op === 'max' ? maxOp(x, axes, keep) : mean(x, axes, keep), state: none })
      )
    })
  )
}

type GlobalCtor = (opts?: GlobalPoolingOptions) => Layer<Empty>
const globalCtor = (op: 'max' | 'avg', rank: 1 | 2 | 3): GlobalCtor => (opts) => orThrow(globalPoolingLayerE(op, rank, opts))

/** Mean over steps (Keras `GlobalAveragePooling1D`): `[b, steps, c]` -> `[b, c]`. @example globalAveragePooling1d() */
export const globalAveragePooling1d: GlobalCtor = globalCtor('avg', 1)
/** Mean over height and width (Keras `GlobalAveragePooling2D`). @example globalAveragePooling2d() */
export const globalAveragePooling2d: GlobalCtor = globalCtor('avg', 2)
/** Mean over 3 spatial axes (Keras `GlobalAveragePooling3D`). */
export const globalAveragePooling3d: GlobalCtor = globalCtor('avg', 3)
/** Max over steps (Keras `GlobalMaxPooling1D`). @example globalMaxPooling1d() */
export const globalMaxPooling1d: GlobalCtor = globalCtor('max', 1)
/** Max over height and width (Keras `GlobalMaxPooling2D`). @example globalMaxPooling2d() */
export const globalMaxPooling2d: GlobalCtor = globalCtor('max', 2)
/** Max over 3 spatial axes (Keras `GlobalMaxPooling3D`). */
export const globalMaxPooling3d: GlobalCtor = globalCtor('max', 3)
